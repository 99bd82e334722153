import { definePlugin, loadTypeDefs } from '@carbon-nexus/plugin-sdk';
import { resolvers } from './resolvers/index.ts';
import { configSchema } from './config.ts';
import { detectWindow } from './hotspots/detect.ts';
import { recalculateBaselines } from './baselines/recalculate.ts';

export default definePlugin({
  id: 'orchestration',
  description: 'Baselines, hotspot engine, alerts, what-if simulation, supplier comparison',
  requires: ['data-core', 'ml-engine'],
  config: configSchema,
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  jobs: {
    /** Hourly: hour-of-week medians (and flat medians) per entity from ml-engine's hourly prediction aggregates. */
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
        services.logger.info({ ...counts, windowStart: start.toISOString(), windowEnd: end.toISOString() }, 'hotspot detection cycle');
      },
    },
  },
});
