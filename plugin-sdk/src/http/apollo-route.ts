// Mounts an Apollo Server on a Fastify route, running each request inside our request scope
// (correlation id + verified claims) so logs, plugin calls and audit rows carry them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { newCorrelationId, runInScope, type AuthClaims, type RequestScope } from '../context.ts';
import type { TokenVerifier } from '../services/auth.ts';
import type { Logger } from '../services/logger.ts';
import { currentTraceIds, setSpanAttributes, traceIdOfTraceparent, withSpan } from '../services/tracing.ts';

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A client-chosen correlation id, kept only when it is short and plain (so it cannot bloat or garble log lines). */
export function acceptCorrelationId(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && CORRELATION_ID.test(v) ? v : undefined;
}

/**
 * The request's correlation id: `x-correlation-id`, else the trace id of a W3C `traceparent`, else the trace id
 * of the current span (tracing on), else a new one. So logs and traces share one id whenever they can.
 */
export function correlationIdOf(req: { headers: Record<string, unknown> }): string {
  return (
    acceptCorrelationId(req.headers['x-correlation-id']) ||
    traceIdOfTraceparent(req.headers.traceparent) ||
    currentTraceIds()?.traceId ||
    newCorrelationId()
  );
}

export class AuthError extends Error {}

/** Verifies the bearer token (null when absent); throws AuthError with a user-facing reason when invalid. */
export async function claimsOf(
  req: { headers: Record<string, unknown> },
  verify: TokenVerifier,
): Promise<AuthClaims | null> {
  const h = req.headers.authorization;
  const value = Array.isArray(h) ? h[0] : (h as string | undefined);
  if (!value) return null;
  const m = /^Bearer\s+(.+)$/i.exec(value);
  if (!m) throw new AuthError('Authorization header must be "Bearer <token>"');
  return verifyBearer(m[1], verify);
}

export async function verifyBearer(token: string, verify: TokenVerifier): Promise<AuthClaims> {
  try {
    return await verify(token);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new AuthError(code === 'ERR_JWT_EXPIRED' ? 'token expired' : `invalid token: ${(err as Error).message}`);
  }
}

export interface ApolloRouteOptions<TContext extends BaseContext> {
  verify: TokenVerifier;
  context: (scope: RequestScope, req: FastifyRequest) => Promise<TContext> | TContext;
  /** Who serves this route ("gateway" or the plugin id): names the request span and the debug request log. */
  name?: string;
  /** Logs one debug line per request (operation, status, duration) in the request's correlation id. */
  logger?: Logger;
}

/** What Apollo answered one HTTP GraphQL request, with the body complete. */
export interface ApolloAnswer {
  status: number;
  headers: [string, string][];
  body: string;
}

/**
 * One GraphQL request through Apollo Server in our request scope: the bearer token verified (401 with its reason
 * when it does not), the correlation id, the context. `request` is what Apollo reads (method, headers, query string,
 * parsed body); `req` is the Fastify request the context is built from — the same one for a route, the outer
 * request when another route of the same process runs a GraphQL operation for its caller (REST).
 */
export async function executeApolloRequest<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  req: FastifyRequest,
  request: { method: string; headers: Record<string, unknown>; search: string; body: unknown; correlationId: string },
  opts: ApolloRouteOptions<TContext>,
): Promise<ApolloAnswer> {
  const started = performance.now();
  const { correlationId } = request;
  let auth: AuthClaims | null;
  try {
    auth = await claimsOf(request, opts.verify);
  } catch (err) {
    return {
      status: 401,
      headers: [['content-type', 'application/json; charset=utf-8']],
      body: JSON.stringify({
        errors: [{ message: (err as Error).message, extensions: { code: 'UNAUTHENTICATED' } }],
      }),
    };
  }
  const headers = new HeaderMap();
  for (const [k, v] of Object.entries(request.headers))
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : String(v));
  const scope = { correlationId, auth };
  const operation = (request.body as { operationName?: unknown } | undefined)?.operationName;
  if (typeof operation === 'string') setSpanAttributes({ 'graphql.operation.name': operation });
  return runInScope(scope, async () => {
    const r = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method.toUpperCase(), headers, search: request.search, body: request.body },
      context: async () => opts.context(scope, req),
    });
    let body: string;
    if (r.body.kind === 'complete') body = r.body.string;
    else {
      const chunks: string[] = [];
      for await (const c of r.body.asyncIterator) chunks.push(c);
      body = chunks.join('');
    }
    opts.logger?.debug(
      {
        operation: typeof operation === 'string' ? operation : undefined,
        status: r.status ?? 200,
        ms: Math.round(performance.now() - started),
      },
      'graphql request',
    );
    return { status: r.status ?? 200, headers: [...r.headers], body };
  });
}

export function mountApollo<TContext extends BaseContext>(
  app: FastifyInstance,
  path: string,
  server: ApolloServer<TContext>,
  opts: ApolloRouteOptions<TContext>,
): void {
  const name = opts.name ?? 'graphql';
  // One SERVER span per request, continuing the caller's `traceparent` (a no-op when tracing is off).
  const handler = (req: FastifyRequest, reply: FastifyReply) =>
    withSpan(`${name} graphql`, () => handle(req, reply), {
      kind: 'server',
      remoteParent: req.headers,
      attributes: {
        'carbon_nexus.component': name,
        'http.request.method': req.method,
        'url.path': req.url.split('?')[0],
      },
    });
  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const correlationId = correlationIdOf(req);
    reply.header('x-correlation-id', correlationId);
    const search = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const res = await executeApolloRequest(
      server,
      req,
      { method: req.method, headers: req.headers, search, body: req.body, correlationId },
      opts,
    );
    for (const [k, v] of res.headers) reply.header(k, v);
    return reply.code(res.status).send(res.body);
  };
  app.route({ method: ['GET', 'POST'], url: path, handler });
}
