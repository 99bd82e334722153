// Pure domain rules: thresholds config, severity classification, hour-of-week windows, baseline medians, messages.
import { describe, expect, it } from 'vitest';
import { classify, DEFAULT_THRESHOLDS, levelsAtLeast, parseThresholds, thresholdsFor } from '../src/domain/severity.ts';
import { hourOfWeek, median, windowHours } from '../src/domain/time.ts';
import { computeBaselines } from '../src/baselines/recalculate.ts';
import { alertMessage } from '../src/hotspots/detect.ts';
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
    expect(() => parseThresholds('{"supplier":{"info":90,"warn":80,"critical":150}}')).toThrow(/supplier must satisfy info < warn < critical/);
    expect(() => parseThresholds('{"truck":{"info":1,"warn":2,"critical":3}}')).toThrow(/HOTSPOT_THRESHOLDS/);
    const r = configSchema.safeParse({ HOTSPOT_THRESHOLDS: '{"route":{"info":-1,"warn":2,"critical":3}}' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(['HOTSPOT_THRESHOLDS']);
    expect(configSchema.safeParse({ HOTSPOT_ENTITY_TYPES: 'supplier,truck' }).error!.issues[0].message).toMatch(/bad: truck/);
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

describe('baselines', () => {
  it('same hour-of-week median where enough weeks exist, flat median always; idle hours count as 0', () => {
    const end = new Date('2026-11-23T12:00:00Z'); // Monday 12:00
    const rows: { bucketStart: string; key: string; co2eKg: number }[] = [];
    // Three weeks of 10 kg/h, except Monday 09:00 which is 40, 50, 60.
    for (let t = end.getTime() - 21 * 24 * 3_600_000; t < end.getTime(); t += 3_600_000) {
      const d = new Date(t);
      const v = hourOfWeek(d) === 9 ? 40 + 10 * rows.filter((r) => hourOfWeek(new Date(r.bucketStart)) === 9).length : 10;
      if (hourOfWeek(d) !== 20) rows.push({ bucketStart: d.toISOString(), key: 's1', co2eKg: v });
    }
    const out = computeBaselines(rows, end, 2);
    const by = new Map(out.map((r) => [r.how, r]));
    expect(by.get(9)).toMatchObject({ value: 50, method: 'hour_of_week_median', samples: 3 });
    expect(by.get(20)).toMatchObject({ value: 0, samples: 3 }); // never active at 20:00
    expect(by.get(-1)).toMatchObject({ value: 10, method: 'flat_median', samples: 21 * 24 });
  });

  it('falls back to the flat median only when history is shorter than the minimum weeks', () => {
    const end = new Date('2026-11-23T12:00:00Z');
    const rows = [0, 1, 2, 3].map((h) => ({ bucketStart: new Date(end.getTime() - (h + 1) * 3_600_000).toISOString(), key: 'x', co2eKg: [5, 7, 9, 100][h] }));
    const out = computeBaselines(rows, end, 2);
    expect(out).toEqual([{ entityId: 'x', how: -1, value: 8, method: 'flat_median', samples: 4 }]);
    expect(median([3, 1, 2])).toBe(2);
  });
});

describe('alert messages', () => {
  it('reads like the seed', () => {
    expect(alertMessage('supplier', 'Supplier A', 120.4)).toBe('Supplier A exceeded emissions by 120%');
    expect(alertMessage('route', 'R12', 160, 'warn')).toBe('Route R12 exceeded emissions by 160% (escalated from WARN)');
  });
});
