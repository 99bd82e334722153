import { definePlugin, loadTypeDefs } from '@carbon-nexus/plugin-sdk';
import { resolvers } from './resolvers/index.ts';

export default definePlugin({
  id: 'ml-engine',
  description: 'ONNX emission models, explanations, 7-day forecast',
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
});
