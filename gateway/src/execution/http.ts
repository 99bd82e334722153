// The gateway's fast path for POST /graphql queries: cached document, cached plan, the compiled executor and shaper
// (run-plan.ts, shape.ts), Apollo Server's response rules reproduced (formatError, status codes, cache-control,
// content negotiation), and identical in-flight queries sharing one execution. Everything else — GET, mutations,
// introspection, persisted queries, any request Apollo would answer with an error before execution (syntax,
// validation, variables, depth/cost limits, authentication) — goes to the Apollo route unchanged, which produces
// exactly the answer it always did.
// It wraps the handler of the Apollo route when Fastify registers it (an onRoute hook), so install it before the
// route is mounted. Fastify hooks (rate limits, CORS, trusted documents, drain) run as before; of the Apollo Server
// plugins, the gateway's own two (limits, operation metrics) are reproduced here — a new Apollo plugin that must see
// every query needs the same here. Requests sharing an execution reach the subgraphs under the first one's
// correlation id; each still gets its own in its answer, logs and metrics.
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { getVariableValues, GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { ApolloServer } from '@apollo/server';
import type { ApolloGateway } from '@apollo/gateway';
import type { QueryPlanner } from '@apollo/query-planner';
import type { Schema } from '@apollo/federation-internals';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import {
  claimsOf,
  correlationIdOf,
  runInScope,
  tracingEnabled,
  withSpan,
  type AuthClaims,
  type Logger,
  type TokenVerifier,
} from '@carbon-nexus/plugin-sdk';
import { limitError, type LimitOptions } from '../protection/limits.ts';
import { countWrite, SharedFetches, writeCount } from '../fetch-sharing.ts';
import { OperationCompiler, type CompiledOperation } from './compile.ts';
import { runPlan, type PlanResult, type Services } from './run-plan.ts';

// Apollo Server negotiates the response type with `negotiator`; the same library gives the same choice.
const Negotiator = createRequire(import.meta.url)('negotiator') as new (req: {
  headers: { accept?: string };
}) => { mediaType(available: string[]): string | undefined };
const JSON_TYPE = 'application/json; charset=utf-8';
const MEDIA_TYPES = [
  JSON_TYPE,
  'application/graphql-response+json; charset=utf-8',
  'application/json; callbackSpec=1.0; charset=utf-8',
];

export interface FastPathOptions {
  apollo: ApolloServer<any>;
  gateway: ApolloGateway;
  verify: TokenVerifier;
  limits: LimitOptions;
  logger?: Logger;
  /** Records one operation's duration, as the Apollo route's metrics plugin does. */
  observe?: (operationName: string | null, type: string, seconds: number) => void;
  /** The Apollo route's path (default /graphql). */
  path?: string;
  /** Identical queries in flight at the same time (same caller, text and variables) share one execution (default on). */
  shareOperations?: boolean;
  /** At most this many documents compiled and kept (default 1000). */
  maxDocuments?: number;
  /** Off: every request goes to the Apollo route (writes are still counted for fetch sharing). Default on. */
  enabled?: boolean;
  /** Counts each request by how it was answered. */
  count?: (outcome: 'fast' | 'shared' | 'fallback') => void;
}

export interface FastPathStats {
  /** Requests answered here by their own execution, and requests left to the Apollo route. */
  fast: number;
  fallback: number;
  /** Requests answered here by another identical request's execution. */
  shared: number;
}

/** Apollo Server internals this path mirrors (ApolloServer#internals; @apollo/server 5). */
interface ApolloInternals {
  formatError?: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  includeStacktraceInErrorResponses: boolean;
  stringifyResult: (r: unknown) => string | Promise<string>;
  validationRules: ValidationRule[];
  laterValidationRules?: ValidationRule[];
  dangerouslyDisableValidation: boolean;
  status400ForVariableCoercionErrors: boolean;
  allowBatchedHttpRequests: boolean;
}

/** @apollo/gateway's loaded state (ApolloGateway's fields; @apollo/gateway 2.14). */
interface GatewayState {
  schema?: GraphQLSchema;
  apiSchema?: Schema;
  supergraphSchema?: GraphQLSchema;
  queryPlanner?: QueryPlanner;
  serviceMap?: Record<string, { dataSource: Services[string] }>;
  recursiveSelectionsLimitDisabled?: boolean;
  nonLocalSelectionsLimitDisabled?: boolean;
}

export interface Answer {
  status: number;
  /** Encoded once per execution: every request sharing it writes the same bytes. */
  body: Buffer;
  headers: [string, string][];
}

interface Prepared {
  op: CompiledOperation;
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
  extensions: unknown;
  internals: ApolloInternals;
}

/** Requests this path answered (the onSend hook does not count them as writes). */
const answeredHere = new WeakSet<FastifyRequest>();

type Body = { query?: unknown; variables?: unknown; operationName?: unknown; extensions?: unknown };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);

