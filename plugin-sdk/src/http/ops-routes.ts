import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../services/metrics.ts';

/** /healthz (process alive), /readyz (dependencies answer), /metrics (Prometheus). */
export function registerOpsRoutes(
  app: FastifyInstance,
  opts: { metrics: Metrics; ready: () => Promise<{ ok: boolean; checks: Record<string, boolean> }>; info?: Record<string, unknown> },
): void {
  app.get('/healthz', async () => ({ status: 'ok', ...opts.info }));
  app.get('/readyz', async (_req, reply) => {
    const r = await opts.ready();
    return reply.code(r.ok ? 200 : 503).send({ status: r.ok ? 'ready' : 'not ready', checks: r.checks });
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', opts.metrics.registry.contentType);
    return opts.metrics.registry.metrics();
  });
}
