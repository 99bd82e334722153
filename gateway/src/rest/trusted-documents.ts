// Trusted documents: the manifest of every document our clients may run (hash -> document), built by codegen from
// operations/*.graphql (REST API, partner client) and the dashboard's own documents. TRUSTED_DOCUMENTS decides what
// happens to anything else:
//   off     (default) any document runs; a manifest hash is served from the manifest, other hashes go through APQ;
//   log     the same, and every document outside the manifest is counted and logged once (to prepare `enforce`);
//   enforce only manifest documents run — by hash (persisted documents / APQ protocol), by identical text, or by REST
//           path; anything else is refused with PERSISTED_QUERY_NOT_IN_LIST before it is parsed by the gateway.
// The gate covers every way in: HTTP /graphql (GET and POST), graphql-ws and SSE at /graphql/stream.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphQLError, parse } from 'graphql';
import type { Logger, Metrics } from '@carbon-nexus/plugin-sdk';
import { documentHash, normalizeDocument, type RestOperation } from './operations.ts';

export type TrustedMode = 'off' | 'log' | 'enforce';
export const TRUSTED_MODES: readonly TrustedMode[] = ['off', 'log', 'enforce'];

const here = path.dirname(fileURLToPath(import.meta.url));
/** REST operations + their documents (codegen: gateway/src/rest/generated/operations.json). */
export const operationsManifestPath = path.join(here, 'generated', 'operations.json');
/** The dashboard's documents (codegen client preset: web/src/gql/persisted-documents.json). */
export const dashboardManifestPath = path.resolve(here, '../../../web/src/gql/persisted-documents.json');

export interface GraphQLPayload {
  query?: unknown;
  extensions?: unknown;
}

export type Admission = { ok: true; query?: string; trusted: boolean } | { ok: false; error: GraphQLError };

export class TrustedDocumentsConfigError extends Error {}

/** Reads one manifest file: `{hash: document}` (graphql-codegen, Relay, Hive) or Apollo's persisted query list. */
export function readManifestFile(file: string): Map<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TrustedDocumentsConfigError(`trusted documents: cannot read manifest ${file}: ${(err as Error).message}`);
  }
  const out = new Map<string, string>();
  const r = raw as { format?: string; operations?: { id: string; body: string }[] };
  if (r && r.format === 'apollo-persisted-query-manifest' && Array.isArray(r.operations)) {
    for (const o of r.operations) out.set(o.id, o.body);
  } else if (r && Array.isArray(r.operations)) {
    for (const o of r.operations as unknown as RestOperation[]) out.set(o.hash, o.document);
  } else if (r && typeof r === 'object') {
    for (const [k, v] of Object.entries(r)) if (typeof v === 'string') out.set(k, v);
  }
  if (!out.size) throw new TrustedDocumentsConfigError(`trusted documents: manifest ${file} holds no documents`);
  return out;
}

export interface TrustedDocumentsOptions {
  mode: TrustedMode;
  /** Manifest files; missing default files are tolerated in mode off (e.g. before the first build). */
  files: string[];
  logger: Logger;
  metrics: Metrics;
}

