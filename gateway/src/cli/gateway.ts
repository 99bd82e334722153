// A gateway replica in front of remote subgraphs: tsx gateway/src/cli/gateway.ts
//   SUBGRAPH URLS from CARBON_NEXUS_SUBGRAPH_<ID>_URL; supergraph from gateway/supergraph.graphql.
import { remoteUrlsFromEnv, createLogger } from '@carbon-nexus/plugin-sdk';
import { startGateway } from '../server.ts';
import { readCommittedSupergraph } from '../compose.ts';

const subgraphUrls = remoteUrlsFromEnv(process.env);
if (!Object.keys(subgraphUrls).length) {
  console.error('set CARBON_NEXUS_SUBGRAPH_<ID>_URL for each subgraph (e.g. CARBON_NEXUS_SUBGRAPH_DATA_CORE_URL)');
  process.exit(2);
}
const server = await startGateway({ subgraphUrls, supergraphSdl: readCommittedSupergraph() ?? undefined, logger: createLogger({ name: 'gateway' }) });
console.log(`gateway at ${server.url}/graphql -> ${Object.keys(subgraphUrls).join(', ')}`);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, async () => {
    await server.close();
    process.exit(0);
  });
}
