// Depth and cost limits, checked on the composed API schema before any subgraph is called.
// Both are analysed once per parsed document: the depth per operation, the cost per operation and per value of the
// few variables that can change it (those of first/last/limit arguments and @skip/@include conditions).
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
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
  const size = [opts.args.first, opts.args.last, opts.args.limit].find((v) => typeof v === 'number') as
    | number
    | undefined;
  if (size !== undefined) return 1 + size * opts.childComplexity;
};

export function queryCost(
  schema: GraphQLSchema,
  doc: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName?: string | null,
): number {
  return getComplexity({
    schema,
    query: doc,
    variables,
    operationName: operationName ?? undefined,
    estimators: [listArgEstimator as any, simpleEstimator({ defaultComplexity: 1 })],
  });
}

/** Arguments whose value sizes a list (listArgEstimator): their variables, with @skip/@include's, decide the cost. */
const SIZE_ARGUMENTS = new Set(['first', 'last', 'limit']);
const MAX_COSTS_PER_OPERATION = 256;

interface DocumentAnalysis {
  schema: GraphQLSchema;
  depth: Map<string, number>;
  /** Variables that can change the cost (a superset: any operation's, any fragment's). */
  costVariables: string[];
  /** Per operation name and values of costVariables: the cost, or the estimator's error message. */
  costs: Map<string, { cost: number } | { error: string }>;
}
const analyses = new WeakMap<DocumentNode, DocumentAnalysis>();

function analysis(schema: GraphQLSchema, doc: DocumentNode): DocumentAnalysis {
  let a = analyses.get(doc);
  if (a && a.schema === schema) return a;
  const vars = new Set<string>();
  const collect = (node: import('graphql').ASTNode) =>
    visit(node, {
      Variable(v) {
        vars.add(v.name.value);
      },
    });
  visit(doc, {
    Argument(arg) {
      if (SIZE_ARGUMENTS.has(arg.name.value)) collect(arg.value);
    },
    Directive(d) {
      if (d.name.value === 'skip' || d.name.value === 'include')
        for (const arg of d.arguments ?? []) collect(arg.value);
    },
  });
  a = { schema, depth: new Map(), costVariables: [...vars], costs: new Map() };
  analyses.set(doc, a);
  return a;
}

const UNSET = '\u0000unset';

/**
 * The depth or cost error for this request, or null when it is within the limits. Depth is computed once per
 * (document, operation); cost once per (document, operation, values of the variables that can change it), and only
 * for variables that coerce: invalid ones always go to the estimator, whose coercion error is the client's (400).
 * `variablesValid` skips the coercion check when the caller has just done it.
 */
export function limitError(
  opts: LimitOptions,
  schema: GraphQLSchema,
  doc: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  variablesValid = false,
): GraphQLError | null {
  const a = analysis(schema, doc);
  const opKey = operationName ?? '';
  let depth = a.depth.get(opKey);
  if (depth === undefined) a.depth.set(opKey, (depth = queryDepth(doc, operationName)));
  if (depth > opts.maxDepth) {
    return new GraphQLError(
      `query depth ${depth} exceeds the limit of ${opts.maxDepth}; split the query or ask for fewer nested levels`,
      {
        extensions: { code: 'QUERY_TOO_DEEP', depth, maxDepth: opts.maxDepth, http: { status: 400 } },
      },
    );
  }
  let cached: { cost: number } | { error: string } | undefined;
  let key: string | null = null;
  const valid = variablesValid || variablesCoerce(schema, doc, variables, operationName);
  if (valid) {
    key = `${opKey}\u0000${JSON.stringify(a.costVariables.map((v) => (variables && variables[v] !== undefined ? variables[v] : UNSET)))}`;
    cached = a.costs.get(key);
  }
  if (!cached) {
    try {
      cached = { cost: queryCost(schema, doc, variables, operationName) };
    } catch (err) {
      cached = { error: (err as Error).message };
    }
    if (key !== null) {
      if (a.costs.size >= MAX_COSTS_PER_OPERATION) a.costs.clear();
      a.costs.set(key, cached);
    }
  }
  // The estimator coerces the variables first: invalid ones are the client's error (400), not a 500.
  if ('error' in cached)
    return new GraphQLError(cached.error, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
  const cost = cached.cost;
  if (cost > opts.maxCost) {
    return new GraphQLError(
      `query cost ${cost} exceeds the limit of ${opts.maxCost}; request smaller pages (first/last) or fewer fields`,
      {
        extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost: opts.maxCost, http: { status: 400 } },
      },
    );
  }
  return null;
}

function variablesCoerce(
  schema: GraphQLSchema,
  doc: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
): boolean {
  const op = getOperationAST(doc, operationName);
  if (!op) return false;
  return !getVariableValues(schema, op.variableDefinitions ?? [], variables ?? {}).errors;
}

export function limitsPlugin(opts: LimitOptions): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          const err = limitError(opts, rc.schema, rc.document, rc.request.variables, rc.operationName);
          if (err) throw err;
        },
      };
    },
  };
}
