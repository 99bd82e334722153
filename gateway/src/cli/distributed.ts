// npm run start:distributed — the distributed topology as plain processes on this machine:
// every subgraph its own process, GATEWAY_REPLICAS gateways (default 2), PostgreSQL (DATABASE_URL, required)
// and Redis (REDIS_URL) or PostgreSQL LISTEN/NOTIFY (BUS_URL) for the bus.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createDatabase } from '@carbon-nexus/db';
import { findPlatformRoot, loadPlatformConfig } from '@carbon-nexus/plugin-sdk';

if (process.argv.includes('--help')) {
  console.log(`usage: npm run start:distributed
env: DATABASE_URL (required), REDIS_URL or BUS_URL (default: DATABASE_URL, i.e. Postgres LISTEN/NOTIFY),
     GATEWAY_PORT (4000), GATEWAY_REPLICAS (2), SUBGRAPH_BASE_PORT (4101)`);
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

// Migrate once, before any process starts.
const db = await createDatabase({ url: databaseUrl });
const m = await db.migrate();
await db.close();
console.log(`database ready (${m.applied.length} migration(s) applied)`);

const urls: Record<string, string> = {};
plugins.forEach((p, i) => (urls[`CARBON_NEXUS_SUBGRAPH_${p.id.toUpperCase().replace(/-/g, '_')}_URL`] = `http://127.0.0.1:${basePort + i}/graphql`));
const children: ChildProcess[] = [];
const tsx = path.join(root, 'node_modules/.bin/tsx');
const run = (name: string, script: string, args: string[], env: Record<string, string>) => {
  const child = spawn(tsx, [path.join(root, script), ...args], { env: { ...process.env, ...urls, BUS_URL: busUrl, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`${name} exited with ${code}; stopping the others`);
      void stop(1);
    }
  });
  children.push(child);
};
plugins.forEach((p, i) => run(p.id, 'gateway/src/cli/subgraph.ts', [p.id], { PORT: String(basePort + i) }));

async function waitReady(url: string) {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not become ready`);
}
await Promise.all(plugins.map((_, i) => waitReady(`http://127.0.0.1:${basePort + i}/readyz`)));
for (let r = 0; r < replicas; r++) run(`gateway-${r}`, 'gateway/src/cli/gateway.ts', [], { PORT: String(gatewayPort + r) });
await Promise.all(Array.from({ length: replicas }, (_, r) => waitReady(`http://127.0.0.1:${gatewayPort + r}/readyz`)));
console.log(`
  Carbon Nexus (distributed) is running
    Gateways  ${Array.from({ length: replicas }, (_, r) => `http://127.0.0.1:${gatewayPort + r}/graphql`).join('  ')}
    Subgraphs ${plugins.map((p, i) => `${p.id}:${basePort + i}`).join('  ')}
    Bus       ${busUrl.split(':')[0]}
`);

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  process.exit(code);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
