// The federated subscription engine: plans operations with the gateway's query planner, shares one
// upstream per identical subscription, completes events through the plan, fans out to clients.
import { GraphQLError, parse, validate, specifiedRules, type DocumentNode, type ExecutionResult } from 'graphql';
import type { ApolloGateway, GraphQLDataSource, ServiceMap } from '@apollo/gateway';
import { newCorrelationId, type AuthClaims, type Host, type Logger, type Metrics } from '@carbon-nexus/plugin-sdk';
import { InProcessDataSource, ForwardingDataSource } from '../data-sources.ts';
import { Planner, type ExecutionScope, type PlannedOperation } from './plan.ts';
import { SharedSource, Subscriber } from './fanout.ts';
import { UpstreamConnector } from './upstream.ts';

export interface EngineOptions {
  supergraphSdl: string;
  gateway?: ApolloGateway;
  host: Host | null;
  subgraphUrls: Record<string, string>;
  logger: Logger;
  metrics: Metrics;
  /** Per-client buffer (events); oldest dropped beyond it. Default 1000. */
  bufferSize?: number;
  /** Max events completed in one batch. Default 256. */
  maxBatch?: number;
  /** Coalescing window for events completed together (ms). Default 5. */
  coalesceMs?: number;
  /** Root-field arguments that make a subscription per-client (replay cursors). Default ['after']. */
  unsharedArgs?: string[];
}

export interface Prepared {
  op: PlannedOperation;
}

/** The auth scope: what subgraph resolvers filter on (roles and supplier scope). */
export function scopeKeyOf(auth: AuthClaims | null): string {
  if (!auth) return 'anonymous';
  return JSON.stringify({ r: [...auth.roles].sort(), s: auth.supplierIds ? [...auth.supplierIds].sort() : null });
}

