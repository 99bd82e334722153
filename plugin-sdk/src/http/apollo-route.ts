// Mounts an Apollo Server on a Fastify route, running each request inside our request scope
// (correlation id + verified claims) so logs, plugin calls and audit rows carry them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { newCorrelationId, runInScope, type AuthClaims, type RequestScope } from '../context.ts';
import type { TokenVerifier } from '../services/auth.ts';

export function correlationIdOf(req: { headers: Record<string, unknown> }): string {
  const h = req.headers['x-correlation-id'];
  return ((Array.isArray(h) ? h[0] : h) as string | undefined) || newCorrelationId();
}

export class AuthError extends Error {}

/** Verifies the bearer token (null when absent); throws AuthError with a user-facing reason when invalid. */
export async function claimsOf(req: { headers: Record<string, unknown> }, verify: TokenVerifier): Promise<AuthClaims | null> {
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

export function mountApollo<TContext extends BaseContext>(
  app: FastifyInstance,
  path: string,
  server: ApolloServer<TContext>,
  opts: { verify: TokenVerifier; context: (scope: RequestScope, req: FastifyRequest) => Promise<TContext> | TContext },
): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const correlationId = correlationIdOf(req);
    reply.header('x-correlation-id', correlationId);
    let auth: AuthClaims | null;
    try {
      auth = await claimsOf(req, opts.verify);
    } catch (err) {
      return reply.code(401).send({ errors: [{ message: (err as Error).message, extensions: { code: 'UNAUTHENTICATED' } }] });
    }
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const scope = { correlationId, auth };
    const res = await runInScope(scope, () =>
      server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: req.method.toUpperCase(),
          headers,
          search: req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '',
          body: req.body,
        },
        context: async () => opts.context(scope, req),
      }),
    );
    for (const [k, v] of res.headers) reply.header(k, v);
    reply.code(res.status ?? 200);
    if (res.body.kind === 'complete') return reply.send(res.body.string);
    const chunks: string[] = [];
    for await (const c of res.body.asyncIterator) chunks.push(c);
    return reply.send(chunks.join(''));
  };
  app.route({ method: ['GET', 'POST'], url: path, handler });
}