/** Apollo Server's cache policy (cachePolicy.ts): subgraph cache-control answers restrict it. */
class CachePolicy {
  maxAge: number | undefined = undefined;
  scope: 'PUBLIC' | 'PRIVATE' | undefined = undefined;
  restrict(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }) {
    if (hint.maxAge !== undefined && (this.maxAge === undefined || hint.maxAge < this.maxAge))
      this.maxAge = hint.maxAge;
    if (hint.scope !== undefined && this.scope !== 'PRIVATE') this.scope = hint.scope;
  }
  replace(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }) {
    if (hint.maxAge !== undefined) this.maxAge = hint.maxAge;
    if (hint.scope !== undefined) this.scope = hint.scope;
  }
  policyIfCacheable() {
    if (this.maxAge === undefined || this.maxAge === 0) return null;
    return { maxAge: this.maxAge, scope: this.scope ?? 'PUBLIC' };
  }
}

export class FastPath {
  readonly stats: FastPathStats = { fast: 0, fallback: 0, shared: 0 };
  private compiler: OperationCompiler | null = null;
  private compiledFor: GraphQLSchema | undefined;
  private readonly contentTypes = new Map<string, string | null>();
  private readonly inflight = new SharedFetches<Answer>((a) => a);
  private readonly path: string;
  private services: { from: unknown; map: Services } | null = null;

  constructor(private readonly opts: FastPathOptions) {
    this.path = opts.path ?? '/graphql';
  }

  private get internals(): ApolloInternals | null {
    const i = (this.opts.apollo as unknown as { internals?: ApolloInternals }).internals;
    // Only the configuration this path reproduces; anything else is left to Apollo.
    if (!i || typeof i.stringifyResult !== 'function' || i.laterValidationRules || i.dangerouslyDisableValidation)
      return null;
    return i;
  }

  private get state(): GatewayState {
    return this.opts.gateway as unknown as GatewayState;
  }

  /** The compiler for the gateway's current schema (a new one whenever the gateway loads another supergraph). */
  private compilerNow(internals: ApolloInternals): OperationCompiler | null {
    const s = this.state;
    if (!s.schema || !s.apiSchema || !s.queryPlanner || !s.supergraphSchema) return null;
    if (this.compiler && this.compiledFor === s.schema) return this.compiler;
    this.compiledFor = s.schema;
    this.compiler = new OperationCompiler(
      {
        apiSchema: s.schema,
        plannerApiSchema: s.apiSchema,
        planner: s.queryPlanner,
        planOptions: {
          recursiveSelectionsLimitDisabled: !!s.recursiveSelectionsLimitDisabled,
          nonLocalSelectionsLimitDisabled: !!s.nonLocalSelectionsLimitDisabled,
        },
        validationRules: internals.validationRules,
      },
      this.opts.maxDocuments,
    );
    return this.compiler;
  }

