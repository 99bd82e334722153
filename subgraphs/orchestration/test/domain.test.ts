// Pure domain rules: thresholds config, severity classification, hour-of-week windows, baseline statistics, evidence,
// episode rules (what a detection window may change), messages.
import { describe, expect, it } from 'vitest';
import {
  classify,
  DEFAULT_THRESHOLDS,
  evidenceFor,
  levelsAtLeast,
  parseThresholds,
  thresholdsFor,
} from '../src/domain/severity.ts';
import { hourOfWeek, median, windowHours } from '../src/domain/time.ts';
import { computeBaselines } from '../src/domain/baseline-statistics.ts';
import { MAD_TO_SIGMA, robustSigma, windowBaseline, windowBasis } from '../src/domain/baseline-statistics.ts';
import { alertMessage, isBackfill } from '../src/jobs/detect-hotspots.ts';
import { isSignificant, isSustained, noiseBar } from '../src/domain/evidence.ts';
import { decide, type EpisodeHotspot } from '../src/domain/episodes.ts';
import { configSchema } from '../src/config.ts';

describe('severity thresholds (percent above baseline)', () => {
  it('classifies by the highest threshold reached: INFO 80, WARN 100, CRITICAL 150', () => {
    expect(classify(79.9, DEFAULT_THRESHOLDS)).toBeNull();
    expect(classify(80, DEFAULT_THRESHOLDS)).toBe('info');
    expect(classify(103.3, DEFAULT_THRESHOLDS)).toBe('warn'); // the seed's 122 vs 60
    expect(classify(149.99, DEFAULT_THRESHOLDS)).toBe('warn');
    expect(classify(150, DEFAULT_THRESHOLDS)).toBe('critical');
    expect(classify(Number.POSITIVE_INFINITY, DEFAULT_THRESHOLDS)).toBeNull();
  });

  it('parses per-entity-type thresholds and falls back to default', () => {
    const t = parseThresholds('{"route":{"info":10,"warn":20,"critical":30}}');
    expect(thresholdsFor(t, 'route')).toEqual({ info: 10, warn: 20, critical: 30 });
    expect(thresholdsFor(t, 'supplier')).toEqual(DEFAULT_THRESHOLDS);
    expect(levelsAtLeast('WARN')).toEqual(['warn', 'critical']);
  });

  it('rejects bad HOTSPOT_THRESHOLDS with an error naming the entry and the rule', () => {
    expect(() => parseThresholds('{nope')).toThrow(/HOTSPOT_THRESHOLDS is not valid JSON/);
    expect(() => parseThresholds('{"supplier":{"info":90,"warn":80,"critical":150}}')).toThrow(
      /supplier must satisfy info < warn < critical/,
    );
    expect(() => parseThresholds('{"truck":{"info":1,"warn":2,"critical":3}}')).toThrow(/HOTSPOT_THRESHOLDS/);
    const r = configSchema.safeParse({ HOTSPOT_THRESHOLDS: '{"route":{"info":-1,"warn":2,"critical":3}}' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(['HOTSPOT_THRESHOLDS']);
    expect(configSchema.safeParse({ HOTSPOT_ENTITY_TYPES: 'supplier,truck' }).error!.issues[0].message).toMatch(
      /bad: truck/,
    );
    expect(() => parseThresholds('{"route":{"info":1,"warn":2,"critical":3,"minEvents":0}}')).toThrow(
      /route\.minEvents/,
    );
    expect(configSchema.safeParse({ HOTSPOT_MIN_EVENTS: '0' }).error!.issues[0].path).toEqual(['HOTSPOT_MIN_EVENTS']);
    expect(configSchema.safeParse({ HOTSPOT_NOISE_SIGMAS: 'lots' }).error!.issues[0].path).toEqual([
      'HOTSPOT_NOISE_SIGMAS',
    ]);
  });

  it('evidence settings: own entry, else the default entry, else the environment', () => {
    const env = { minEvents: 3, noiseSigmas: 3 };
    const t = parseThresholds(
      '{"default":{"info":80,"warn":100,"critical":150,"noiseSigmas":2},"route":{"info":50,"warn":80,"critical":120,"minEvents":6}}',
    );
    expect(evidenceFor(t, 'route', env)).toEqual({ minEvents: 6, noiseSigmas: 2 });
    expect(evidenceFor(t, 'supplier', env)).toEqual({ minEvents: 3, noiseSigmas: 2 });
    expect(evidenceFor(parseThresholds(undefined), 'supplier', env)).toEqual(env);
    expect(configSchema.parse({})).toMatchObject({
      HOTSPOT_MIN_EVENTS: 3,
      HOTSPOT_NOISE_SIGMAS: 3,
      HOTSPOT_EVIDENCE_HOURS: 3,
      BASELINE_MIN_SAMPLES: 8,
    });
  });
});

describe('time windows', () => {
  it('hour of week counts from Monday 00:00 UTC', () => {
    expect(hourOfWeek(new Date('2026-11-23T00:30:00Z'))).toBe(0); // a Monday
    expect(hourOfWeek(new Date('2026-11-29T23:00:00Z'))).toBe(167); // Sunday 23:00
  });

  it('splits a window into the hours it overlaps with fractional weights', () => {
    const w = windowHours(new Date('2026-11-23T10:15:00Z'), new Date('2026-11-23T11:15:00Z'));
    expect(w.map((h) => [h.how, h.weight])).toEqual([
      [10, 0.75],
      [11, 0.25],
    ]);
  });
});

const H = 3_600_000;
/** Hourly rows of one entity: kg and events per hour (null = no row: an idle hour). */
const series = (end: Date, hours: number, at: (t: Date) => [kg: number, events: number] | null, key = 's1') => {
  const rows: { bucketStart: string; key: string; co2eKg: number; eventCount: number }[] = [];
  for (let t = end.getTime() - hours * H; t < end.getTime(); t += H) {
    const v = at(new Date(t));
    if (v !== null) rows.push({ bucketStart: new Date(t).toISOString(), key, co2eKg: v[0], eventCount: v[1] });
  }
  return rows;
};

describe('baselines', () => {
  it('same hour-of-week median and MAD spread where enough weeks exist, flat median always; idle hours count as 0', () => {
    const end = new Date('2026-11-23T12:00:00Z'); // Monday 12:00
    // Three weeks of 10 kg/h (one meter reading each), except Monday 09:00 which is 40, 50, 60, and never anything at 20:00.
    let n9 = 0;
    const rows = series(end, 21 * 24, (d) =>
      hourOfWeek(d) === 20 ? null : [hourOfWeek(d) === 9 ? 40 + 10 * n9++ : 10, 1],
    );
    const by = new Map(computeBaselines(rows, end, 3).map((r) => [r.how, r]));
    expect(by.get(9)).toMatchObject({ value: 50, method: 'hour_of_week_median', samples: 3, events: 1 });
    expect(by.get(9)!.spread).toBeCloseTo(MAD_TO_SIGMA * 10, 9);
    expect(by.get(20)).toMatchObject({ value: 0, samples: 3, spread: 0, events: 0 }); // never active at 20:00
    expect(by.get(10)).toMatchObject({ value: 10, spread: 0 }); // constant readings: no noise
    expect(by.get(-1)).toMatchObject({ value: 10, method: 'flat_median', samples: 21 * 24 });
  });

  it('falls back to the flat median (with its MAD spread) when no hour has enough samples', () => {
    const end = new Date('2026-11-23T12:00:00Z');
    const rows = [0, 1, 2, 3].map((h) => ({
      bucketStart: new Date(end.getTime() - (h + 1) * H).toISOString(),
      key: 'x',
      co2eKg: [5, 7, 9, 100][h],
      eventCount: 1,
    }));
    expect(computeBaselines(rows, end, 2)).toEqual([
      { entityId: 'x', how: -1, value: 8, spread: MAD_TO_SIGMA * 2, events: 1, method: 'flat_median', samples: 4 },
    ]);
    expect(median([3, 1, 2])).toBe(2);
    expect(robustSigma([1, 2, 3, 4, 1000])).toBeCloseTo(MAD_TO_SIGMA * 1, 9); // an outlier does not move it
  });

  it('two weeks of history (default 8 samples): same hour on days of the same type, else on any day; an incident is not the norm', () => {
    const end = new Date('2026-11-23T00:00:00Z'); // Monday 00:00: 14 whole days before
    // Weekdays 100 kg at 10:00 (one Wednesday 400: an incident), weekends 30 kg at 10:00, 5 kg otherwise.
    const rows = series(end, 14 * 24, (d) => {
      if (d.getUTCHours() !== 10) return [5, 1];
      if (d.getUTCDay() === 0 || d.getUTCDay() === 6) return [30, 1];
      return [d.toISOString().startsWith('2026-11-18') ? 400 : 100, 1];
    });
    const by = new Map(computeBaselines(rows, end, 8).map((r) => [r.how, r]));
    expect(by.get(2 * 24 + 10)).toMatchObject({ method: 'hour_of_day_median', samples: 10, value: 100 });
    // Saturday: 4 weekend samples are too few; all 14 days at 10:00 are enough.
    expect(by.get(5 * 24 + 10)).toMatchObject({ method: 'hour_of_day_all_days_median', samples: 14, value: 100 });
    // With three samples required, the weekend hours have their own: 30 kg.
    expect(computeBaselines(rows, end, 3).find((r) => r.how === 5 * 24 + 10)).toMatchObject({
      method: 'hour_of_day_median',
      samples: 4,
      value: 30,
    });
    // With enough weeks the hour-of-week median takes over, and one odd week still does not move it.
    const three = series(new Date('2026-11-30T00:00:00Z'), 21 * 24, (d) => [
      d.getUTCHours() === 10 && d.getUTCDay() === 3 ? (d.toISOString().startsWith('2026-11-18') ? 400 : 100) : 5,
      1,
    ]);
    expect(
      computeBaselines(three, new Date('2026-11-30T00:00:00Z'), 3).find((r) => r.how === 2 * 24 + 10),
    ).toMatchObject({
      method: 'hour_of_week_median',
      samples: 3,
      value: 100,
    });
  });

  it('events arriving at random: the spread is never below the Poisson spread of the median count; regular readings get none', () => {
    const end = new Date('2026-11-23T00:00:00Z');
    // Every hour 40 kg, from 4 or 5 trips (the sizes happen to add up): MAD of the kg is 0, yet a sum of ~4.5 trips varies.
    const trips = computeBaselines(
      series(end, 14 * 24, (d) => [40, 4 + (d.getUTCDate() % 2)]),
      end,
      8,
    ).find((r) => r.how === 10)!;
    expect(trips.events).toBe(4.5);
    expect(trips.spread).toBeCloseTo(40 / Math.sqrt(4.5), 9);
    // Meter readings: four a hour, always; nothing varies, nothing is added.
    const meter = computeBaselines(
      series(end, 14 * 24, () => [40, 4]),
      end,
      8,
    ).find((r) => r.how === 10)!;
    expect(meter).toMatchObject({ events: 4, spread: 0 });
    // Where the kg themselves vary more, MAD wins.
    const wide = computeBaselines(
      series(end, 14 * 24, (d) => {
        const n = [2, 4, 8][d.getUTCDate() % 3];
        return [10 * n, n];
      }),
      end,
      8,
    ).find((r) => r.how === 10)!;
    expect(wide).toMatchObject({ method: 'hour_of_day_median', value: 40, events: 4 });
    expect(wide.spread).toBeCloseTo(MAD_TO_SIGMA * 20, 9); // MAD of 20/40/80 kg (20) × 1.4826 ≈ 29.7 > 40 / √4 = 20
  });

  it('a window scales the hourly baseline by its overlap and the spread by the square root of it', () => {
    const byHow = new Map([
      [10, { value: 120, spread: 24 }],
      [11, { value: 60, spread: 12 }],
    ]);
    const five = windowBaseline(
      windowHours(new Date('2026-11-23T10:20:00Z'), new Date('2026-11-23T10:25:00Z')),
      byHow,
    )!;
    expect(five.value).toBeCloseTo(10, 9);
    expect(five.spread).toBeCloseTo(24 / Math.sqrt(12), 9);
    const hour = windowBaseline(
      windowHours(new Date('2026-11-23T10:30:00Z'), new Date('2026-11-23T11:30:00Z')),
      byHow,
    )!;
    expect(hour.value).toBeCloseTo(90, 9);
    expect(hour.spread).toBeCloseTo(Math.sqrt(0.5 * 24 ** 2 + 0.5 * 12 ** 2), 9);
    expect(
      windowBaseline(windowHours(new Date('2026-11-23T11:30:00Z'), new Date('2026-11-23T12:30:00Z')), byHow),
    ).toBeNull(); // hour 12 unknown
  });
});

describe('evidence', () => {
  const base = { value: 100, spread: 30 };
  const rule = { minEvents: 3, noiseSigmas: 3 };
  it('needs the minimum event count and an excess beyond the noise, judged on the square-root scale', () => {
    // √-scale bar: k·s + (k·s)² / (4·baseline) = 90 + 8100 / 400 = 110.25 kg
    expect(noiseBar(base, 3)).toBeCloseTo(110.25, 9);
    expect(isSignificant({ kg: 300, events: 2 }, base, rule)).toBe(false); // +200 % on two events
    expect(isSignificant({ kg: 210, events: 8 }, base, rule)).toBe(false); // +110 %, just under the bar
    expect(isSignificant({ kg: 211, events: 8 }, base, rule)).toBe(true);
    expect(isSignificant({ kg: 101, events: 3 }, { value: 100, spread: 0 }, rule)).toBe(true); // noise-free data
  });
  it('a sustained span counts when it is significant and above the lowest threshold itself', () => {
    const span = { value: 300, spread: 52 }; // three hours of the above
    expect(isSustained({ kg: 560, events: 20 }, span, rule, 80)).toBe(true); // +87 %, excess 260 ≥ 156 + 22.5
    expect(isSustained({ kg: 520, events: 20 }, span, rule, 80)).toBe(false); // +73 %: under INFO
    expect(isSustained({ kg: 560, events: 2 }, span, rule, 80)).toBe(false);
  });
});

describe('episodes: a window only moves hotspots forward', () => {
  const at = (h: number) => new Date(Date.UTC(2026, 10, 23, h));
  const hot = (status: string, severity: string, from: number, to: number): EpisodeHotspot => ({
    id: `${status}-${from}`,
    status,
    severity,
    windowStart: at(from),
    windowEnd: at(to),
  });
  const critical = { level: 'critical' as const, significant: true };
  it('continues the active hotspot it follows: update, escalate (with evidence), resolve', () => {
    const live = hot('open', 'warn', 10, 12);
    expect(decide({ level: 'warn', significant: true }, undefined, live)).toEqual({ kind: 'update', hotspot: live });
    expect(decide(critical, undefined, live)).toEqual({ kind: 'escalate', hotspot: live });
    expect(decide({ level: 'critical', significant: false }, undefined, live)).toEqual({
      kind: 'update',
      hotspot: live,
    });
    expect(decide({ level: null, significant: false }, undefined, live)).toEqual({ kind: 'resolve', hotspot: live });
    expect(decide(critical, undefined, hot('acknowledged', 'info', 10, 12)).kind).toBe('escalate');
  });
  it('a window covered by a hotspot (any status) changes nothing; after a resolved one a new episode starts', () => {
    expect(decide(critical, hot('open', 'warn', 10, 12), undefined)).toEqual({ kind: 'covered' });
    expect(decide({ level: null, significant: false }, hot('resolved', 'warn', 10, 12), undefined)).toEqual({
      kind: 'covered',
    });
    expect(decide(critical, undefined, hot('resolved', 'warn', 10, 12))).toEqual({ kind: 'create' });
    expect(decide({ level: 'info', significant: false }, undefined, undefined)).toEqual({ kind: 'none' });
    expect(decide(critical, undefined, undefined)).toEqual({ kind: 'create' });
  });
});

describe('alert messages', () => {
  it('reads like the seed', () => {
    expect(alertMessage('supplier', 'Supplier A', 120.4)).toBe('Supplier A exceeded emissions by 120%');
    expect(alertMessage('route', 'R12', 160, 'warn')).toBe(
      'Route R12 exceeded emissions by 160% (escalated from WARN)',
    );
  });
});

describe('what a window rests on, and backfills', () => {
  it("a window's baseline method is its hours' (mixed when they differ); usual events are weighted by overlap", () => {
    const byHow = new Map([
      [10, { method: 'hour_of_week_median', events: 4 }],
      [11, { method: 'hour_of_week_median', events: 6 }],
      [12, { method: 'override', events: null }],
    ]);
    expect(
      windowBasis(
        [
          { how: 10, weight: 0.5 },
          { how: 11, weight: 1 },
        ],
        byHow,
      ),
    ).toEqual({ method: 'hour_of_week_median', events: 8 });
    expect(
      windowBasis(
        [
          { how: 11, weight: 1 },
          { how: 12, weight: 1 },
        ],
        byHow,
      ),
    ).toEqual({ method: 'mixed', events: null });
    expect(windowBasis([{ how: 13, weight: 1 }], byHow)).toBeNull();
  });

  it('a past window is a backfill unless the scheduled job detects it; a window ending within one window of now is live', () => {
    const now = Date.parse('2026-12-04T12:00:00Z');
    const at = (iso: string) => new Date(iso);
    expect(isBackfill('range', at('2026-12-04T10:00:00Z'), now, 60)).toBe(true);
    expect(isBackfill('mutation', at('2026-12-04T10:59:00Z'), now, 60)).toBe(true);
    expect(isBackfill('mutation', at('2026-12-04T11:30:00Z'), now, 60)).toBe(false);
    expect(isBackfill('mutation', at('2026-12-04T12:00:00Z'), now, 60)).toBe(false);
    expect(isBackfill('job', at('2026-12-03T12:00:00Z'), now, 60)).toBe(false);
  });
});
