// `npm run demo`: the embedded product plus the mock stream (history back-fill, then live events with time
// compressed and a planned hotspot a minute in), with detection running often enough to watch it happen.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { findPlatformRoot } from '@carbon-nexus/plugin-sdk';

const defaults: Record<string, string> = {
  HOTSPOT_CRON: '*/20 * * * * *', // every 20 s instead of every 5 min
  BASELINE_CRON: '*/2 * * * *',
  QUALITY_CRON: '*/1 * * * *',
};
for (const [k, v] of Object.entries(defaults)) process.env[k] ??= v;
const root = findPlatformRoot();
await import('../main.ts');

const port = process.env.PORT ?? '4000';
const args = ['stream', '--url', `http://127.0.0.1:${port}`, '--backfill-days', process.env.DEMO_BACKFILL_DAYS ?? '14', '--speed', '120', '--hotspot-at', '1', ...process.argv.slice(2)];
console.log(`  Mock stream: carbon-nexus ${args.join(' ')}\n`);
const child = spawn(process.execPath, [path.join(root, 'plugin-sdk/bin/carbon-nexus.js'), ...args], { stdio: 'inherit' });
child.on('exit', (code) => {
  if (code) console.error(`mock stream exited with ${code}`);
});
process.on('exit', () => child.kill('SIGTERM'));
