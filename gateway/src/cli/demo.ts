// `npm run demo`: the embedded product plus the mock stream with its planned hotspot (the seed's demo: "stream emits
// synthetic data with a planned hotspot scenario at minute ~10"; "hotspot fires → alert pops → recommendation
// appears"). Timeline, counted from the stream's start:
//   minute 0–2   30 days of history are sent, then baselines are computed from them (30 days: weekend hours get
//                baselines of their own day type, so the demo works on a Saturday too);
//   minute 0–10  the simulated clock replays the last two hours 12× faster and meets real time at minute 10;
//   minute 5     the planned spike begins (Northline Haulage's trucks take long detours: distance ×3, fuel follows);
//   minute 8–10  detection (every 20 s, over the sliding last hour) raises the hotspot: INFO → WARN → CRITICAL,
//                each with an alert, and recommendations appear — all pushed to the dashboard.
// Stream options pass through (`npm run demo -- --hotspot-at 15 --speed 20`; `npm run demo -- --help` lists them).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { findPlatformRoot, signDevToken } from '@carbon-nexus/plugin-sdk';
import { parseStreamArgs, STREAM_USAGE } from '@carbon-nexus/data-core/mock';
import { describeEvent, elapsed, watchPlatform, type DemoEvent } from '../demo/watch.ts';

const DEMO_USAGE = `npm run demo [-- <stream options>]

Starts the whole product embedded (as npm start: dashboard and explorer at http://127.0.0.1:$PORT/), then the mock
stream with 30 days of history and a planned hotspot (Northline Haulage's trucks take long detours from minute ~5),
and prints what the platform pushes: hotspots (INFO -> WARN -> CRITICAL by about minute 10), alerts, recommendations.

env: PORT (4000), DATA_DIR (.data/pglite; a fresh directory gives a fresh demo) or DATABASE_URL,
     DEMO_BACKFILL_DAYS (30), HOTSPOT_CRON (every 20 s), QUALITY_CRON (every minute)

Stream options after \`--\` pass through (\`npm run demo -- --hotspot-at 15 --speed 20\`):

`;

const port = process.env.PORT ?? '4000';
const url = `http://127.0.0.1:${port}`;
const streamArgs = [
  '--url',
  url,
  '--backfill-days',
  process.env.DEMO_BACKFILL_DAYS ?? '30',
  '--recalculate-baselines',
  '--speed',
  '12',
  '--hotspot-at',
  '10',
  ...process.argv.slice(2),
];
// Checked before anything starts: help, or a bad option, must not leave a platform running without its stream.
try {
  if (parseStreamArgs(streamArgs) === 'help') {
    console.log(DEMO_USAGE + STREAM_USAGE);
    process.exit(0);
  }
} catch (err) {
  console.error(`npm run demo: ${(err as Error).message}\n(npm run demo -- --help lists the options)`);
  process.exit(2);
}

const defaults: Record<string, string> = {
  HOTSPOT_CRON: '*/20 * * * * *', // every 20 s instead of every 5 min, so the escalations are seen as they happen
  QUALITY_CRON: '*/1 * * * *',
};
for (const [k, v] of Object.entries(defaults)) process.env[k] ??= v;
const root = findPlatformRoot();
await import('../main.ts');

const args = ['stream', ...streamArgs];
const t0 = Date.now();
const say = (line: string) => console.log(`[demo   ${elapsed(t0)}] ${line}`);
say(`mock stream: carbon-nexus ${args.join(' ')}`);
say(`watching the platform's pushes (the dashboard's subscriptions); open ${url}/ to see them there`);
say(
  'expect: history and baselines within the first minutes; the spike from minute ~5; detection every 20 s over the sliding last hour raises the hotspot as its evidence builds — CRITICAL by about minute 10',
);

const token = await signDevToken({ sub: 'demo', roles: ['admin'], expiresIn: '7d' });
let summarized = false;
const firstRecommendation = new Map<string, number>();
const lastPrinted = new Map<string, number>();
const fired: Partial<Record<'critical' | 'alert' | 'recommendation', number>> = {};
let criticalId: string | null = null;
const watch = watchPlatform({
  url,
  token,
  onEvent: (e: DemoEvent) => {
    // Every cycle (20 s) updates an ongoing hotspot in place; print it when its figure moved, not each time.
    const quiet =
      e.kind === 'hotspot' && e.change === 'UPDATED' && Math.abs((lastPrinted.get(e.id) ?? -1e9) - e.percentAbove) < 10;
    if (e.kind === 'hotspot' && !quiet) lastPrinted.set(e.id, e.percentAbove);
    if (!quiet) say(describeEvent(e));
    if (e.kind === 'recommendation' && !firstRecommendation.has(e.hotspotId))
      firstRecommendation.set(e.hotspotId, e.at);
    if (e.kind === 'hotspot' && e.severity === 'CRITICAL' && !criticalId) {
      criticalId = e.id;
      fired.critical = e.at;
    }
    if (e.kind === 'alert' && e.level === 'CRITICAL' && e.hotspotId === criticalId) fired.alert ??= e.at;
    // Recommendations may already have come for the same hotspot at a lower level.
    if (criticalId && firstRecommendation.has(criticalId)) fired.recommendation ??= firstRecommendation.get(criticalId);
    if (fired.critical && fired.alert && fired.recommendation && !summarized) {
      summarized = true;
      say(
        `the planned hotspot fired: CRITICAL at ${elapsed(t0, fired.critical)}, its alert at ${elapsed(t0, fired.alert)}, ` +
          `first recommendation at ${elapsed(t0, fired.recommendation)}. Approve one on the dashboard (${url}/), then try the what-if.`,
      );
    }
  },
  onError: (err) => say(`subscription error: ${(err as Error).message ?? err}`),
});
await watch.ready;

const child = spawn(process.execPath, [path.join(root, 'plugin-sdk/bin/carbon-nexus.js'), ...args], {
  stdio: 'inherit',
});
child.on('exit', (code) => {
  if (code) console.error(`mock stream exited with ${code}`);
});
process.on('exit', () => child.kill('SIGTERM'));
