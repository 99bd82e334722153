import { z } from 'zod';
import { definePlugin, env, loadTypeDefs } from '@carbon-nexus/plugin-sdk';
import { resolvers } from './resolvers/index.ts';
import { seedFactors } from './domain/factors/index.ts';
import { createState, type DataCoreState } from './state.ts';
import { registerRoutes } from './ingest/routes.ts';
import { markInterruptedJobs } from './ingest/jobs.ts';
import { commands } from './cli/commands.ts';
import { fillPending, onPredictionsCreated } from './figures/model-estimates.ts';
import { predictionCreated } from '@carbon-nexus/ml-engine/client';

export default definePlugin<DataCoreState, z.ZodObject<any>>({
  id: 'data-core',
  description: 'Ingestion (CSV, event, batch, WebSocket stream), normalization, suppliers, emission factors, imports',
  uses: {
    'ml-engine': 'MODEL figures (events that need a model estimate) stay pending until ml-engine answers; every other figure is unaffected',
  },
  config: z.object({
    /** Seconds to wait for running CSV imports on shutdown. */
    DATA_CORE_DRAIN_SECONDS: env.number(30),
    /** Seconds without a heartbeat after which a RUNNING import job (on PostgreSQL) is marked INTERRUPTED. */
    DATA_CORE_JOB_STALE_SECONDS: env.number(30),
    /** Cron of the catch-up that fills pending MODEL figures whose prediction signal was missed. */
    DATA_CORE_MODEL_FILL_CRON: env.string('* * * * *'),
  }),
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  async init(services) {
    const added = await seedFactors(services.db);
    if (added) services.logger.info({ added }, 'emission factors seeded');
    const state = createState(services);
    // Jobs left RUNNING by a process that died end as INTERRUPTED. PGlite: this process owns the data directory, so
    // every running job is an orphan. PostgreSQL: other processes may be importing, so only jobs whose heartbeat
    // went stale, now and every few seconds.
    const staleMs = Number(services.config?.DATA_CORE_JOB_STALE_SECONDS ?? 30) * 1000;
    await markInterruptedJobs(services, services.db.kind === 'pglite' ? 0 : staleMs);
    if (services.db.kind !== 'pglite') {
      const sweep = setInterval(() => void markInterruptedJobs(services, staleMs).catch((err) => services.logger.warn({ err }, 'interrupted-job sweep failed')), Math.max(1000, staleMs / 2));
      sweep.unref();
      state.closers.add(() => clearInterval(sweep));
    }
    // MODEL figures arrive with ml-engine's predictions (the figure is pending until then).
    const unsubscribe = services.bus.subscribe(predictionCreated, (msg) => {
      const p = onPredictionsCreated(services, msg)
        .then((n) => void (n && state.pulse.kick()))
        .catch((err) => services.logger.warn({ err }, 'model figures not written (the catch-up job retries)'));
      state.inflight.add(p);
      void p.finally(() => state.inflight.delete(p));
    });
    state.closers.add(unsubscribe);
    // Rows of an older data directory (no method, or another factor set) are recomputed in the background.
    void state.recalc.start();
    return state;
  },
  jobs: {
    fillModelFigures: {
      cron: (c) => String(c.DATA_CORE_MODEL_FILL_CRON),
      async run(services, state) {
        if ((await fillPending(services)) > 0) state.pulse.kick();
      },
    },
  },
  routes: (app, services, state) => registerRoutes(app, services, state),
  commands,
  async stop(state, services) {
    state.stopping = true;
    for (const close of state.closers) close();
    await state.recalc.stop();
    const drain = Promise.allSettled([...state.inflight]);
    const limit = Number(services.config?.DATA_CORE_DRAIN_SECONDS ?? 30) * 1000;
    await Promise.race([drain, new Promise((r) => setTimeout(r, limit).unref())]);
    state.pulse.stop();
  },
});