  private outcome(o: 'fast' | 'shared' | 'fallback'): void {
    this.stats[o]++;
    this.opts.count?.(o);
  }

  private contentType(accept: string | undefined): string | null {
    if (!accept) return JSON_TYPE;
    let t = this.contentTypes.get(accept);
    if (t === undefined) {
      t = new Negotiator({ headers: { accept } }).mediaType(MEDIA_TYPES) ?? null;
      if (this.contentTypes.size < 100) this.contentTypes.set(accept, t);
    }
    return t;
  }

  /**
   * Wraps the Apollo route's handler (Fastify onRoute hook). And counts writes: any request other than a read
   * (GET/HEAD/OPTIONS) that this path did not answer — a mutation, an ingestion upload, a REST call — may change
   * data, so a query arriving after its answer never joins an execution that started before it (a caller reads
   * its own writes).
   */
  install(app: FastifyInstance): void {
    app.addHook('onSend', async (req, _reply, payload) => {
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS' && !answeredHere.has(req))
        countWrite();
      return payload;
    });
    if (this.opts.enabled === false) return;
    app.addHook('onRoute', (route: RouteOptions) => {
      if (route.url !== this.path) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (!methods.includes('POST')) return;
      const original = route.handler;
      const fast = this;
      route.handler = function (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
        const handled =
          req.method === 'POST' ? fast.tryHandle(req, reply, () => original.call(this, req, reply)) : null;
        if (handled) return handled;
        fast.outcome('fallback');
        return original.call(this, req, reply);
      } as RouteOptions['handler'];
    });
  }

  /** Null when Apollo's route must answer; else the promise of the answer sent here. */
  private tryHandle(req: FastifyRequest, reply: FastifyReply, apollo: () => unknown): Promise<unknown> | null {
    const body = req.body as Body;
    const contentType = this.contentType(req.headers.accept);
    if (!contentType) return null;
    const ready = this.prepare(body);
    if (!ready) return null;
    const run = async () => {
      const started = performance.now();
      const correlationId = correlationIdOf(req);
      const answer = await this.answer(req, ready, correlationId);
      if (!answer) {
        this.outcome('fallback');
        return apollo(); // the route answers 401 with its reason
      }
      reply.header('x-correlation-id', correlationId);
      reply.header('content-type', contentType);
      for (const [k, v] of answer.headers) reply.header(k, v);
      reply.code(answer.status);
      this.opts.logger?.debug(
        { operation: ready.operationName, status: answer.status, ms: Math.round(performance.now() - started) },
        'graphql request',
      );
      return reply.send(answer.body);
    };
    if (!tracingEnabled()) return run();
    return withSpan('gateway graphql', run, {
      kind: 'server',
      remoteParent: req.headers,
      attributes: {
        'carbon_nexus.component': 'gateway',
        'http.request.method': req.method,
        'url.path': req.url.split('?')[0],
        ...(ready.operationName ? { 'graphql.operation.name': ready.operationName } : {}),
      },
    });
  }

  /**
   * A query run in-process for another route of this gateway (REST): the checks, sharing, metrics and JSON body of a
   * POST /graphql this path answers, for the caller of `req` (its token, correlation id), without a second HTTP
   * pass. Null when the Apollo route must answer it (the caller then sends it there): path off, a document this
   * path does not take, variables or limits Apollo must report, a token that does not verify.
   */
  async run(
    req: FastifyRequest,
    request: { query: string; operationName: string; variables: Record<string, unknown> },
    correlationId: string,
  ) {
    if (this.opts.enabled === false) return null;
    const ready = this.prepare(request);
    if (!ready) return null;
    const answer = await this.answer(req, ready, correlationId);
    if (!answer) this.outcome('fallback');
    return answer;
  }

