import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../services/metrics.ts';

/** /healthz (process alive), /readyz (dependencies answer), /metrics (Prometheus). */
export function registerOpsRoutes(
  app: FastifyInstance,
  opts: {
    metrics: Metrics;
    /** `degraded` names parts that are down while the service still answers (ok stays true). */
    ready: () => Promise<{ ok: boolean; checks: Record<string, boolean>; degraded?: string[] }>;
    info?: Record<string, unknown>;
  },
): void {
  app.get('/healthz', async () => ({ status: 'ok', ...opts.info }));
  app.get('/readyz', async (_req, reply) => {
    const r = await opts.ready();
    const status = !r.ok ? 'not ready' : r.degraded?.length ? 'degraded' : 'ready';
    return reply
      .code(r.ok ? 200 : 503)
      .send({ status, checks: r.checks, ...(r.degraded?.length ? { degraded: r.degraded } : {}) });
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', opts.metrics.registry.contentType);
    return opts.metrics.registry.metrics();
  });
}
