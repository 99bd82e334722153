// How the gateway reaches each subgraph: in-process (embedded, no HTTP, no JSON round trip)
// or over HTTP with the caller's token and correlation id forwarded.
// Both share identical in-flight query fetches across concurrent requests and send each distinct entity
// representation once per fetch (see fetch-sharing.ts): fewer subgraph executions, identical answers.
import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { Agent, type Dispatcher } from 'undici';
import { injectTraceHeaders, type RunningPlugin } from '@carbon-nexus/plugin-sdk';
import type { GatewayContext } from './context.ts';
import { cloneResult, dedupeRepresentations, isQueryOperation, SharedFetches } from './fetch-sharing.ts';

type Result = { data?: Record<string, unknown> | null; errors?: readonly unknown[]; extensions?: Record<string, unknown> };

/** Who is asking, as far as subgraph resolvers can tell (answers differ by subject, roles and supplier scope). */
function callerKey(ctx: Partial<GatewayContext>): string {
  const a = ctx.auth;
  return a ? JSON.stringify([a.sub, a.roles, a.supplierIds]) : '-';
}

export class InProcessDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly shared = new SharedFetches<Result>(cloneResult);
  constructor(private readonly plugin: RunningPlugin) {}

  async process({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const ctx = context as Partial<GatewayContext>;
    const query = request.query!;
    const reps = dedupeRepresentations(request.variables);
    const variables = (reps?.variables ?? request.variables) as Record<string, unknown> | undefined;
    const run = () =>
      this.plugin.execute(query, variables, { auth: ctx.auth ?? null, correlationId: ctx.correlationId }) as Promise<Result>;
    const result = isQueryOperation(query)
      ? await this.shared.run(`${callerKey(ctx)}\n${query}\n${JSON.stringify(variables ?? null)}`, run)
      : await run();
    return (reps ? reps.expand(result) : result) as any;
  }
}

// One keep-alive connection pool per process for every remote subgraph (undici: far less per-request overhead
// than node-fetch/make-fetch-happen); pipelining stays off so one slow answer never holds up another.
let agent: Agent | null = null;
const dispatcher = (): Dispatcher => (agent ??= new Agent({ keepAliveTimeout: 30_000, connections: 128 }));

/** A response as RemoteGraphQLDataSource reads it (status, headers, json/text), over a body read once. */
function fetcherResponse(url: string, raw: RawResponse) {
  const headers = {
    get: (name: string) => {
      const v = raw.headers[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
  };
  return {
    url,
    status: raw.status,
    statusText: STATUS[raw.status] ?? '',
    ok: raw.status >= 200 && raw.status < 300,
    redirected: false,
    bodyUsed: false,
    headers,
    // Parsed per caller: every caller of a shared fetch gets its own objects.
    json: async () => JSON.parse(raw.body),
    text: async () => raw.body,
  };
}

interface RawResponse { status: number; headers: Record<string, string | string[] | undefined>; body: string }

const shared = new SharedFetches<RawResponse>((r) => r);

/**
 * RemoteGraphQLDataSource's fetcher: POST over the keep-alive pool. Identical in-flight query fetches (same URL,
 * caller token and body) share one upstream call; RemoteGraphQLDataSource serialises `query` first, so the body
 * tells whether the operation is a query.
 */
async function poolFetch(url: string, init: { method?: string; headers?: Record<string, string>; body?: string }) {
  const body = init.body ?? '';
  const target = new URL(url);
  const send = async (): Promise<RawResponse> => {
    const r = await dispatcher().request({ origin: target.origin, path: target.pathname + target.search, method: (init.method ?? 'POST') as 'POST', headers: init.headers, body });
    return { status: r.statusCode, headers: r.headers as RawResponse['headers'], body: await r.body.text() };
  };
  const isQuery = /^\{"query":"\s*(?:query\b|\{)/.test(body);
  const raw = isQuery ? await shared.run(`${url}\n${init.headers?.authorization ?? ''}\n${body}`, send) : await send();
  return fetcherResponse(url, raw);
}

export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(config?: Partial<RemoteGraphQLDataSource<GatewayContext>>) {
    super({ fetcher: poolFetch as any, ...config });
  }

  override willSendRequest({ request, context }: any) {
    const ctx = context as Partial<GatewayContext>;
    if (ctx.auth?.token) request.http?.headers.set('authorization', `Bearer ${ctx.auth.token}`);
    if (ctx.correlationId) request.http?.headers.set('x-correlation-id', ctx.correlationId);
    // W3C traceparent of the gateway's fetch span, so the subgraph's spans join the same trace.
    if (request.http) injectTraceHeaders(request.http.headers);
  }

  /** Each distinct entity representation is sent once; the answer is expanded back to the original positions. */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const reps = dedupeRepresentations(options.request.variables);
    if (!reps) return super.process(options);
    const request = { ...options.request, variables: reps.variables };
    return reps.expand((await super.process({ ...options, request } as typeof options)) as Result) as any;
  }
}

const STATUS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 413: 'Payload Too Large', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
