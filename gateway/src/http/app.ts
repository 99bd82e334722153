// The gateway's HTTP surface around /graphql: the Fastify app with its body limit, the explorer, development
// sign-in and the dashboard.
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { DEV_JWT_SECRET, ROLES, signDevToken } from '@carbon-nexus/plugin-sdk';
import { gatewayDir } from '../compose.ts';

/**
 * Default request body limit: the documented maximum requests must fit — a 5,000-event ingestEvents batch with
 * every field set and a 10,000-row predictBatch are each a few MB (see docs/security.md).
 */
export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

export const webDistDir = path.resolve(gatewayDir, '../web/dist');

export function bodyLimitFromEnv(env: Record<string, string | undefined>): number {
  const raw = env.GRAPHQL_BODY_LIMIT;
  if (raw === undefined || raw === '') return DEFAULT_BODY_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1024)
    throw new Error(`GRAPHQL_BODY_LIMIT: must be a number of bytes >= 1024 (got "${raw}")`);
  return n;
}

/** The Fastify app: a body over the limit is answered with what the limit is; browsers get the explorer at /graphql. */
export function createHttpApp(env: Record<string, string | undefined>): FastifyInstance {
  const bodyLimit = bodyLimitFromEnv(env);
  const app = Fastify({ logger: false, bodyLimit });
  // Fastify's own answer says only "too large". Rewritten on the way out, so every other error keeps its own
  // handling (rate limits, REST problem+json).
  app.addHook('onSend', async (_req, reply, payload) => {
    if (reply.statusCode !== 413 || typeof payload !== 'string' || !payload.includes('FST_ERR_CTP_BODY_TOO_LARGE'))
      return payload;
    const mib = Math.round((bodyLimit / 1024 / 1024) * 10) / 10;
    reply.header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify({
      errors: [
        {
          message: `request body is larger than ${bodyLimit} bytes (${mib} MiB, GRAPHQL_BODY_LIMIT)`,
          extensions: { code: 'PAYLOAD_TOO_LARGE', limitBytes: bodyLimit },
        },
      ],
    });
  });
  const explorerHtml = path.join(webDistDir, 'explorer.html');
  // GraphiQL, bundled locally (no CDN), for browsers asking for HTML at /graphql.
  app.addHook('onRequest', async (req, reply) => {
    if (
      req.method === 'GET' &&
      req.url.split('?')[0] === '/graphql' &&
      String(req.headers.accept ?? '').includes('text/html')
    ) {
      if (fs.existsSync(explorerHtml)) return reply.type('text/html').send(fs.createReadStream(explorerHtml));
      return reply.type('text/html').send('<p>The explorer is not built: run <code>npm run build</code>.</p>');
    }
  });
  return app;
}

/** POST /auth/dev-token: development sign-in, only while the well-known dev secret is in use. */
export function registerDevSignIn(app: FastifyInstance, env: Record<string, string | undefined>): void {
  const devAuth = (env.JWT_SECRET ?? DEV_JWT_SECRET) === DEV_JWT_SECRET && !env.JWT_JWKS_URL;
  app.post('/auth/dev-token', async (req, reply) => {
    if (!devAuth)
      return reply.code(404).send({ error: 'dev sign-in is disabled when JWT_SECRET or JWT_JWKS_URL is set' });
    const body = (req.body ?? {}) as { role?: string; sub?: string; supplierIds?: string[] };
    const role = body.role ?? 'viewer';
    if (!(ROLES as readonly string[]).includes(role))
      return reply.code(400).send({ error: `role must be one of ${ROLES.join(', ')}` });
    return {
      token: await signDevToken({
        sub: body.sub ?? `dev-${role}`,
        roles: [role],
        supplierIds: body.supplierIds ?? null,
      }),
      role,
    };
  });
}

/** The dashboard (web/dist) at /, when built; client-side routes fall back to it. */
export async function serveDashboard(app: FastifyInstance): Promise<void> {
  if (!fs.existsSync(path.join(webDistDir, 'index.html'))) return;
  await app.register(fastifyStatic, { root: webDistDir, prefix: '/', index: ['index.html'], wildcard: false });
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && String(req.headers.accept ?? '').includes('text/html'))
      return reply.sendFile('index.html');
    return reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` });
  });
}
