import { definePlugin, loadTypeDefs } from '@carbon-nexus/plugin-sdk';
import { resolvers } from './resolvers/index.ts';

export default definePlugin({
  id: 'data-quality',
  description: 'Completeness, outliers, gap-filling, PACT-style indicators',
  requires: ['data-core'],
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
});
