export { definePlugin } from './plugin.ts';
export type {
  AnyPlugin,
  CliCommand,
  JobDefinition,
  PluginDefinition,
  PluginServices,
  ResolverContext,
} from './plugin.ts';
export { parsePluginConfig, env } from './config.ts';
export { loadTypeDefs } from './typedefs.ts';
export { default as gql } from 'graphql-tag';
export * from './errors.ts';
export * from './context.ts';
export * from './contract/index.ts';
export * from './kit/index.ts';
export { createBus, MemoryBus, RedisBus, PostgresBus, redisChannelPrefix } from './services/bus.ts';
export type { Bus, BusEnvelope, BusHandler, BusOptions, BusPublishMeta } from './services/bus.ts';
export { createOutboxRelay, enqueueOutbox } from './services/outbox.ts';
export type { Outbox, OutboxRelay, OutboxRelayOptions } from './services/outbox.ts';
export { createLogger } from './services/logger.ts';
export type { Logger } from './services/logger.ts';
export { createMetrics, collectDefaultMetrics, boundedLabel } from './services/metrics.ts';
export type { Metrics } from './services/metrics.ts';
export {
  startTracing,
  withSpan,
  injectTraceHeaders,
  currentTraceparent,
  currentTraceIds,
  tracingEnabled,
  otlpTracesUrl,
} from './services/tracing.ts';
export type { TracingHandle, SpanOptions, SpanKindName } from './services/tracing.ts';
export { createScheduler, isValidCron, schedulerRetryFromEnv } from './services/scheduler.ts';
export type { Scheduler, JobResult, RetryPolicy } from './services/scheduler.ts';
export { createCallRegistry } from './services/call.ts';
export type { PluginCaller, CallRegistry, LocalExecutor, DeclaredPeers } from './services/call.ts';
export type { PluginLifecycle, PluginPhase, Timer } from './lifecycle/lifecycle.ts';
export type { AuditWriter, AuditEntry } from './services/audit.ts';
export {
  authConfigFromEnv,
  createTokenVerifier,
  claimsFromPayload,
  signDevToken,
  requireRole,
  canSeeSupplier,
  ROLES,
  DEV_JWT_SECRET,
} from './services/auth.ts';
export type { AuthConfig, TokenVerifier, Role } from './services/auth.ts';
export { createHost, remoteUrlsFromEnv, busUrlFromEnv } from './host/host.ts';
export type { Host, HostOptions, RunningPlugin } from './host/host.ts';
export { startOrder } from './host/order.ts';
export { startSubgraph } from './startSubgraph.ts';
export type { SubgraphServer, StartSubgraphOptions } from './startSubgraph.ts';
export {
  mountApollo,
  executeApolloRequest,
  claimsOf,
  verifyBearer,
  correlationIdOf,
  acceptCorrelationId,
  AuthError,
} from './http/apollo-route.ts';
export type { ApolloAnswer, ApolloRouteOptions } from './http/apollo-route.ts';
export { registerOpsRoutes } from './http/ops-routes.ts';
export { registerPluginRoutes } from './http/plugin-routes.ts';
export { createSubgraphApp } from './http/subgraph-app.ts';
export type { SubgraphApp } from './http/subgraph-app.ts';
export { trackHttpDrain } from './http/drain.ts';
export type { HttpDrain } from './http/drain.ts';
export {
  exposeErrorStacks,
  formatErrorPolicy,
  redactAddresses,
  describeNetworkError,
  mapDatabaseErrors,
} from './http/error-policy.ts';
export { exitOnShutdownSignals, logUnhandledRejections } from './shutdown.ts';
export type { ShutdownOptions } from './shutdown.ts';
export { tokenFromConnectionParams } from './http/subscriptions.ts';
export { loadPlatformConfig, findPlatformRoot } from './platform-config.ts';
export type { PlatformConfig } from './platform-config.ts';
export { extractAuthRules, enforceAuth, checkRoles } from './authz/directive.ts';
export type { AuthRules, AuthSdl, AuthEnforcement } from './authz/directive.ts';