  /** The compiled operation for a request body, or null when Apollo's route must answer it. */
  private prepare(body: Body): Prepared | null {
    if (!isRecord(body) || typeof body.query !== 'string' || !body.query) return null;
    const { variables, operationName, extensions } = body;
    if (variables !== undefined && variables !== null && !isRecord(variables)) return null;
    if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
    if (extensions !== undefined && extensions !== null && (!isRecord(extensions) || 'persistedQuery' in extensions))
      return null;
    const internals = this.internals;
    if (!internals) return null;
    const compiler = this.compilerNow(internals);
    if (!compiler) return null;
    const op = compiler.lookup(body.query, operationName ?? undefined);
    if (!op) return null;
    const vars = (variables ?? undefined) as Record<string, unknown> | undefined;
    // The checks Apollo makes before executing: variables coerce (the gateway's validateIncomingRequest), then the
    // depth/cost limits. Either failing is Apollo's to report.
    if (getVariableValues(this.compiledFor!, op.definition.variableDefinitions ?? [], vars ?? {}).errors) return null;
    if (limitError(this.opts.limits, this.compiledFor!, op.document, vars, op.name, true)) return null;
    return {
      op,
      query: body.query,
      variables: vars,
      operationName: (operationName ?? undefined) as string | undefined,
      extensions,
      internals,
    };
  }

  /** The answer for a prepared query, or null when the caller's token does not verify (Apollo's route says why). */
  private async answer(req: FastifyRequest, p: Prepared, correlationId: string): Promise<Answer | null> {
    const started = performance.now();
    let auth: AuthClaims | null = null;
    if (req.headers.authorization !== undefined) {
      try {
        auth = await claimsOf(req, this.opts.verify);
      } catch {
        return null;
      }
    }
    answeredHere.add(req);
    const scope = { correlationId, auth };
    const execute = () =>
      runInScope(scope, () =>
        this.execute(p.op, p.query, p.variables, p.operationName, p.extensions, scope, p.internals),
      );
    let answer: Answer;
    let leader = true;
    if (this.opts.shareOperations === false) answer = await execute();
    else {
      // Same caller (the exact credentials), text, operation and variables: one execution for all of them.
      // The write count joins the key: a query never shares an execution that began before a write was answered.
      const key = `${writeCount()}\n${req.headers.authorization ?? ''}\n${p.operationName ?? ''}\n${p.query}\n${p.variables ? JSON.stringify(p.variables) : ''}`;
      leader = false;
      answer = await this.inflight.run(key, () => ((leader = true), execute()));
    }
    this.outcome(leader ? 'fast' : 'shared');
    this.opts.observe?.(p.op.name, 'query', (performance.now() - started) / 1000);
    return answer;
  }

  private async execute(
    op: CompiledOperation,
    query: string,
    variables: Record<string, unknown> | undefined,
    operationName: string | undefined,
    extensions: unknown,
    scope: { correlationId: string; auth: AuthClaims | null },
    internals: ApolloInternals,
  ): Promise<Answer> {
    const s = this.state;
    const cached = this.services;
    let services = cached && cached.from === s.serviceMap ? cached.map : null;
    if (!services) {
      services = Object.create(null) as Services;
      for (const [name, { dataSource }] of Object.entries(s.serviceMap ?? {})) services[name] = dataSource;
      this.services = { from: s.serviceMap, map: services };
    }
    const overallCachePolicy = new CachePolicy();
    const requestContext = {
      request: { query, variables, operationName, extensions: isRecord(extensions) ? extensions : undefined },
      context: { auth: scope.auth, correlationId: scope.correlationId },
      operationName: op.name,
      overallCachePolicy,
      metrics: {},
      logger: this.opts.logger,
      cache: undefined,
    };
    let result: PlanResult;
    try {
      result = await runPlan(op.plan, op.operation, op.shaper, {
        requestContext,
        services,
        supergraphSchema: s.supergraphSchema!,
      });
    } catch (err) {
      // Apollo Server: an executor that throws is one error, status from the error or 500.
      const { formatted, status, headers } = normalizeAndFormatErrors([err], internals);
      return {
        status: status ?? 500,
        body: Buffer.from(await internals.stringifyResult({ errors: formatted })),
        headers: [...headers, ['cache-control', 'no-store']],
      };
    }
    const formatted = result.errors ? normalizeAndFormatErrors(result.errors, internals) : null;
    let status = formatted?.status;
    if (internals.status400ForVariableCoercionErrors && result.errors?.length && result.data === undefined && !status)
      status = 400;
    const body = await internals.stringifyResult({
      errors: formatted?.formatted,
      data: result.data,
      extensions: result.extensions,
    });
    // Apollo's cache-control plugin: a public/private max-age when every subgraph answer allowed one and no error.
    const policy = overallCachePolicy.policyIfCacheable();
    const cacheControl = policy && !formatted ? `max-age=${policy.maxAge}, ${policy.scope.toLowerCase()}` : 'no-store';
    return {
      status: status ?? 200,
      body: Buffer.from(body),
      headers: [...(formatted?.headers ?? []), ['cache-control', cacheControl]],
    };
  }
}

