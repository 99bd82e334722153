// The pure parts of one assessQuality run (src/jobs/assess/*): bounds, counts, cadence profile, flag requests,
// which gap rows are superseded, which gaps are (re)filled, the GAP_FILL events and anomaly counts per window.
import { describe, it, expect } from 'vitest';
import { DAY_MS, HOUR_MS, learnCadence, type CadenceProfile, type HourCounts } from '../src/domain/completeness.ts';
import { loadArtifact, modelId } from '../src/domain/gapfill-model.ts';
import type { DcEvent, SeriesPoint, SupplierMeta } from '../src/datacore.ts';
import { runWindow, type SupplierHours } from '../src/jobs/assess/run.ts';
import { hourCountsBySupplier } from '../src/jobs/assess/load.ts';
import { cadenceProfile } from '../src/jobs/assess/cadence.ts';
import { flagRequests, outlierEventsBySupplier } from '../src/jobs/assess/outliers.ts';
import { fillEvents, gapKey, planFills, supersededFills, type GapRow } from '../src/jobs/assess/gap-fill.ts';
import { anomalyCounts, anomalyKey } from '../src/jobs/assess/windows.ts';

const S1 = '11111111-1111-4111-8111-111111111111';
const S2 = '22222222-2222-4222-8222-222222222222';
const T0 = Date.UTC(2026, 0, 1);
const iso = (t: number) => new Date(t).toISOString();
const counts = (hour: number, real: number, predicted = 0, co2eKg = 100 * real): HourCounts => ({
  hour,
  real,
  predicted,
  co2eKg,
});

describe('run bounds', () => {
  it('whole hours, never the current one; the series reaches 14 days back (or the learning span) and 1 h ahead', () => {
    const now = T0 + 20 * DAY_MS + 10 * HOUR_MS + 30 * 60_000;
    const w = runWindow(T0 + 10 * DAY_MS + 15 * 60_000, T0 + 10 * DAY_MS + 5 * HOUR_MS + 1, now, 14);
    expect(w).toEqual({
      from: T0 + 10 * DAY_MS,
      to: T0 + 10 * DAY_MS + 6 * HOUR_MS,
      learnFrom: T0 + 10 * DAY_MS + 6 * HOUR_MS - 14 * DAY_MS,
      seriesFrom: T0 + 10 * DAY_MS - 14 * DAY_MS,
      seriesTo: T0 + 10 * DAY_MS + 7 * HOUR_MS,
    });
    // A range into the future stops at now's hour; so does the +1 h of the series; a long learning span widens it.
    const late = runWindow(now - 5 * HOUR_MS, now + DAY_MS, now, 30);
    expect(late.to).toBe(T0 + 20 * DAY_MS + 10 * HOUR_MS);
    expect(late.seriesTo).toBe(late.to);
    expect(late.seriesFrom).toBe(late.to - 30 * DAY_MS);
  });
});

describe('hourly counts', () => {
  it('splits data-core counts per supplier and hour; real excludes gap fills', () => {
    const p = (key: string, t: number, eventCount: number, predictedCount: number) =>
      ({ bucketStart: iso(t), key, co2eKg: 10 * eventCount, eventCount, predictedCount }) as SeriesPoint;
    const m = hourCountsBySupplier([p(S1, T0, 5, 1), p(S2, T0, 3, 0), p(S1, T0 + HOUR_MS, 2, 2)]);
    expect([...m.keys()]).toEqual([S1, S2]);
    expect(m.get(S1)!.get(T0)).toEqual({ hour: T0, real: 4, predicted: 1, co2eKg: 50 });
    expect(m.get(S1)!.get(T0 + HOUR_MS)).toEqual({ hour: T0 + HOUR_MS, real: 0, predicted: 2, co2eKg: 20 });
    expect(m.get(S2)!.get(T0)!.real).toBe(3);
  });
});

