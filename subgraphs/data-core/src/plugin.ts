import { definePlugin, loadTypeDefs } from '@carbon-nexus/plugin-sdk';
import { predictionCreated } from '@carbon-nexus/ml-engine/client';
import { resolvers } from './resolvers/index.ts';
import { configSchema } from './config.ts';
import { seedFactors } from './domain/factors/index.ts';
import { createState, type DataCoreState } from './state.ts';
import { registerRoutes } from './ingest/routes.ts';
import { markInterruptedJobs } from './store/import-jobs.ts';
import { commands } from './cli/commands.ts';
import { fillPending, onPredictionsCreated } from './jobs/model-figures.ts';

export default definePlugin<DataCoreState, typeof configSchema>({
  id: 'data-core',
  description: 'Ingestion (CSV, event, batch, WebSocket stream), normalization, suppliers, emission factors, imports',
  uses: {
    'ml-engine':
      'MODEL figures (events that need a model estimate) stay pending until ml-engine answers; ' +
      'every other figure is unaffected',
  },
  config: configSchema,
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  async init(services) {
    const added = await seedFactors(services.db);
    if (added) services.logger.info({ added }, 'emission factors seeded');
    const state = createState(services);
    services.lifecycle.onStop(() => state.pulse.stop());
    // Jobs left RUNNING by a process that died end as INTERRUPTED. PGlite: this process owns the data directory, so
    // every running job is an orphan. PostgreSQL: other processes may be importing, so only jobs whose heartbeat
    // went stale, now and every few seconds.
    const staleMs = services.config.DATA_CORE_JOB_STALE_SECONDS * 1000;
    await markInterruptedJobs(services, services.db.kind === 'pglite' ? 0 : staleMs);
    if (services.db.kind !== 'pglite') {
      const sweep = () =>
        void markInterruptedJobs(services, staleMs).catch((err) =>
          services.logger.warn({ err }, 'interrupted-job sweep failed'),
        );
      services.lifecycle.setInterval(sweep, Math.max(1000, staleMs / 2));
    }
    // MODEL figures arrive with ml-engine's predictions (the figure is pending until then). The handler's promise is
    // tracked by the lifecycle, so a stop waits for it.
    services.bus.subscribe(predictionCreated, (msg) =>
      onPredictionsCreated(services, msg)
        .then((n) => void (n && state.pulse.kick()))
        .catch((err) => services.logger.warn({ err }, 'model figures not written (the catch-up job retries)')),
    );
    // Rows of an older data directory (no method, or another factor set) are recomputed in the background.
    void state.recalc.start();
    return state;
  },
  jobs: {
    fillModelFigures: {
      cron: (c) => c.DATA_CORE_MODEL_FILL_CRON,
      async run(services, state) {
        if ((await fillPending(services)) > 0) state.pulse.kick();
      },
    },
  },
  routes: (app, services, state) => registerRoutes(app, services, state),
  commands,
});
