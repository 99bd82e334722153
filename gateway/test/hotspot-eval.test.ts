// The hotspot evaluation of `npm run eval`, small: the real product on this target's database, ~18 days of mock data
// for two suppliers (a fleet with fuel records and a metered factory) through POST /ingest/event, a planned ×3 spike
// for each, baselines as of each evaluated day and hourly detection. The properties the full run reports must hold:
// at most one false alert per supplier-week, every planned spike detected, and the evidence rules doing the work the
// seed's rule alone does not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseTargets, type Database } from '@carbon-nexus/db';
import {
  reportBlock,
  runHotspotEval,
  writeReportBlock,
  REPORT_END,
  REPORT_START,
  type HotspotEvalOptions,
} from '../src/evaluation/hotspots.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe.each(testDatabaseTargets())('hotspot evaluation on mock data (%s)', (target) => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase(target);
  });
  afterAll(async () => db?.close());

  it('few false alerts on normal data, every planned spike detected', async () => {
    const opts: HotspotEvalOptions = {
      historyDays: 10,
      evalDays: 8,
      suppliers: ['MOCK-T1', 'MOCK-F1'],
      spikes: [
        { supplier: 'MOCK-T1', kind: 'distance', factor: 3, weekday: 1, week: 0, hourUtc: 10, hours: 3 },
        { supplier: 'MOCK-F1', kind: 'energy', factor: 3, weekday: 3, week: 0, hourUtc: 13, hours: 3 },
      ],
      seed: 5,
      db,
    };
    const r = await runHotspotEval(opts);
    expect(r.eventsRejected).toBe(0);
    expect(r.eventsAccepted).toBeGreaterThan(2500);
    expect(r.windows).toBe(8 * 24);
    expect(r.supplierWeeks).toBeCloseTo((2 * 8) / 7, 9);
    expect(r.falseAlertsPerSupplierWeek).toBeLessThanOrEqual(1);
    expect(r.spikes.map((s) => [s.supplier, s.detected])).toEqual([
      ['MOCK-T1', true],
      ['MOCK-F1', true],
    ]);
    for (const s of r.spikes) {
      expect(s.figureRatio!).toBeGreaterThan(2); // the spike is in the figure data-core computes
      expect(s.peak).not.toBeNull();
      expect(s.delayMin!).toBeLessThanOrEqual(s.hours * 60 + 60);
    }
    // Without the evidence rules the same windows raise many more false alerts.
    expect(r.seedRuleOnly!.falseAlerts).toBeGreaterThan(r.falseAlerts);
    expect(r.settings.thresholds[0]).toMatchObject({ entityType: 'default', minEvents: 3, noiseSigmas: 3 });

    // The report block goes between its markers and leaves the rest of REPORT.md as it was.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'report-')), 'REPORT.md');
    fs.writeFileSync(file, `# Report\n\nmodels part\n\n${REPORT_START}\nold\n${REPORT_END}\n\nafter\n`);
    writeReportBlock(file, reportBlock(r, opts));
    const text = fs.readFileSync(file, 'utf8');
    expect(
      text.startsWith('# Report\n\nmodels part\n\n<!-- hotspot-eval:start -->\n## Hotspot detection on mock data'),
    ).toBe(true);
    expect(text.endsWith(`${REPORT_END}\n\nafter\n`)).toBe(true);
    expect(text).not.toContain('\nold\n');
  }, 600_000);
});
