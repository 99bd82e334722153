// `npm start`: the whole product in one process — gateway + every plugin + PGlite under .data/.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  findPlatformRoot,
  loadPlatformConfig,
  createLogger,
  exitOnShutdownSignals,
  logUnhandledRejections,
} from '@carbon-nexus/plugin-sdk';
import { startGateway } from './server.ts';

const USAGE = `npm start — the whole product in one process: the gateway, every plugin and the dashboard at one URL.

Settings are environment variables (the README's "Configuration" lists them all), e.g.
  PORT=5000 npm start                         another port (default 4000)
  DATA_DIR=/tmp/cn npm start                  another embedded PGlite directory (default .data/pglite)
  DATABASE_URL=postgres://… npm start         PostgreSQL instead of PGlite
  REDIS_URL=redis://… npm start               a shared bus (several processes)
  LOG_LEVEL=debug npm start                   more logs (JSON lines with correlation ids)

See also: npm run demo -- --help (the product with a mock stream and a planned hotspot), npm run token -- --help.`;

// Options are for the entry point only (npm run demo imports this module with the stream's options).
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  if (args.length) {
    console.error(
      `npm start takes no arguments (got ${args.join(' ')}): settings are environment variables, e.g. PORT=5000 npm start; npm start -- --help lists the main ones`,
    );
    process.exit(2);
  }
}

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
