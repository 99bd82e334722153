// `npm start`: the whole product in one process — gateway + every plugin + PGlite under .data/.
import path from 'node:path';
import { findPlatformRoot, loadPlatformConfig, createLogger } from '@carbon-nexus/plugin-sdk';
import { startGateway } from './server.ts';

const logger = createLogger({ name: 'carbon-nexus' });
const root = findPlatformRoot();
if (!process.env.DATABASE_URL && !process.env.DATA_DIR) process.env.DATA_DIR = path.join(root, '.data', 'pglite');
const { plugins } = await loadPlatformConfig(root);
const server = await startGateway({ plugins, logger });

console.log(`
  Carbon Nexus is running (${process.env.DATABASE_URL ? 'PostgreSQL' : `embedded PGlite at ${process.env.DATA_DIR}`})
    Dashboard  ${server.url}/
    Explorer   ${server.url}/graphql
    Health     ${server.url}/healthz   Metrics ${server.url}/metrics
  Press Ctrl+C to stop.
`);

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, async () => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal: sig }, 'shutting down: draining requests, then stopping plugins');
    await server.close();
    process.exit(0);
  });
}
