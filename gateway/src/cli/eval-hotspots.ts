// `npm run eval` (after the models eval): hotspot detection on seeded mock data with planned spikes, through the real
// product; writes its block of models/REPORT.md (between the hotspot-eval markers). Options: --history-days,
// --eval-days, --seed, --no-write.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findPlatformRoot } from '@carbon-nexus/plugin-sdk';
import {
  reportBlock,
  runHotspotEval,
  writeReportBlock,
  type HotspotEvalOptions,
  type SpikePlan,
} from '../evaluation/hotspots.ts';

const { values } = parseArgs({
  options: {
    'history-days': { type: 'string', default: '14' },
    'eval-days': { type: 'string', default: '14' },
    seed: { type: 'string', default: '16' },
    'no-write': { type: 'boolean', default: false },
  },
});

/**
 * Planned spikes of several kinds, each in what drives its supplier's figure (see describeSpike), ×3 for three hours
 * while the supplier is at work (weekday days; the cold store at night).
 */
export const DEFAULT_SPIKES: SpikePlan[] = [
  { supplier: 'MOCK-T1', kind: 'distance', factor: 3, weekday: 1, week: 0, hourUtc: 10, hours: 3 }, // fuel records
  { supplier: 'MOCK-T2', kind: 'load', factor: 3, weekday: 3, week: 0, hourUtc: 9, hours: 3 }, // distance × load, no fuel records
  { supplier: 'MOCK-D1', kind: 'volume', factor: 3, weekday: 4, week: 0, hourUtc: 12, hours: 3 }, // van rounds
  { supplier: 'MOCK-F1', kind: 'energy', factor: 3, weekday: 0, week: 1, hourUtc: 13, hours: 3 }, // factory kWh (+ gas)
  { supplier: 'MOCK-W2', kind: 'energy', factor: 3, weekday: 2, week: 1, hourUtc: 20, hours: 3 }, // cold store kWh, at night
  { supplier: 'MOCK-T4', kind: 'distance', factor: 3, weekday: 3, week: 1, hourUtc: 11, hours: 3 }, // electric trucks, metered kWh
];

const opts: HotspotEvalOptions = {
  historyDays: Number(values['history-days']),
  evalDays: Number(values['eval-days']),
  seed: Number(values.seed),
  spikes: DEFAULT_SPIKES.filter((s) => s.week * 7 + 7 <= Number(values['eval-days'])),
  log: (l) => console.log(`[hotspot-eval] ${l}`),
};
const result = await runHotspotEval(opts);
const block = reportBlock(result, opts);
console.log(`\n${block}\n`);
if (!values['no-write']) {
  const file = path.join(findPlatformRoot(), 'models', 'REPORT.md');
  writeReportBlock(file, block);
  console.log(`wrote the hotspot block of ${file}`);
}
const missed = result.spikes.filter((s) => !s.detected).length;
if (missed || result.falseAlertsPerSupplierWeek > 1)
  console.log(
    `targets missed: ${missed} spikes undetected, ${result.falseAlertsPerSupplierWeek.toFixed(2)} false alerts per supplier-week`,
  );
process.exit(0);
