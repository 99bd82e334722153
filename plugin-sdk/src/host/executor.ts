// How a plugin's schema runs in-process operations (the embedded gateway's subgraph fetches, services.call between
// plugins). Queries run as graphql-jit functions compiled once per document: the gateway sends the same few
// documents for every request, and a compiled query completes rows without graphql-js's per-field bookkeeping
// (argument coercion, path and info objects, generic completion). Mutations, documents with more than one operation
// and anything graphql-jit does not compile go through graphql-js. A compiled query whose result has errors is run
// again by graphql-js, so that errors — messages, paths, locations, extensions, classes — are exactly graphql-js's
// (a query only reads: running it twice changes nothing). PLUGIN_EXECUTOR=graphql-js turns the compiled path off.
import { execute, Kind, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

export type ExecutorKind = 'jit' | 'graphql-js';

export interface ExecuteArgs {
  document: DocumentNode;
  variableValues?: Record<string, unknown>;
  contextValue: unknown;
}

export interface Executor {
  (args: ExecuteArgs): Promise<ExecutionResult> | ExecutionResult;
  /** Operations answered by a compiled query, by graphql-js, and compiled ones run again by graphql-js (errors). */
  readonly stats: { compiled: number; graphqlJs: number; rerun: number };
}

/** PLUGIN_EXECUTOR: jit (default) or graphql-js. */
export function executorKindFromEnv(env: Record<string, string | undefined>): ExecutorKind {
  const v = (env.PLUGIN_EXECUTOR ?? '').trim().toLowerCase();
  if (v === '' || v === 'jit') return 'jit';
  if (v === 'graphql-js') return 'graphql-js';
  throw new Error(`PLUGIN_EXECUTOR: must be jit or graphql-js (got "${env.PLUGIN_EXECUTOR}")`);
}

/** The one query operation of a document, if that is all it holds. */
function onlyQuery(document: DocumentNode): boolean {
  let ops = 0;
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    if (d.operation !== 'query') return false;
    ops++;
  }
  return ops === 1;
}

export function createExecutor(schema: GraphQLSchema, kind: ExecutorKind): Executor {
  const stats = { compiled: 0, graphqlJs: 0, rerun: 0 };
  const viaGraphqlJs = ({ document, variableValues, contextValue }: ExecuteArgs) => {
    stats.graphqlJs++;
    return execute({ schema, document, variableValues, contextValue });
  };
  // Documents are cached by the host (parsed once per text), so a WeakMap finds a document's compiled form.
  const compiled = new WeakMap<DocumentNode, CompiledQuery | null>();
  const compiledFor = (document: DocumentNode): CompiledQuery | null => {
    let c = compiled.get(document);
    if (c === undefined) {
      c = null;
      if (kind === 'jit' && onlyQuery(document)) {
        try {
          const r = compileQuery(schema, document);
          if (isCompiledQuery(r)) c = r;
        } catch {
          // not compiled: graphql-js runs it
        }
      }
      compiled.set(document, c);
    }
    return c;
  };
  const run = async (args: ExecuteArgs): Promise<ExecutionResult> => {
    const c = compiledFor(args.document);
    if (!c) return viaGraphqlJs(args);
    const r = await c.query(undefined, args.contextValue, args.variableValues ?? {});
    if (!r.errors?.length) {
      stats.compiled++;
      return r;
    }
    stats.rerun++;
    return viaGraphqlJs(args);
  };
  return Object.assign(run, { stats });
}
