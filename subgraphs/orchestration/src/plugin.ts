import { definePlugin, loadTypeDefs } from '@carbon-nexus/plugin-sdk';
import { resolvers } from './resolvers/index.ts';
import { configSchema } from './config.ts';
import { detectWindow } from './jobs/detect-hotspots.ts';
import { recalculateBaselines } from './jobs/recalculate-baselines.ts';
import { pruneHistories } from './jobs/prune-history.ts';

export default definePlugin<void, typeof configSchema>({
  id: 'orchestration',
  description: 'Baselines, hotspot engine, alerts, what-if simulation, supplier comparison',
  // data-core: every kg (emission series, events, the method engine) and supplier names. ml-engine is not called:
  // MODEL figures reach orchestration through data-core's series once ml-engine has estimated them.
  requires: ['data-core'],
  config: configSchema,
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  jobs: {
    /** Hourly: hour-of-week medians (and flat medians) per entity from data-core's hourly emission series. */
    recalculateBaselines: {
      cron: (c) => c.BASELINE_CRON,
      async run(services, _state, tick) {
        await recalculateBaselines(services, tick);
      },
    },
    /** Every 5 minutes: one detection cycle over the window ending at the tick. */
    detectHotspots: {
      cron: (c) => c.HOTSPOT_CRON,
      async run(services, _state, tick) {
        const end = tick;
        const start = new Date(end.getTime() - services.config.HOTSPOT_WINDOW_MINUTES * 60_000);
        const counts = await detectWindow(services, start, end, 'job');
        const window = { windowStart: start.toISOString(), windowEnd: end.toISOString() };
        services.logger.info({ ...counts, ...window }, 'hotspot detection cycle');
      },
    },
    /** Daily: alerts and hotspot changes older than their retention period are removed (a seq prefix each). */
    pruneHistory: {
      cron: (c) => c.HISTORY_PRUNE_CRON,
      async run(services) {
        await pruneHistories(services);
      },
    },
  },
});
