// The REST contract, read from the checked-in named operations (operations/*.graphql): each operation carries its
// route in the comment block above it (`# GET /api/v1/hotspots`), then its description, then optional
// `# @example {json}` request examples. Used at build time by the codegen plugin (codegen-plugin.ts), which fails the
// build loudly on a bad annotation, and whose output the gateway and partner-client read.
import crypto from 'node:crypto';
import fs from 'node:fs';
import {
  Kind,
  parse,
  TokenKind,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { printExecutableGraphQLDocument } from '@graphql-tools/documents';

export type OperationKind = 'query' | 'mutation' | 'subscription';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RestOperation {
  /** The GraphQL operation name, e.g. Hotspots. */
  name: string;
  kind: OperationKind;
  method: HttpMethod;
  /** Path with {param} placeholders, e.g. /api/v1/recommendations/{id}/approve. */
  path: string;
  /** Variables taken from the path (the rest come from the query string, or the JSON body for POST). */
  pathParams: string[];
  /** First description line. */
  summary: string;
  description: string;
  /** Request example (variables), from `# @example {json}`. */
  example: Record<string, unknown> | null;
  /** Response key of the single root field (the REST body is its value); null when there are several. */
  root: string | null;
  /** sha256 of the normalized document: its id in the trusted-documents manifest. */
  hash: string;
  /** The normalized document (operation + the fragments it uses), as stored in the manifest. */
  document: string;
  /** Where it is defined (repo-relative). */
  file: string;
}

export const REST_PREFIX = '/api/v1/';
const ROUTE = /^(GET|POST|PUT|PATCH|DELETE)\s+(\/\S*)$/;
const EXAMPLE = /^@example\s+(.+)$/;

/** The manifest id of an executable document: sha256 of its normalized print (the client preset's algorithm). */
export function documentHash(normalized: string): string {
  return crypto.createHash('sha256').update(normalized).digest('hex');
}

/** Normalized print of a document: sorted, single-spaced; what the manifest stores and hashes. */
export function normalizeDocument(doc: DocumentNode): string {
  return printExecutableGraphQLDocument(doc);
}

function fragmentsUsed(
  op: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const walk = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
    visit(node, {
      FragmentSpread(s) {
        const f = fragments.get(s.name.value);
        if (f && !used.has(f.name.value)) {
          used.set(f.name.value, f);
          walk(f);
        }
      },
    });
  walk(op);
  return [...used.values()];
}

/** The comment lines directly above a definition (graphql-js keeps comments in the token chain). */
function leadingComments(op: OperationDefinitionNode): string[] {
  const lines: string[] = [];
  for (let t = op.loc?.startToken.prev; t && t.kind === TokenKind.COMMENT; t = t.prev) lines.unshift(t.value.trim());
  return lines;
}

export class OperationAnnotationError extends Error {}

/** Reads every operation of the given .graphql sources with its route; throws naming the file and operation. */
export function readRestOperations(sources: { file: string; body?: string }[]): RestOperation[] {
  const parsed = sources.map((s) => ({ file: s.file, doc: parse(s.body ?? fs.readFileSync(s.file, 'utf8')) }));
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const { doc } of parsed)
    for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const out: RestOperation[] = [];
  const seen = new Map<string, string>();
  for (const { file, doc } of parsed) {
    for (const op of doc.definitions) {
      if (op.kind !== Kind.OPERATION_DEFINITION) continue;
      const where = `${file}: operation ${op.name?.value ?? '(anonymous)'}`;
      const fail = (why: string): never => {
        throw new OperationAnnotationError(`${where}: ${why}`);
      };
      if (!op.name) fail('every operation needs a name (it becomes the operationId and the client helper)');
      const name = op.name!.value;
      if (/(Query|Mutation|Subscription)$/.test(name))
        fail(
          `drop the "${/(Query|Mutation|Subscription)$/.exec(name)![1]}" suffix from the name (generated types add it)`,
        );
      const comments = leadingComments(op);
      const routeIndex = comments.findIndex((l) => ROUTE.test(l));
      if (routeIndex < 0)
        fail(
          'no route: put "# GET /api/v1/..." (queries, subscriptions) or "# POST /api/v1/..." (mutations) on the line above it',
        );
      const [, method, path] = ROUTE.exec(comments[routeIndex])! as unknown as [string, HttpMethod, string];
      if (!path.startsWith(REST_PREFIX)) fail(`path ${path} must start with ${REST_PREFIX}`);
      if (op.operation !== 'mutation' && method !== 'GET') fail(`a ${op.operation} is served with GET, not ${method}`);
      if (op.operation === 'mutation' && method === 'GET')
        fail('a mutation needs POST, PUT, PATCH or DELETE (GET must not change state)');
      const variables = new Set((op.variableDefinitions ?? []).map((v) => v.variable.name.value));
      const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const p of pathParams)
        if (!variables.has(p)) fail(`path parameter {${p}} is not a variable of the operation`);
      const key = `${method} ${path.replace(/\{[^}]+\}/g, '{}')}`;
      if (seen.has(key)) fail(`${method} ${path} is already served by ${seen.get(key)}`);
      seen.set(key, name);
      if (out.some((o) => o.name === name)) fail('the name is used twice');
      let example: Record<string, unknown> | null = null;
      const text: string[] = [];
      for (const [i, line] of comments.entries()) {
        if (i === routeIndex) continue;
        const m = EXAMPLE.exec(line);
        if (!m) {
          text.push(line);
          continue;
        }
        try {
          example = JSON.parse(m[1]);
        } catch (err) {
          fail(`@example is not valid JSON: ${(err as Error).message}`);
        }
        for (const k of Object.keys(example ?? {}))
          if (!variables.has(k)) fail(`@example names "${k}", which is not a variable`);
      }
      const description = text
        .join('\n')
        .replace(/([^\n])\n(?=[^\n])/g, '$1 ')
        .trim();
      const summary = description.split(/(?<=[.:])\s/)[0]?.replace(/[.:]$/, '') ?? name;
      const selections = op.selectionSet.selections;
      const root =
        selections.length === 1 && selections[0].kind === Kind.FIELD
          ? (selections[0].alias ?? selections[0].name).value
          : null;
      const document = normalizeDocument({ kind: Kind.DOCUMENT, definitions: [op, ...fragmentsUsed(op, fragments)] });
      out.push({
        name,
        kind: op.operation,
        method,
        path,
        pathParams,
        summary,
        description,
        example,
        root,
        hash: documentHash(document),
        document,
        file,
      });
    }
  }
  return out;
}
