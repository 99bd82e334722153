// HTTP-level protection: CORS from config and per-token rate limits on /graphql and ingestion routes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { TokenVerifier } from '@carbon-nexus/plugin-sdk';

export interface HttpProtection {
  /** Allowed browser origins; empty = same origin only. `*` allows any. */
  corsOrigins: string[];
  /** Requests per minute per token (or per IP when anonymous); 0 disables. */
  rateLimitPerMinute: number;
}

export function httpProtectionFromEnv(env: Record<string, string | undefined>): HttpProtection {
  return {
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    rateLimitPerMinute: Number(env.RATE_LIMIT_PER_MINUTE ?? 1200),
  };
}

/** Rate-limit key: the verified token's subject; anonymous or unverifiable callers by client address. */
function keyFor(verify: TokenVerifier) {
  return async (req: FastifyRequest): Promise<string> => {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      try {
        return `sub:${(await verify(auth.slice(7))).sub}`;
      } catch {
        /* an invalid token is rejected by the route; count it against the address */
      }
    }
    return `ip:${req.ip}`;
  };
}

export async function registerHttpProtection(
  app: FastifyInstance,
  opts: HttpProtection,
  verify: TokenVerifier,
): Promise<void> {
  if (opts.corsOrigins.length) {
    await app.register(cors, {
      origin: opts.corsOrigins.includes('*') ? true : opts.corsOrigins,
      credentials: true,
      allowedHeaders: ['content-type', 'authorization', 'x-correlation-id', 'apollo-require-preflight'],
    });
  }
  if (opts.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      global: true,
      max: opts.rateLimitPerMinute,
      timeWindow: '1 minute',
      keyGenerator: keyFor(verify),
      // Only the API is limited; health probes, metrics and static assets are not.
      allowList: (req) => !/^\/(graphql|ingest|stream|auth|api\/)/.test(req.url),
      errorResponseBuilder: (_req, ctx) => ({
        statusCode: 429,
        errors: [
          {
            message: `rate limit exceeded: ${ctx.max} requests per minute; retry in ${Math.ceil(ctx.ttl / 1000)} s`,
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds: Math.ceil(ctx.ttl / 1000) },
          },
        ],
      }),
    });
  }
}
