import { definePlugin, loadTypeDefs } from '@carbon-nexus/plugin-sdk';
import { resolvers } from './resolvers/index.ts';

export default definePlugin({
  id: 'orchestration',
  description: 'Baselines, hotspots, alerts, what-if simulation',
  requires: ['data-core'],
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
});