function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(',')}}`;
}

export class SubscriptionEngine {
  readonly planner: Planner;
  private readonly sources = new Map<string, SharedSource>();
  private readonly upstreams: UpstreamConnector;
  private readonly bufferSize: number;
  private readonly maxBatch: number;
  private readonly unsharedArgs: Set<string>;
  private ownServices: ServiceMap | null = null;
  private closed = false;
  private readonly m;

  constructor(private readonly opts: EngineOptions) {
    this.planner = new Planner(opts.supergraphSdl);
    this.upstreams = new UpstreamConnector(opts.host, opts.subgraphUrls, opts.logger);
    this.bufferSize = opts.bufferSize ?? 1000;
    this.maxBatch = opts.maxBatch ?? 256;
    this.unsharedArgs = new Set(opts.unsharedArgs ?? ['after']);
    const { metrics } = opts;
    this.m = {
      clients: metrics.gauge('subscription_clients', 'Active client subscriptions (graphql-ws + SSE)'),
      upstreams: metrics.gauge('subscription_upstreams', 'Active upstream subscriptions to subgraphs (shared)'),
      events: metrics.counter('subscription_events_total', 'Events received from subgraph subscriptions', ['subgraph']),
      dropped: metrics.counter('subscription_events_dropped_total', 'Events dropped for slow consumers'),
      batchSize: metrics.histogram(
        'subscription_batch_events',
        'Events completed per batch',
        [],
        [1, 2, 5, 10, 20, 50, 100, 256],
      ),
      completeSeconds: metrics.histogram(
        'subscription_complete_seconds',
        'Time to complete a batch of events through the plan',
        ['subgraph'],
      ),
    };
  }

  get apiSchema() {
    return this.planner.apiGraphQLSchema;
  }

  /** Active shared upstreams and client subscriptions. */
  stats(): { upstreams: number; clients: number; batches: number; events: number } {
    let clients = 0;
    let batches = 0;
    let events = 0;
    for (const s of this.sources.values()) {
      clients += s.subscribers.size;
      batches += s.batches;
      events += s.events;
    }
    return { upstreams: this.sources.size, clients, batches, events };
  }

  /** Parses and validates a request (SSE path; graphql-ws validates itself). */
  parseAndValidate(query: string): DocumentNode | readonly GraphQLError[] {
    let doc: DocumentNode;
    try {
      doc = parse(query);
    } catch (err) {
      return [err as GraphQLError];
    }
    const errors = validate(this.apiSchema, doc, specifiedRules);
    return errors.length ? errors : doc;
  }

  plan(document: DocumentNode, operationName?: string | null): PlannedOperation | readonly GraphQLError[] {
    try {
      return this.planner.plan(document, operationName);
    } catch (err) {
      return [err instanceof GraphQLError ? err : new GraphQLError((err as Error).message)];
    }
  }

  private services(): ServiceMap {
    // The gateway's own data sources (same metrics, same forwarding) once it has loaded.
    const gw = (
      this.opts.gateway as unknown as { serviceMap?: Record<string, { dataSource: GraphQLDataSource }> } | undefined
    )?.serviceMap;
    if (gw && Object.keys(gw).length) {
      const out: ServiceMap = Object.create(null);
      for (const [name, { dataSource }] of Object.entries(gw)) out[name] = dataSource;
      return out;
    }
    if (!this.ownServices) {
      const out: ServiceMap = Object.create(null);
      for (const name of this.subgraphNames()) {
        const local = this.opts.host?.plugins.get(name);
        out[name] = local
          ? new InProcessDataSource(local)
          : new ForwardingDataSource({ url: this.opts.subgraphUrls[name] });
      }
      this.ownServices = out;
    }
    return this.ownServices;
  }

  private subgraphNames(): string[] {
    const names = new Set<string>([...Object.keys(this.opts.subgraphUrls), ...(this.opts.host?.order ?? [])]);
    return [...names];
  }

  /** Queries and mutations that arrive over graphql-ws or SSE run through the same plan executor. */
  async execute(
    op: PlannedOperation,
    variables: Record<string, unknown> | undefined,
    scope: ExecutionScope,
  ): Promise<ExecutionResult> {
    return this.planner.execute(op, variables, scope, this.services());
  }

  /** A client subscription: joins (or opens) the shared upstream for this document + variables + auth scope. */
  subscribe(
    op: PlannedOperation,
    variables: Record<string, unknown> | undefined,
    scope: ExecutionScope,
  ): AsyncIterableIterator<ExecutionResult> | ExecutionResult {
    if (this.closed) return { errors: [new GraphQLError('the gateway is shutting down')] };
    const primary = op.primary!;
    const serviceName = primary.serviceName;
    if (!this.upstreams.kindOf(serviceName)) {
      return {
        errors: [new GraphQLError(`subgraph "${serviceName}" is not reachable for subscriptions from this gateway`)],
      };
    }
    const vars = variables ?? {};
    const scopeKey = scopeKeyOf(scope.auth);
    // Replay cursors (e.g. alertRaised(after:)) make a stream per-client: a late joiner must get its own replay.
    const perClient = (op.rootArgs ?? []).some((a) => this.unsharedArgs.has(a)) && this.usesUnsharedValue(op, vars);
    const key = perClient
      ? `${op.key}\u0000${newCorrelationId()}`
      : `${op.key}\u0000${stableJson(vars)}\u0000${scopeKey}`;
    let source = this.sources.get(key);
    if (!source) {
      const upstreamVars: Record<string, unknown> = {};
      for (const name of primary.variableUsages ?? []) if (vars[name] !== undefined) upstreamVars[name] = vars[name];
      // The upstream runs with the claims of the client that opened it; identical scopes share it.
      const upstreamScope: ExecutionScope = {
        auth: scope.auth,
        correlationId: scope.correlationId ?? newCorrelationId(),
      };
      const created: SharedSource = new SharedSource(key, {
        subgraph: serviceName,
        maxBatch: this.maxBatch,
        coalesceMs: this.opts.coalesceMs ?? 5,
        open: () =>
          this.upstreams.open({
            serviceName,
            query: primary.operation,
            operationName: primary.operationName,
            variables: upstreamVars,
            scope: upstreamScope,
            scopeKey,
          }),
        complete: async (events) => {
          this.m.events.inc({ subgraph: serviceName }, events.length);
          this.m.batchSize.observe(events.length);
          const end = this.m.completeSeconds.startTimer({ subgraph: serviceName });
          try {
            return await this.planner.completeEvents(op, events, vars, upstreamScope, this.services());
          } finally {
            end();
          }
        },
        onClosed: () => {
          if (this.sources.get(key) === created) this.sources.delete(key);
          this.m.upstreams.set(this.sources.size);
        },
        onError: (err) => this.opts.logger.warn({ err, subgraph: serviceName }, 'subscription upstream failed'),
      });
      source = created;
      this.sources.set(key, source);
      this.m.upstreams.set(this.sources.size);
    }
    const src = source;
    const sub = new Subscriber(
      this.bufferSize,
      (s) => {
        src.remove(s);
        this.m.clients.dec();
      },
      (n) => this.m.dropped.inc(n),
    );
    this.m.clients.inc();
    src.add(sub);
    return sub;
  }

  /** True when one of the unshared root arguments is actually given a non-null value. */
  private usesUnsharedValue(op: PlannedOperation, vars: Record<string, unknown>): boolean {
    const root = op.operationContext.operation.selectionSet.selections[0];
    if (!root || root.kind !== 'Field') return false;
    for (const arg of root.arguments ?? []) {
      if (!this.unsharedArgs.has(arg.name.value)) continue;
      if (arg.value.kind === 'Variable') {
        if (vars[arg.value.name.value] != null) return true;
      } else if (arg.value.kind !== 'NullValue') return true;
    }
    return false;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.sources.values()].map((s) => s.close()));
    this.sources.clear();
    await this.upstreams.close();
  }
}
