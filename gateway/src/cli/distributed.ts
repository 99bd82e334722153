// npm run start:distributed — the distributed topology as plain processes on this machine:
// every subgraph its own process, GATEWAY_REPLICAS gateways (default 2), PostgreSQL (DATABASE_URL, required)
// and Redis (REDIS_URL) or PostgreSQL LISTEN/NOTIFY (BUS_URL) for the bus.
// Each service is one `node --import tsx` process (no wrapper process), so a signal reaches it directly.
// This process supervises them: a crashed child is restarted with backoff while the rest keep serving.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDatabase } from '@carbon-nexus/db';
import { createLogger, findPlatformRoot, loadPlatformConfig } from '@carbon-nexus/plugin-sdk';

if (process.argv.includes('--help')) {
  console.log(`usage: npm run start:distributed
env: DATABASE_URL (required), REDIS_URL or BUS_URL (default: DATABASE_URL, i.e. Postgres LISTEN/NOTIFY),
     GATEWAY_PORT (4000), GATEWAY_REPLICAS (2), SUBGRAPH_BASE_PORT (4101), STARTUP_TIMEOUT_SECONDS (240),
     SUPERVISOR_BACKOFF_MS (1000), SUPERVISOR_BACKOFF_MAX_MS (30000), SUPERVISOR_HEALTHY_SECONDS (60)
A child that exits is restarted with exponential backoff; the others keep serving.`);
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
plugins.forEach(
  (p, i) =>
    (urls[`CARBON_NEXUS_SUBGRAPH_${p.id.toUpperCase().replace(/-/g, '_')}_URL`] =
      `http://127.0.0.1:${basePort + i}/graphql`),
);

// ---- supervision ---------------------------------------------------------------------------------------------
// A child that exits while we are not stopping is restarted after a backoff that doubles with each consecutive
// crash (SUPERVISOR_BACKOFF_MS, capped at SUPERVISOR_BACKOFF_MAX_MS) and resets once the child has stayed up for
// SUPERVISOR_HEALTHY_SECONDS. The others keep serving meanwhile: the gateways answer partial data with a
// SUBGRAPH_UNAVAILABLE error naming the missing subgraph. Every exit and restart is a JSON log line.
const backoffMs = Number(process.env.SUPERVISOR_BACKOFF_MS ?? 1000);
const backoffMaxMs = Number(process.env.SUPERVISOR_BACKOFF_MAX_MS ?? 30_000);
const healthyMs = Number(process.env.SUPERVISOR_HEALTHY_SECONDS ?? 60) * 1000;
const log = createLogger({ name: 'supervisor' });

interface Supervised {
  name: string;
  script: string;
  args: string[];
  env: Record<string, string>;
  child: ChildProcess | null;
  startedAt: number;
  /** Consecutive crashes without a healthy period in between. */
  crashes: number;
  restarts: number;
  timer: NodeJS.Timeout | null;
}
const services: Supervised[] = [];

// Declared before any child starts: a signal during start-up stops whatever has started.
let stopping: Promise<never> | null = null;
function stop(code = 0): Promise<never> {
  stopping ??= shutdown(code);
  return stopping;
}
async function shutdown(code: number): Promise<never> {
  for (const s of services) if (s.timer) clearTimeout(s.timer);
  const alive = services
    .map((s) => s.child)
    .filter((c): c is ChildProcess => !!c && c.exitCode === null && c.signalCode === null);
  const exited = Promise.all(alive.map((c) => new Promise((r) => c.once('exit', r))));
  log.info({ children: alive.length }, 'stopping: each child drains (in-flight requests, jobs, subscriptions)');
  for (const c of alive) c.kill('SIGTERM');
  // Children bound their own drain (SHUTDOWN_TIMEOUT_SECONDS, 30 s); whatever still runs after that is killed.
  const timer = setTimeout(
    () => alive.forEach((c) => c.kill('SIGKILL')),
    Number(process.env.SUPERVISOR_STOP_SECONDS ?? 35) * 1000,
  );
  await exited;
  clearTimeout(timer);
  process.exit(code);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

const tsxLoader = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;
function run(name: string, script: string, args: string[], env: Record<string, string>): void {
  const s: Supervised = { name, script, args, env, child: null, startedAt: 0, crashes: 0, restarts: 0, timer: null };
  services.push(s);
  launch(s);
}

function launch(s: Supervised): void {
  s.timer = null;
  if (stopping) return;
  const child = spawn(process.execPath, ['--import', tsxLoader, path.join(root, s.script), ...s.args], {
    cwd: root,
    env: { ...process.env, ...urls, BUS_URL: busUrl, ...s.env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  s.child = child;
  s.startedAt = Date.now();
  log.info({ child: s.name, childPid: child.pid, restarts: s.restarts }, 'child started');
  child.on('error', (err) => log.error({ child: s.name, err }, 'child could not be spawned'));
  child.on('exit', (code, signal) => {
    if (stopping || s.child !== child) return;
    s.child = null;
    const upMs = Date.now() - s.startedAt;
    // A child that stayed up for a healthy period starts its backoff from the beginning again.
    s.crashes = upMs >= healthyMs ? 1 : s.crashes + 1;
    const delay = Math.min(backoffMaxMs, backoffMs * 2 ** (s.crashes - 1));
    s.restarts++;
    log.warn(
      { child: s.name, childPid: child.pid, code, signal, upMs, restartInMs: delay, restarts: s.restarts },
      'child exited; restarting it (the others keep serving)',
    );
    s.timer = setTimeout(() => launch(s), delay);
  });
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
  for (let r = 0; r < replicas; r++)
    run(`gateway-${r}`, 'gateway/src/cli/gateway.ts', [], { PORT: String(gatewayPort + r) });
  await Promise.all(
    Array.from({ length: replicas }, (_, r) => waitReady(`http://127.0.0.1:${gatewayPort + r}/readyz`)),
  );
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
