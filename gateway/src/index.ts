export { startGateway, webDistDir, DEFAULT_BODY_LIMIT } from './server.ts';
export type { GatewayOptions, GatewayServer } from './server.ts';
export { composePlugins, CompositionError, supergraphPath, apiSchemaPath } from './compose.ts';
export type { GatewayContext } from './context.ts';
