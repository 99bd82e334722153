// Query planning for operations the gateway executes itself (subscriptions, and queries/mutations
// arriving over graphql-ws or SSE), and per-event execution of a subscription plan's "rest".
//
// @apollo/gateway refuses to execute a plan whose root is a SubscriptionNode, but it plans it fine:
// `primary` is the fetch to the subgraph owning the subscription field, `rest` the entity fetches
// for fields owned elsewhere. We subscribe with `primary` ourselves and, per batch of events, run
// `rest` through the exported `executeQueryPlan`, feeding the events in as the result of a
// synthetic fetch.
import {
  Kind,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type FragmentDefinitionNode,
  print,
} from 'graphql';
import { Supergraph, operationFromDocument, type Schema } from '@apollo/federation-internals';
import {
  QueryPlanner,
  type FetchNode,
  type PlanNode,
  type QueryPlan,
  type SubscriptionNode,
} from '@apollo/query-planner';
import { buildOperationContext, executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { AuthClaims } from '@carbon-nexus/plugin-sdk';

export interface PlannedOperation {
  /** Normalised text (printed document) + operation name: the plan cache key. */
  key: string;
  document: DocumentNode;
  operationName?: string;
  kind: 'query' | 'mutation' | 'subscription';
  plan: QueryPlan;
  operationContext: ReturnType<typeof buildOperationContext>;
  /** For subscriptions: the primary fetch (to the owning subgraph) and the rest of the plan. */
  primary?: FetchNode;
  rest?: PlanNode;
  /** Response name of the (single) root subscription field. */
  rootKey?: string;
  /** Root-field arguments the client set, by name (used to decide whether a source may be shared). */
  rootArgs?: string[];
  /** The same operation with its selection reduced to __typename: post-processing target for batch runs. */
  batchContext?: ReturnType<typeof buildOperationContext>;
}

export interface ExecutionScope {
  auth: AuthClaims | null;
  correlationId: string;
}

const EVENT_SERVICE = '__subscription_event__';

export class Planner {
  readonly apiSchema: Schema;
  readonly apiGraphQLSchema: GraphQLSchema;
  readonly supergraphGraphQLSchema: GraphQLSchema;
  private readonly planner: QueryPlanner;
  private readonly cache = new Map<string, PlannedOperation>();

  constructor(
    supergraphSdl: string,
    private readonly maxCached = 500,
  ) {
    const supergraph = Supergraph.build(supergraphSdl);
    this.apiSchema = supergraph.apiSchema();
    this.apiGraphQLSchema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphGraphQLSchema = supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(supergraph);
  }

  /** Plans a validated document (cached by its printed text and operation name). */
  plan(document: DocumentNode, operationName?: string | null): PlannedOperation {
    const key = `${operationName ?? ''}\u0000${print(document)}`;
    const hit = this.cache.get(key);
    if (hit) {
      // LRU: re-insert so it is the newest.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const operationContext = buildOperationContext({
      schema: this.apiGraphQLSchema,
      operationDocument: document,
      operationName: operationName ?? undefined,
    });
    const operation = operationFromDocument(this.apiSchema, document, { operationName: operationName ?? undefined });
    const plan = this.planner.buildQueryPlan(operation);
    const kind = operationContext.operation.operation as PlannedOperation['kind'];
    const planned: PlannedOperation = {
      key,
      document,
      operationName: operationName ?? undefined,
      kind,
      plan,
      operationContext,
    };
    if (kind === 'subscription') {
      const node = plan.node as SubscriptionNode | undefined;
      if (!node || node.kind !== 'Subscription')
        throw new Error('the query planner returned no subscription node for a subscription');
      planned.primary = node.primary;
      planned.rest = node.rest;
      const root = operationContext.operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
      if (root && root.kind === Kind.FIELD) {
        planned.rootKey = root.alias?.value ?? root.name.value;
        planned.rootArgs = (root.arguments ?? []).map((a) => a.name.value);
      }
      planned.batchContext = typenameOnly(operationContext);
    }
    if (this.cache.size >= this.maxCached) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, planned);
    return planned;
  }

  /** Runs a query or mutation plan (operations arriving over graphql-ws or SSE). */
  async execute(
    op: PlannedOperation,
    variables: Record<string, unknown> | undefined,
    scope: ExecutionScope,
    services: ServiceMap,
  ): Promise<ExecutionResult> {
    return (await executeQueryPlan(
      op.plan,
      services,
      requestContext(op, variables, scope),
      op.operationContext,
      this.supergraphGraphQLSchema,
      this.apiSchema,
    )) as ExecutionResult;
  }

  /**
   * Completes a batch of primary-fetch results (subscription events) with the rest of the plan.
   * All events of the batch go through ONE run of the rest, so each entity fetch is one `_entities`
   * call for the whole batch; each event is then shaped to the client's selection.
   */
  async completeEvents(
    op: PlannedOperation,
    events: ExecutionResult[],
    variables: Record<string, unknown> | undefined,
    scope: ExecutionScope,
    services: ServiceMap,
  ): Promise<ExecutionResult[]> {
    const rootKey = op.rootKey!;
    const out: ExecutionResult[] = new Array(events.length);
    // Events whose primary result carries data go through the plan; the others pass through as they are.
    const idx: number[] = [];
    const items: unknown[] = [];
    events.forEach((e, i) => {
      const d = e.data as Record<string, unknown> | null | undefined;
      if (d && d[rootKey] != null) {
        idx.push(i);
        items.push(d[rootKey]);
      } else out[i] = { errors: e.errors ?? [], data: (e.data ?? null) as any };
    });
    const batchErrors: GraphQLError[][] = items.map(() => []);
    if (items.length && op.rest) {
      const node: PlanNode = { kind: 'Sequence', nodes: [syntheticFetch(op), listify(op.rest, rootKey)] };
      const res = await executeQueryPlan(
        { kind: 'QueryPlan', node },
        withEvent(services, { [rootKey]: items }),
        requestContext(op, variables, scope),
        op.batchContext!,
        this.supergraphGraphQLSchema,
        this.apiSchema,
      );
      // Entity fetch errors carry paths like [rootKey, <event index>, ...]: route them to their event.
      for (const err of (res.errors ?? []) as GraphQLError[]) {
        const p = err.path;
        if (p && p[0] === rootKey && typeof p[1] === 'number' && batchErrors[p[1]]) {
          batchErrors[p[1]].push(withPath(err, [rootKey, ...p.slice(2)]));
        } else for (const list of batchErrors) list.push(err);
      }
    }
    // Shape each completed event to the client's selection (aliases, __typename, nullability).
    await Promise.all(
      items.map(async (item, j) => {
        const i = idx[j];
        const source = events[i];
        const res = await executeQueryPlan(
          { kind: 'QueryPlan', node: syntheticFetch(op) },
          withEvent(services, { ...(source.data as object), [rootKey]: item }),
          requestContext(op, variables, scope),
          op.operationContext,
          this.supergraphGraphQLSchema,
          this.apiSchema,
        );
        const errors = [...(source.errors ?? []), ...batchErrors[j], ...((res.errors ?? []) as GraphQLError[])];
        out[i] = errors.length ? { data: res.data as any, errors } : { data: res.data as any };
      }),
    );
    return out;
  }
}