describe('cadence profile', () => {
  const byHour = new Map([
    [T0 + 2 * HOUR_MS, counts(T0 + 2 * HOUR_MS, 0, 1)],
    [T0 + 5 * HOUR_MS, counts(T0 + 5 * HOUR_MS, 3)],
    [T0 + 3 * HOUR_MS, counts(T0 + 3 * HOUR_MS, 2)],
  ]);
  it('an override replaces the learned rate, keeping the learned hours of day', () => {
    const learned = learnCadence([...byHour.values()], T0, T0 + DAY_MS);
    expect(cadenceProfile(byHour, learned, null)).toEqual({
      perHour: 2.5,
      activeHoursOfDay: learned.activeHoursOfDay,
      firstSeen: T0 + 3 * HOUR_MS,
    });
    expect(cadenceProfile(byHour, learned, 7).perHour).toBe(7);
  });
  it('nothing real in the learning span: first seen is the earliest real hour of the series (fills do not count)', () => {
    const learned = learnCadence([...byHour.values()], T0 + DAY_MS, T0 + 2 * DAY_MS);
    expect(cadenceProfile(byHour, learned, 4)).toEqual({
      perHour: 4,
      activeHoursOfDay: [],
      firstSeen: T0 + 3 * HOUR_MS,
    });
    expect(cadenceProfile(new Map([[T0, counts(T0, 0, 2)]]), learned, 4).firstSeen).toBeNull();
  });
});

describe('outlier inputs and flag requests', () => {
  it('groups events per supplier with the supplier name for reasons', () => {
    const e = (id: string, supplierId: string) =>
      ({ id, supplierId, timestamp: iso(T0), co2eKg: 1, distanceKm: 2, loadKg: 3, tonneKm: 4 }) as DcEvent;
    const meta = new Map([[S1, { id: S1, name: 'North Haul' } as SupplierMeta]]);
    const m = outlierEventsBySupplier([e('a', S1), e('b', S2), e('c', S1)], meta);
    expect(m.get(S1)!.map((x) => [x.id, x.supplierName])).toEqual([
      ['a', 'North Haul'],
      ['c', 'North Haul'],
    ]);
    expect(m.get(S2)!.map((x) => [x.id, x.supplierName, x.tonneKm])).toEqual([['b', undefined, 4]]);
  });
  it('one SUSPECT request per event, reasons joined and cut to 500 characters', () => {
    const [long, short] = flagRequests([
      { event_id: 'e1', reasons: ['a'.repeat(300), 'b'.repeat(300)] },
      { event_id: 'e2', reasons: ['iqr', 'dbscan'] },
    ]);
    expect(long.reason).toHaveLength(500);
    expect(long.reason.slice(298, 304)).toBe('aa; bb');
    expect(short).toEqual({ eventId: 'e2', status: 'SUSPECT', reason: 'iqr; dbscan' });
  });
});

