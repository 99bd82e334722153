// Depth and cost limits, checked on the composed API schema before any subgraph is called.
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { ApolloServerPlugin } from '@apollo/server';

export interface LimitOptions {
  /** Maximum selection depth (fields nested in fields). */
  maxDepth: number;
  /** Maximum estimated cost: every field costs 1, multiplied by `first`/`last`/`limit` list sizes. */
  maxCost: number;
}

export function limitsFromEnv(env: Record<string, string | undefined>): LimitOptions {
  return { maxDepth: Number(env.GRAPHQL_MAX_DEPTH ?? 12), maxCost: Number(env.GRAPHQL_MAX_COST ?? 50_000) };
}

export function queryDepth(doc: DocumentNode, operationName?: string | null): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
    if (!set) return 0;
    let max = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value.startsWith('__')) continue; // introspection meta-fields are not data depth
        max = Math.max(max, 1 + depthOf(sel.selectionSet, seen));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, depthOf(sel.selectionSet, seen));
      } else if (sel.kind === Kind.FRAGMENT_SPREAD && !seen.has(sel.name.value)) {
        const f = fragments.get(sel.name.value);
        if (f) max = Math.max(max, depthOf(f.selectionSet, new Set([...seen, sel.name.value])));
      }
    }
    return max;
  };
  let max = 0;
  for (const d of doc.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName && d.name?.value !== operationName) continue;
    max = Math.max(max, depthOf(d.selectionSet, new Set()));
  }
  return max;
}

/** Cost of a field: 1, times the page size it asks for (first/last/limit), so lists inside lists multiply. */
const listArgEstimator = (opts: { args: Record<string, unknown>; childComplexity: number }): number | void => {
  const size = [opts.args.first, opts.args.last, opts.args.limit].find((v) => typeof v === 'number') as number | undefined;
  if (size !== undefined) return 1 + size * opts.childComplexity;
};

export function queryCost(schema: GraphQLSchema, doc: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string | null): number {
  return getComplexity({
    schema,
    query: doc,
    variables,
    operationName: operationName ?? undefined,
    estimators: [listArgEstimator as any, simpleEstimator({ defaultComplexity: 1 })],
  });
}

export function limitsPlugin(opts: LimitOptions): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          const depth = queryDepth(rc.document, rc.operationName);
          if (depth > opts.maxDepth) {
            throw new GraphQLError(`query depth ${depth} exceeds the limit of ${opts.maxDepth}; split the query or ask for fewer nested levels`, {
              extensions: { code: 'QUERY_TOO_DEEP', depth, maxDepth: opts.maxDepth, http: { status: 400 } },
            });
          }
          let cost: number;
          try {
            cost = queryCost(rc.schema, rc.document, rc.request.variables, rc.operationName);
          } catch (err) {
            // The estimator coerces the variables first: invalid ones are the client's error (400), not a 500.
            throw new GraphQLError((err as Error).message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
          }
          if (cost > opts.maxCost) {
            throw new GraphQLError(`query cost ${cost} exceeds the limit of ${opts.maxCost}; request smaller pages (first/last) or fewer fields`, {
              extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost: opts.maxCost, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
