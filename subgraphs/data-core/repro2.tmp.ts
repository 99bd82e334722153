import http from 'node:http';
import { Readable } from 'node:stream';
import { startSubgraph } from '@carbon-nexus/plugin-sdk';
import { createTestDatabase, signDevToken } from '@carbon-nexus/plugin-sdk/testkit';
import plugin from './src/plugin.ts';
process.env.LOG_LEVEL = 'warn';
const db = await createTestDatabase('postgres');
const srv = await startSubgraph(plugin, { db, port: 0, env: { ...process.env, BUS_URL: undefined } });
srv.app.server.on('connection', (s) => { const t0 = Date.now(); s.on('end', () => console.log('SERVER socket end', Date.now() - t0)); s.on('close', () => console.log('SERVER socket close', Date.now() - t0)); s.on('timeout', () => console.log('SERVER socket timeout')); });
const base = srv.url.replace(/\/graphql$/, '');
const token = await signDevToken({ sub: 'b', roles: ['admin'] });
for (let s = 0; s < 10; s++) await db.query(`INSERT INTO suppliers (id, external_id, name, category, updated_at) VALUES (gen_random_uuid(), $1, 'p', 'transport', now())`, [`BENCH-${s}`]);
const START = Date.now() - 400 * 86_400_000;
const N = Number(process.argv[2] ?? 80000);
let i = 0;
const body = new Readable({ read() {
  if (i === 0) this.push('external_id,supplier_external_id,event_type,timestamp,distance_km,load_kg,vehicle_type,speed_kmh\n');
  let c = ''; for (let k = 0; k < 2000 && i < N; k++, i++) c += `m${i},BENCH-${i % 10},transport,${new Date(START + i * 1000).toISOString()},${20 + (i % 400)},${1000 + ((i * 37) % 20000)},rigid_truck,${40 + (i % 60)}\n`;
  if (c) this.push(c); if (i >= N) { console.log('CLIENT generated all'); this.push(null); }
} });
const req = http.request(`${base}/ingest/csv`, { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` } }, (res) => {
  console.log('CLIENT response', res.statusCode, JSON.stringify(res.headers));
  res.resume(); res.on('end', () => console.log('CLIENT response end'));
});
req.on('error', (e) => console.log('CLIENT req error', e.message));
req.on('close', () => console.log('CLIENT req close, generated', i));
req.on('finish', () => console.log('CLIENT req finish'));
body.pipe(req);
const t = setInterval(async () => { const [j] = await db.query<any>(`select status, rows_total, error from import_jobs`); console.log('job', j); if (j?.status !== 'running') { clearInterval(t); await srv.close(); await db.close(); } }, 3000);