describe('gap fills', () => {
  const to = T0 + 10 * DAY_MS;
  const from = to - 48 * HOUR_MS;
  const [gNew, gKept, gGone, gSuperseded, gUnfilled] = [5, 9, 13, 17, 21].map((k) => from + k * HOUR_MS);
  /** Ten days of 4 events (400 kg) an hour, with the five gap hours empty (gKept still holds its fill). */
  function steady(): SupplierHours {
    const m = new Map<number, HourCounts>();
    for (let t = to - 10 * DAY_MS; t <= to; t += HOUR_MS)
      if (![gNew, gKept, gGone, gSuperseded, gUnfilled].includes(t)) m.set(t, counts(t, 4));
    m.set(gKept, counts(gKept, 0, 1, 390));
    return new Map([[S1, m]]);
  }
  const profile: CadenceProfile = { perHour: 4, activeHoursOfDay: [], firstSeen: to - 10 * DAY_MS };
  const row = (id: string, hour: number, status: string, event_id: string | null): GapRow => ({
    id,
    supplier_id: S1,
    window_start: new Date(hour),
    status,
    event_id,
  });

  it('supersedes the fills of hours that now hold real data, once', () => {
    const hours = steady();
    const rows = [
      row('r1', gNew + HOUR_MS, 'filled', 'ev1'),
      row('r2', gNew + 2 * HOUR_MS, 'superseded', 'ev2'),
      row('r3', gNew, 'filled', 'ev3'),
      row('r4', gNew + 3 * HOUR_MS, 'unfilled', null),
    ];
    expect(supersededFills(rows, hours)).toEqual(['r1', 'r4']);
  });

  it('fills new gaps and gaps whose fill is missing, keeps row ids, skips held and superseded fills', () => {
    const model = loadArtifact();
    const known = new Map(
      [
        row('kept', gKept, 'filled', 'ev-kept'),
        row('gone', gGone, 'filled', 'ev-gone'),
        row('sup', gSuperseded, 'superseded', null),
        row('unf', gUnfilled, 'unfilled', null),
      ].map((r) => [gapKey(S1, r.window_start.getTime()), r]),
    );
    const plan = planFills({
      hours: steady(),
      profiles: new Map([[S1, profile]]),
      known,
      from,
      to,
      minExpected: 1,
      model,
    });
    expect(plan.gapsDetected).toBe(5);
    expect(plan.todo.map((t) => [t.hour, t.expected])).toEqual([
      [gNew, 4],
      [gGone, 4],
      [gUnfilled, 4],
    ]);
    expect(plan.todo[0].id).toMatch(/^[0-9a-f-]{36}$/);
    expect(plan.todo.slice(1).map((t) => t.id)).toEqual(['gone', 'unf']);
    for (const t of plan.todo) {
      expect(t.co2eKg!).toBeGreaterThan(200);
      expect(t.co2eKg!).toBeLessThan(800);
      expect(t.confidence!).toBeGreaterThan(0);
    }
    // A cadence above the expected minimum finds no gap.
    expect(
      planFills({ hours: steady(), profiles: new Map([[S1, profile]]), known, from, to, minExpected: 5, model }),
    ).toEqual({ todo: [], gapsDetected: 0 });
  });

  it('a gap with no real data in the week before it is recorded unfilled', () => {
    // Real data 8 days before the window and in its last hour; an override expects an event every hour.
    const m = new Map([
      [from - 8 * DAY_MS, counts(from - 8 * DAY_MS, 2)],
      [to - HOUR_MS, counts(to - HOUR_MS, 2)],
    ]);
    const p: CadenceProfile = { perHour: 1, activeHoursOfDay: [], firstSeen: from - 8 * DAY_MS };
    const plan = planFills({
      hours: new Map([[S2, m]]),
      profiles: new Map([[S2, p]]),
      known: new Map(),
      from,
      to,
      minExpected: 1,
      model: loadArtifact(),
    });
    expect(plan.gapsDetected).toBe(47);
    expect(plan.todo).toHaveLength(47);
    expect(plan.todo.every((t) => t.co2eKg === null && t.confidence === null)).toBe(true);
  });

  it('GAP_FILL events at the hour start, typed by the supplier category (TRANSPORT when unknown)', () => {
    const fill = (supplierId: string, hour: number) => ({
      id: 'x',
      supplierId,
      hour,
      expected: 4,
      co2eKg: 380,
      confidence: 0.8,
    });
    const meta = new Map([[S1, { id: S1, category: 'FACTORY' } as SupplierMeta]]);
    const model = modelId(loadArtifact());
    expect(fillEvents([fill(S1, gNew), fill(S2, gGone)], meta, model)).toEqual([
      {
        externalId: `gapfill:${iso(gNew)}`,
        supplierId: S1,
        eventType: 'FACTORY',
        timestamp: iso(gNew),
        dataSource: 'GAP_FILL',
        co2eKg: 380,
        confidence: 0.8,
        predictedBy: model,
        attributes: { expectedEvents: 4 },
      },
      expect.objectContaining({ supplierId: S2, eventType: 'TRANSPORT', timestamp: iso(gGone) }),
    ]);
  });
});

describe('anomaly counts per window', () => {
  it('each flagged event counts once in its hour and once in its UTC day', () => {
    const at = (supplier_id: string, t: number) => ({ supplier_id, event_timestamp: new Date(t) });
    const m = anomalyCounts([
      at(S1, T0 + 10 * HOUR_MS + 5 * 60_000),
      at(S1, T0 + 10 * HOUR_MS + 59 * 60_000),
      at(S1, T0 + 23 * HOUR_MS + 59 * 60_000),
      at(S2, T0 + DAY_MS),
    ]);
    expect(m.get(anomalyKey(S1, 'hour', T0 + 10 * HOUR_MS))).toBe(2);
    expect(m.get(anomalyKey(S1, 'hour', T0 + 23 * HOUR_MS))).toBe(1);
    expect(m.get(anomalyKey(S1, 'day', T0))).toBe(3);
    expect(m.get(anomalyKey(S2, 'day', T0 + DAY_MS))).toBe(1);
    expect(m.get(anomalyKey(S2, 'day', T0))).toBeUndefined();
    expect(m.size).toBe(5);
  });
});
