import { definePlugin, loadTypeDefs } from '@carbon-nexus/plugin-sdk';
import { resolvers } from './resolvers/index.ts';

export default definePlugin({
  id: 'data-core',
  description: 'Ingestion, normalization, suppliers and emission factors',
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
});
