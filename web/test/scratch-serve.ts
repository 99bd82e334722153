import { startDemo } from './demo-env.ts';
const demo = await startDemo();
console.log('URL', demo.url);
console.log('seeded', await demo.seedHistory());
await new Promise((r) => setTimeout(r, 5000));
for (const [p, j] of [['orchestration', 'recalculateBaselines'], ['data-quality', 'assessQuality'], ['ml-engine', 'forecastDaily']] as const) {
  try { await demo.gw.host!.runJob(p, j); console.log('ran', p, j); } catch (e) { console.log('job failed', p, j, (e as Error).message); }
}
const dq = await demo.gql(`mutation($f: String, $t: String) { runDataQuality(from: $f, to: $t) { gapsDetected gapsFilled outliersFlagged } }`, { f: new Date(Date.now() - 86400000).toISOString(), t: new Date(Date.now()).toISOString() });
console.log('dq', JSON.stringify(dq));
console.log('spike', await demo.spike('northwind', { events: Number(process.env.SPIKE_EVENTS ?? 4), scale: Number(process.env.SPIKE_SCALE ?? 1.6) }));
await new Promise((r) => setTimeout(r, 3000));
try { await demo.gw.host!.runJob('orchestration', 'detectHotspots'); console.log('detected'); } catch (e) { console.log('detect failed', (e as Error).message); }
const q = await demo.gql(`{ emissionPulse { kgPerHour trend } hotspots { totalCount nodes { entityName percentAbove severity } } recommendations(first: 5) { totalCount nodes { title } } dataQualityBadge(from: "${new Date(Date.now()-86400000).toISOString()}", to: "${new Date(Date.now()+3600000).toISOString()}") { realPct predictedPct label } activityFeed(first: 2) { id co2eKg } }`);
console.log(JSON.stringify(q, null, 1).slice(0, 3000));
console.log('READY');
await new Promise((r) => setTimeout(r, Number(process.env.HOLD ?? 600) * 1000));
await demo.close();
