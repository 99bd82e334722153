// The trusted-documents gate in front of POST and GET /graphql: refuses what TRUSTED_DOCUMENTS refuses before the
// gateway parses it, and turns a manifest id into the manifest's document (the persisted-documents protocol).
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TrustedDocuments } from './trusted-documents.ts';

export function installGraphQLGate(app: FastifyInstance, trusted: TrustedDocuments): void {
  app.addHook('preHandler', async (req, reply) => {
    if (req.routeOptions.url !== '/graphql') return;
    const isGet = req.method === 'GET';
    const q = req.query as Record<string, string | undefined>;
    const payloads: Record<string, unknown>[] = isGet
      ? [{ query: q.query, extensions: q.extensions ? safeJson(q.extensions) : undefined }]
      : Array.isArray(req.body)
        ? (req.body as Record<string, unknown>[])
        : [(req.body ?? {}) as Record<string, unknown>];
    for (const payload of payloads) {
      if (!payload || typeof payload !== 'object') continue;
      const a = trusted.admit(payload);
      if (!a.ok) {
        return reply
          .code(400)
          .send({ errors: [{ message: a.error.message, extensions: { code: a.error.extensions.code } }] });
      }
      // An unknown id sent with a text that does not hash to it (a client that hashes a normalized print, built
      // against another manifest): run the text as it is rather than fail an APQ registration (open and log modes).
      if (!a.query && !isGet && typeof payload.query === 'string' && (payload.extensions as any)?.persistedQuery) {
        const id = (payload.extensions as any).persistedQuery.sha256Hash;
        if (typeof id === 'string' && crypto.createHash('sha256').update(payload.query).digest('hex') !== id) {
          const { persistedQuery: _drop, ...rest } = payload.extensions as Record<string, unknown>;
          payload.extensions = rest;
        }
      }
      // A manifest hash without its text: the manifest's document runs (Apollo checks it hashes to the id).
      if (a.query && payload.query !== a.query) {
        if (isGet) {
          const url = new URL(req.raw.url ?? '/graphql', 'http://x');
          url.searchParams.set('query', a.query);
          req.raw.url = url.pathname + url.search;
        } else payload.query = a.query;
      }
    }
  });
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