/** Apollo Server's normalizeAndFormatErrors (errorNormalize.ts): the same JSON, status and headers for the same errors. */
function normalizeAndFormatErrors(errors: readonly unknown[], internals: ApolloInternals) {
  let status: number | undefined;
  const headers: [string, string][] = [];
  const enrich = (maybeError: unknown): GraphQLFormattedError => {
    const error =
      maybeError instanceof Error ? maybeError : new GraphQLError('Unexpected error value: ' + String(maybeError));
    const graphqlError =
      error instanceof GraphQLError ? error : new GraphQLError(error.message, { originalError: error });
    const extensions: Record<string, unknown> = {
      ...graphqlError.extensions,
      code: graphqlError.extensions.code ?? 'INTERNAL_SERVER_ERROR',
    };
    const http = extensions.http as { status?: unknown; headers?: unknown } | undefined;
    if (
      http &&
      typeof http === 'object' &&
      (!('status' in http) || typeof http.status === 'number') &&
      (!('headers' in http) || http.headers instanceof Map)
    ) {
      if (typeof http.status === 'number' && http.status) status = http.status;
      if (http.headers instanceof Map) for (const [k, v] of http.headers) headers.push([k, v]);
      delete extensions.http;
    }
    if (internals.includeStacktraceInErrorResponses) extensions.stacktrace = graphqlError.stack?.split('\n');
    return { ...graphqlError.toJSON(), extensions };
  };
  const formatted = errors.map((error) => {
    try {
      return internals.formatError ? internals.formatError(enrich(error), error) : enrich(error);
    } catch (formattingError) {
      if (internals.includeStacktraceInErrorResponses) return enrich(formattingError);
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  });
  return { formatted, status, headers };
}

/**
 * GATEWAY_FAST_PATH: on (default), unshared (no sharing of identical in-flight queries, to measure that lever) or
 * off (every request through Apollo Server, e.g. to compare).
 */
export function fastPathFromEnv(env: Record<string, string | undefined>): {
  enabled: boolean;
  shareOperations: boolean;
} {
  const v = (env.GATEWAY_FAST_PATH ?? '').trim().toLowerCase();
  if (v === '' || v === 'on') return { enabled: true, shareOperations: true };
  if (v === 'unshared') return { enabled: true, shareOperations: false };
  if (v === 'off') return { enabled: false, shareOperations: false };
  throw new Error(`GATEWAY_FAST_PATH: must be on, unshared or off (got "${env.GATEWAY_FAST_PATH}")`);
}

/** Installs the fast path in front of the Apollo route at `opts.path` (call before the route is mounted). */
export function installFastPath(app: FastifyInstance, opts: FastPathOptions): FastPath {
  const fast = new FastPath(opts);
  fast.install(app);
  return fast;
}
