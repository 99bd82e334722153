// How the gateway reaches each subgraph: in-process (embedded, no HTTP, no JSON round trip)
// or over HTTP with the caller's token and correlation id forwarded.
// Both share identical in-flight query fetches across concurrent requests and send each distinct entity
// representation once per fetch (see fetch-sharing.ts): fewer subgraph executions, identical answers.
import { GraphQLError } from 'graphql';
import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { parseCacheControlHeader } from '@apollo/gateway/dist/datasources/parseCacheControlHeader.js';
import { Agent, type Dispatcher } from 'undici';
import { injectTraceHeaders, type RunningPlugin } from '@carbon-nexus/plugin-sdk';
import type { GatewayContext } from './context.ts';
import { cloneResult, dedupeRepresentations, isQueryOperation, SharedFetches, writeCount } from './fetch-sharing.ts';

type Result = {
  data?: Record<string, unknown> | null;
  errors?: readonly unknown[];
  extensions?: Record<string, unknown>;
};

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
      this.plugin.execute(query, variables, {
        auth: ctx.auth ?? null,
        correlationId: ctx.correlationId,
      }) as Promise<Result>;
    const result = isQueryOperation(query)
      ? await this.shared.run(`${writeCount()}\n${callerKey(ctx)}\n${query}\n${JSON.stringify(variables ?? null)}`, run)
      : await run();
    return (reps ? reps.expand(result) : result) as any;
  }
}

// One keep-alive connection pool per process for every remote subgraph (undici: far less per-request overhead
// than node-fetch/make-fetch-happen); pipelining stays off so one slow answer never holds up another.
let agent: Agent | null = null;
const dispatcher = (): Dispatcher => (agent ??= new Agent({ keepAliveTimeout: 30_000, connections: 128 }));

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const headerOf = (raw: RawResponse, name: string): string | null => {
  const v = raw.headers[name.toLowerCase()];
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
};

/** A response as RemoteGraphQLDataSource reads it (status, headers, json/text), over a body read once. */
function fetcherResponse(url: string, raw: RawResponse) {
  return {
    url,
    status: raw.status,
    statusText: STATUS[raw.status] ?? '',
    ok: raw.status >= 200 && raw.status < 300,
    redirected: false,
    bodyUsed: false,
    headers: { get: (name: string) => headerOf(raw, name) },
    // Parsed per caller: every caller of a shared fetch gets its own objects.
    json: async () => JSON.parse(raw.body),
    text: async () => raw.body,
  };
}

const shared = new SharedFetches<RawResponse>((r) => r);

/**
 * POST over the keep-alive pool. Identical in-flight query fetches (same URL, caller token and body) share one
 * upstream call; the body starts with the serialised `query`, so it tells whether the operation is a query.
 */
async function poolRequest(
  url: string,
  method: string,
  headers: Record<string, string> | undefined,
  body: string,
): Promise<RawResponse> {
  const target = new URL(url);
  const send = async (): Promise<RawResponse> => {
    const r = await dispatcher().request({
      origin: target.origin,
      path: target.pathname + target.search,
      method: method as 'POST',
      headers,
      body,
    });
    return { status: r.statusCode, headers: r.headers as RawResponse['headers'], body: await r.body.text() };
  };
  const isQuery = /^\{"query":"\s*(?:query\b|\{)/.test(body);
  return isQuery ? shared.run(`${writeCount()}\n${url}\n${headers?.authorization ?? ''}\n${body}`, send) : send();
}

/** RemoteGraphQLDataSource's fetcher, for what still goes through its own process() (see ForwardingDataSource). */
async function poolFetch(url: string, init: { method?: string; headers?: Record<string, string>; body?: string }) {
  return fetcherResponse(url, await poolRequest(url, init.method ?? 'POST', init.headers, init.body ?? ''));
}

/** Request headers with the Headers methods our willSendRequest and trace propagation use, without node-fetch. */
class PlainHeaders {
  readonly map = new Map<string, string>();
  set(name: string, value: string) {
    this.map.set(name.toLowerCase(), value);
  }
  append(name: string, value: string) {
    const k = name.toLowerCase();
    const v = this.map.get(k);
    this.map.set(k, v === undefined ? value : `${v}, ${value}`);
  }
  get(name: string) {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string) {
    return this.map.has(name.toLowerCase());
  }
  delete(name: string) {
    this.map.delete(name.toLowerCase());
  }
  [Symbol.iterator]() {
    return this.map.entries();
  }
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
    const opts = reps
      ? ({ ...options, request: { ...options.request, variables: reps.variables } } as typeof options)
      : options;
    const result = (
      this.apq || this.didReceiveResponse || this.fetcher !== (poolFetch as any)
        ? await super.process(opts)
        : await this.forward(opts)
    ) as Result;
    return (reps ? reps.expand(result) : result) as any;
  }

  /**
   * What RemoteGraphQLDataSource.process does (headers, willSendRequest, the JSON body, non-2xx and non-JSON answers
   * as the same errors, the subgraph's cache-control restricting the operation's cache policy), without building
   * node-fetch Headers and Request objects for every fetch.
   */
  private async forward(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<Result> {
    const { request } = options;
    const headers = new PlainHeaders();
    if (request.http?.headers) for (const [name, value] of request.http.headers) headers.append(name, value);
    headers.set('Content-Type', 'application/json');
    request.http = { method: 'POST', url: this.url, headers: headers as any };
    await this.willSendRequest(options);
    if (!request.query) throw new Error('Missing query');
    const { http, ...rest } = request;
    const raw = await poolRequest(http.url, http.method, Object.fromEntries(headers.map), JSON.stringify(rest));
    const parse = () => {
      const type = headerOf(raw, 'content-type');
      return type && (type.startsWith('application/json') || type.startsWith('application/graphql-response+json'))
        ? JSON.parse(raw.body)
        : raw.body;
    };
    if (raw.status < 200 || raw.status >= 300) {
      const extensions: Record<string, unknown> = {
        response: { url: http.url, status: raw.status, statusText: STATUS[raw.status] ?? '', body: parse() },
      };
      if (raw.status === 401) extensions.code = 'UNAUTHENTICATED';
      else if (raw.status === 403) extensions.code = 'FORBIDDEN';
      throw new GraphQLError(`${raw.status}: ${STATUS[raw.status] ?? ''}`, { extensions });
    }
    const body = parse();
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new Error(`Expected JSON response body, but received: ${body}`);
    const policy =
      this.honorSubgraphCacheControlHeader &&
      options.kind === 'incoming operation' &&
      (options as any).incomingRequestContext?.overallCachePolicy;
    if (policy && 'restrict' in policy) {
      const cc = parseCacheControlHeader(headerOf(raw, 'cache-control'));
      const hint: { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } = { maxAge: 0 };
      const maxAge = cc['max-age'];
      if (typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge)) hint.maxAge = +maxAge;
      if (cc['private'] === true) hint.scope = 'PRIVATE';
      if (cc['public'] === true) hint.scope = 'PUBLIC';
      policy.restrict(hint);
    }
    return body as Result;
  }
}

const STATUS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
