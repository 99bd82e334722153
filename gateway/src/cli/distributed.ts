// npm run start:distributed — the distributed topology as plain processes on this machine:
// every subgraph its own process, GATEWAY_REPLICAS gateways (default 2), PostgreSQL (DATABASE_URL, required)
// and Redis (REDIS_URL) or PostgreSQL LISTEN/NOTIFY (BUS_URL) for the bus.
// Each service is one `node --import tsx` process (no wrapper process), so a signal reaches it directly.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDatabase } from '@carbon-nexus/db';
import { findPlatformRoot, loadPlatformConfig } from '@carbon-nexus/plugin-sdk';

if (process.argv.includes('--help')) {
  console.log(`usage: npm run start:distributed
env: DATABASE_URL (required), REDIS_URL or BUS_URL (default: DATABASE_URL, i.e. Postgres LISTEN/NOTIFY),
     GATEWAY_PORT (4000), GATEWAY_REPLICAS (2), SUBGRAPH_BASE_PORT (4101), STARTUP_TIMEOUT_SECONDS (240)`);
  process.exit(0);
}
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('start:distributed needs DATABASE_URL (PostgreSQL); for a single process use npm start');
  process.exit(2);
}
const root = findPlatformRoot();
const { plugins } = await loadPlatformConfig(root);
const busUrl = process.env.BUS_URL ?? process.env.REDIS_URL ?? databaseUrl;
const basePort = Number(process.env.SUBGRAPH_BASE_PORT ?? 4101);
const gatewayPort = Number(process.env.GATEWAY_PORT ?? 4000);
const replicas = Number(process.env.GATEWAY_REPLICAS ?? 2);
const startupMs = Number(process.env.STARTUP_TIMEOUT_SECONDS ?? 240) * 1000;

// Migrate once, before any process starts (the subgraphs then find nothing left to apply).
const db = await createDatabase({ url: databaseUrl });
const m = await db.migrate();
await db.close();
console.log(`database ready (${m.applied.length} migration(s) applied)`);

const urls: Record<string, string> = {};
plugins.forEach((p, i) => (urls[`CARBON_NEXUS_SUBGRAPH_${p.id.toUpperCase().replace(/-/g, '_')}_URL`] = `http://127.0.0.1:${basePort + i}/graphql`));

const children: ChildProcess[] = [];
// Declared before any child starts: a child that dies during start-up stops the others (and this process).
let stopping: Promise<never> | null = null;
function stop(code = 0): Promise<never> {
  stopping ??= shutdown(code);
  return stopping;
}
async function shutdown(code: number): Promise<never> {
  const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
  const exited = Promise.all(alive.map((c) => new Promise((r) => c.once('exit', r))));
  for (const c of alive) c.kill('SIGTERM');
  // Graceful drain first; whatever still runs after 10 s is killed.
  const timer = setTimeout(() => alive.forEach((c) => c.kill('SIGKILL')), 10_000);
  await exited;
  clearTimeout(timer);
  process.exit(code);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

const tsxLoader = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;
function run(name: string, script: string, args: string[], env: Record<string, string>): void {
  const child = spawn(process.execPath, ['--import', tsxLoader, path.join(root, script), ...args], {
    cwd: root,
    env: { ...process.env, ...urls, BUS_URL: busUrl, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited with ${code ?? signal}; stopping the others`);
      void stop(1);
    }
  });
  children.push(child);
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + startupMs;
  while (Date.now() < deadline && !stopping) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not become ready within ${startupMs / 1000} s`);
}

try {
  plugins.forEach((p, i) => run(p.id, 'gateway/src/cli/subgraph.ts', [p.id], { PORT: String(basePort + i) }));
  await Promise.all(plugins.map((_, i) => waitReady(`http://127.0.0.1:${basePort + i}/readyz`)));
  for (let r = 0; r < replicas; r++) run(`gateway-${r}`, 'gateway/src/cli/gateway.ts', [], { PORT: String(gatewayPort + r) });
  await Promise.all(Array.from({ length: replicas }, (_, r) => waitReady(`http://127.0.0.1:${gatewayPort + r}/readyz`)));
} catch (err) {
  console.error(String((err as Error).message ?? err));
  await stop(1);
}
console.log(`
  Carbon Nexus (distributed) is running
    Gateways  ${Array.from({ length: replicas }, (_, r) => `http://127.0.0.1:${gatewayPort + r}/graphql`).join('  ')}
    Subgraphs ${plugins.map((p, i) => `${p.id}:${basePort + i}`).join('  ')}
    Bus       ${busUrl.split(':')[0]}
`);
