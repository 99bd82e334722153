import { definePlugin, loadTypeDefs } from '@carbon-nexus/plugin-sdk';
import { resolvers } from './resolvers/index.ts';
import { configSchema } from './config.ts';
import { createState, type State } from './state.ts';
import { assessQuality, scheduledWindow } from './jobs/assess.ts';

export default definePlugin<State, typeof configSchema>({
  id: 'data-quality',
  version: '0.2.0',
  description:
    'Completeness per supplier and timeslice, outliers (IQR, DBSCAN), regression gap-filling, PACT-style indicators',
  requires: ['data-core'],
  config: configSchema,
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  init: (services) => createState(services),
  jobs: {
    assessQuality: {
      cron: (c) => c.QUALITY_CRON,
      async run(services, state, tick) {
        const { from, to } = scheduledWindow(services.config, tick);
        await assessQuality(services, state, from, to, tick.getTime());
      },
    },
  },
});
