import { definePlugin, loadTypeDefs } from '@carbon-nexus/plugin-sdk';
import { resolvers } from './resolvers/index.ts';

export default definePlugin({
  id: 'recommendations',
  description: 'RAG adapter, local retrieval, rule fallback, approve/dismiss',
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
});