export function trustedDocumentsFromEnv(
  env: Record<string, string | undefined>,
  logger: Logger,
  metrics: Metrics,
): TrustedDocuments {
  const mode = (env.TRUSTED_DOCUMENTS ?? 'off').trim().toLowerCase() as TrustedMode;
  if (!TRUSTED_MODES.includes(mode)) {
    throw new TrustedDocumentsConfigError(
      `TRUSTED_DOCUMENTS must be one of ${TRUSTED_MODES.join(', ')} (got "${env.TRUSTED_DOCUMENTS}")`,
    );
  }
  const extra = (env.TRUSTED_DOCUMENTS_MANIFESTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return new TrustedDocuments({
    mode,
    files: [operationsManifestPath, dashboardManifestPath, ...extra],
    logger,
    metrics,
  });
}

const MAX_REMEMBERED = 2000;

export class TrustedDocuments {
  readonly mode: TrustedMode;
  private readonly documents = new Map<string, string>();
  /** Query text -> its manifest hash (or null): normalizing costs a parse, so each distinct text is done once. */
  private readonly textHashes = new Map<string, string | null>();
  private readonly outcomes;
  private readonly logger: Logger;

  constructor(opts: TrustedDocumentsOptions) {
    this.mode = opts.mode;
    this.logger = opts.logger;
    this.outcomes = opts.metrics.counter('trusted_documents_total', 'GraphQL documents by trusted-documents outcome', [
      'outcome',
    ]);
    for (const [i, file] of opts.files.entries()) {
      if (!fs.existsSync(file)) {
        // The two built-in manifests come from `npm run build`; explicitly configured ones must exist.
        if (i >= 2 || opts.mode === 'enforce')
          throw new TrustedDocumentsConfigError(
            `trusted documents: manifest ${file} not found${i < 2 ? ' (run `npm run build`)' : ''}`,
          );
        opts.logger.warn({ file }, 'trusted documents: manifest not built yet (run `npm run build`)');
        continue;
      }
      for (const [hash, doc] of readManifestFile(file)) this.documents.set(hash, doc);
    }
  }

  get size(): number {
    return this.documents.size;
  }

  get(hash: string): string | undefined {
    return this.documents.get(hash);
  }

  /** The manifest hash of a document text (normalized first), or null when it is not in the manifest. */
  hashOfText(query: string): string | null {
    let h = this.textHashes.get(query);
    if (h !== undefined) return h;
    // The id of the exact text (Apollo's lists hash the text as sent), else of its normalized print (ours, any formatting).
    const exact = documentHash(query);
    if (this.documents.has(exact)) h = exact;
    else {
      try {
        const candidate = documentHash(normalizeDocument(parse(query, { noLocation: true })));
        h = this.documents.has(candidate) ? candidate : null;
      } catch {
        h = null;
      }
    }
    if (this.textHashes.size >= MAX_REMEMBERED) this.textHashes.delete(this.textHashes.keys().next().value!);
    this.textHashes.set(query, h);
    return h;
  }

  private refuse(message: string): Admission {
    this.outcomes.inc({ outcome: 'refused' });
    return {
      ok: false,
      error: new GraphQLError(message, { extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: { status: 400 } } }),
    };
  }

  /**
   * Decides whether a GraphQL request may run. A known hash yields the manifest's document (to run instead of
   * whatever text came with it). Called before the gateway parses anything.
   */
  admit(payload: GraphQLPayload): Admission {
    const pq = (payload.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
    const hash = typeof pq?.sha256Hash === 'string' ? pq.sha256Hash : null;
    if (hash) {
      const doc = this.documents.get(hash);
      if (doc) {
        this.outcomes.inc({ outcome: 'manifest' });
        return { ok: true, query: doc, trusted: true };
      }
      if (this.mode === 'enforce') {
        return this.refuse(
          `trusted documents only: no document with id ${hash.slice(0, 16)}… in the manifest; this gateway runs only the operations built into it (see /api/v1/openapi.json)`,
        );
      }
      return { ok: true, trusted: false }; // automatic persisted queries (open mode)
    }
    if (typeof payload.query !== 'string' || this.mode === 'off') return { ok: true, trusted: false };
    const seenBefore = this.textHashes.has(payload.query);
    if (this.hashOfText(payload.query)) {
      this.outcomes.inc({ outcome: 'manifest' });
      return { ok: true, trusted: true };
    }
    if (this.mode === 'log') {
      this.outcomes.inc({ outcome: 'unlisted' });
      if (!seenBefore)
        this.logger.warn(
          { document: payload.query.slice(0, 500) },
          'trusted documents: a document outside the manifest ran (TRUSTED_DOCUMENTS=log)',
        );
      return { ok: true, trusted: false };
    }
    return this.refuse(
      'trusted documents only: this gateway runs only the operations in its manifest (TRUSTED_DOCUMENTS=enforce); send a persisted document id (extensions.persistedQuery.sha256Hash) or call the REST API (/api/v1/openapi.json)',
    );
  }
}
