// A gateway replica in front of remote subgraphs: tsx gateway/src/cli/gateway.ts
//   SUBGRAPH URLS from CARBON_NEXUS_SUBGRAPH_<ID>_URL; supergraph from gateway/supergraph.graphql.
import {
  remoteUrlsFromEnv,
  createLogger,
  exitOnShutdownSignals,
  logUnhandledRejections,
} from '@carbon-nexus/plugin-sdk';
import { startGateway } from '../server.ts';
import { readCommittedSupergraph } from '../compose.ts';

const subgraphUrls = remoteUrlsFromEnv(process.env);
if (!Object.keys(subgraphUrls).length) {
  console.error('set CARBON_NEXUS_SUBGRAPH_<ID>_URL for each subgraph (e.g. CARBON_NEXUS_SUBGRAPH_DATA_CORE_URL)');
  process.exit(2);
}
const logger = createLogger({ name: 'gateway' });
logUnhandledRejections(logger);
const server = await startGateway({
  subgraphUrls,
  supergraphSdl: readCommittedSupergraph() ?? undefined,
  logger,
}).catch(startFailed);
console.log(`gateway at ${server.url}/graphql -> ${Object.keys(subgraphUrls).join(', ')}`);
exitOnShutdownSignals(() => server.close(), { logger });

/** A start-up failure (bad setting, no bus where one is needed, port in use) is one clear line and exit code 1. */
function startFailed(err: unknown): never {
  logger.fatal({ err }, 'could not start');
  console.error(`gateway: could not start: ${(err as Error)?.message ?? err}`);
  process.exit(1);
}