function requestContext(
  op: PlannedOperation,
  variables: Record<string, unknown> | undefined,
  scope: ExecutionScope,
): any {
  return {
    request: { query: op.key, variables: variables ?? {}, operationName: op.operationName },
    context: { auth: scope.auth, correlationId: scope.correlationId },
    logger: console,
    metrics: {},
    cache: undefined,
  };
}

/** A fetch to a pseudo-service that returns the event data: the stand-in for the primary fetch. */
function syntheticFetch(op: PlannedOperation): FetchNode {
  return {
    kind: 'Fetch',
    serviceName: EVENT_SERVICE,
    variableUsages: [],
    operation: '{ __typename }',
    operationKind: 'query' as any,
    operationName: undefined,
    id: undefined,
  } as unknown as FetchNode;
}

function withEvent(services: ServiceMap, data: Record<string, unknown>): ServiceMap {
  const event: GraphQLDataSource = { process: async () => ({ data }) as any };
  return { ...services, [EVENT_SERVICE]: event };
}

/** Rewrites the rest of a plan so it runs over a list of events: [root, ...] -> [root, '@', ...]. */
function listify(node: PlanNode, rootKey: string): PlanNode {
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return { ...node, nodes: node.nodes.map((n) => listify(n, rootKey)) } as PlanNode;
    case 'Flatten':
      if (node.path[0] !== rootKey) throw new Error(`unexpected plan path ${node.path.join('.')} under ${rootKey}`);
      return { ...node, path: [rootKey, '@', ...node.path.slice(1)] };
    case 'Condition':
      return {
        ...node,
        ifClause: node.ifClause && listify(node.ifClause, rootKey),
        elseClause: node.elseClause && listify(node.elseClause, rootKey),
      };
    case 'Fetch':
      // A fetch at the root of `rest` (no requires) would be a second root fetch; the planner never
      // emits one under a subscription, because a subscription has a single root field.
      throw new Error('unexpected root fetch in the rest of a subscription plan');
    default:
      throw new Error(`unsupported plan node ${(node as PlanNode).kind} in a subscription`);
  }
}

/** Same operation (variables kept for @include/@skip conditions) but selecting only __typename. */
function typenameOnly(ctx: ReturnType<typeof buildOperationContext>): ReturnType<typeof buildOperationContext> {
  const operation: OperationDefinitionNode = {
    ...ctx.operation,
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }],
    },
  };
  return { schema: ctx.schema, operation, fragments: Object.create(null) as Record<string, FragmentDefinitionNode> };
}

function withPath(err: GraphQLError, path: (string | number)[]): GraphQLError {
  const e = Object.create(Object.getPrototypeOf(err)) as GraphQLError;
  Object.assign(e, err);
  Object.defineProperty(e, 'path', { value: path, enumerable: true });
  return e;
}
