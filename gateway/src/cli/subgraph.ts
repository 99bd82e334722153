// Runs one plugin of the platform as its own subgraph process:
//   tsx gateway/src/cli/subgraph.ts <plugin-id>   (PORT, DATABASE_URL, BUS_URL/REDIS_URL, CARBON_NEXUS_SUBGRAPH_<ID>_URL)
import {
  createLogger,
  exitOnShutdownSignals,
  loadPlatformConfig,
  logUnhandledRejections,
  startSubgraph,
} from '@carbon-nexus/plugin-sdk';

const id = process.argv[2];
const { plugins } = await loadPlatformConfig();
const plugin = plugins.find((p) => p.id === id);
if (!plugin || process.argv.includes('--help')) {
  console.error(`usage: subgraph.ts <plugin-id>\nplugins: ${plugins.map((p) => p.id).join(', ')}`);
  process.exit(plugin ? 0 : 2);
}
const logger = createLogger({ name: id });
logUnhandledRejections(logger);
const server = await startSubgraph(plugin, { hostname: process.env.HOST ?? '127.0.0.1', logger }).catch(startFailed);
console.log(`${id} subgraph at ${server.url}`);
exitOnShutdownSignals(() => server.close(), { logger });

/** A start-up failure (bad setting, no bus where one is needed, port in use) is one clear line and exit code 1. */
function startFailed(err: unknown): never {
  logger.fatal({ err }, 'could not start');
  console.error(`${id}: could not start: ${(err as Error)?.message ?? err}`);
  process.exit(1);
}
