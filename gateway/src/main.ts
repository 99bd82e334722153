// `npm start`: the whole product in one process — gateway + every plugin + PGlite under .data/.
import path from 'node:path';
import {
  findPlatformRoot,
  loadPlatformConfig,
  createLogger,
  exitOnShutdownSignals,
  logUnhandledRejections,
} from '@carbon-nexus/plugin-sdk';
import { startGateway } from './server.ts';

const logger = createLogger({ name: 'carbon-nexus' });
logUnhandledRejections(logger);
const root = findPlatformRoot();
if (!process.env.DATABASE_URL && !process.env.DATA_DIR) process.env.DATA_DIR = path.join(root, '.data', 'pglite');
const { plugins } = await loadPlatformConfig(root);
const server = await startGateway({ plugins, logger }).catch(startFailed);

console.log(`
  Carbon Nexus is running (${process.env.DATABASE_URL ? 'PostgreSQL' : `embedded PGlite at ${process.env.DATA_DIR}`})
    Dashboard  ${server.url}/
    Explorer   ${server.url}/graphql
    Health     ${server.url}/healthz   Metrics ${server.url}/metrics
  Press Ctrl+C to stop.
`);

// SIGTERM/SIGINT: stop accepting, finish in-flight requests and jobs, close subscriptions (1001), stop plugins, exit 0.
exitOnShutdownSignals(() => server.close(), { logger });

/** A start-up failure (bad setting, no bus where one is needed, port in use) is one clear line and exit code 1. */
function startFailed(err: unknown): never {
  logger.fatal({ err }, 'could not start');
  console.error(`carbon-nexus: could not start: ${(err as Error)?.message ?? err}`);
  process.exit(1);
}
