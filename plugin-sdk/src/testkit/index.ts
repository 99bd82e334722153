export { createSubgraphTestkit, TEST_ADMIN } from './testkit.ts';
export { waitFor } from './wait.ts';
export type { SubgraphTestkit, TestkitOptions } from './testkit.ts';
export { runConformance, assertConformance, composeSubgraphs } from './conformance.ts';
export type { ConformanceCheck, ConformanceOptions, ConformanceReport } from './conformance.ts';
export { createTestDatabase, testDatabaseTargets } from '@carbon-nexus/db';
export { signDevToken } from '../services/auth.ts';
export { startTcpProxy, targetOf } from './tcp-proxy.ts';
export type { TcpProxy } from './tcp-proxy.ts';
