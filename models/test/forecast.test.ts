import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backtest, detectLevelShift, forecast, type ForecastPoint } from '../src/forecast/index.js';
import { seasonalSeries } from '../src/synth/series.js';

const H = 3600_000;

function expectOrdered(f: ForecastPoint[]) {
  for (const p of f) {
    for (const v of [p.mean, p.lo80, p.hi80, p.lo95, p.hi95]) expect(Number.isFinite(v)).toBe(true);
    expect(p.lo95).toBeGreaterThanOrEqual(0);
    expect(p.lo95).toBeLessThanOrEqual(p.lo80);
    expect(p.lo80).toBeLessThanOrEqual(p.mean);
    expect(p.mean).toBeLessThanOrEqual(p.hi80);
    expect(p.hi80).toBeLessThanOrEqual(p.hi95);
  }
}

/** Random hourly emission series: daily/weekly pattern and noise, plus level shifts, zero runs and spikes. */
const series = fc
  .record({
    hours: fc.integer({ min: 24, max: 5 * 168 }),
    level: fc.double({ min: 0.01, max: 1e5, noNaN: true }),
    daily: fc.double({ min: 0, max: 0.9, noNaN: true }),
    weekend: fc.double({ min: 0, max: 1, noNaN: true }),
    noise: fc.double({ min: 0, max: 0.8, noNaN: true }),
    shifts: fc.array(
      fc.record({
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        factor: fc.oneof(fc.constant(0), fc.double({ min: 0.05, max: 20, noNaN: true })),
      }),
      { maxLength: 3 },
    ),
    zeros: fc.array(
      fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.integer({ min: 1, max: 200 }) }),
      { maxLength: 3 },
    ),
    spikes: fc.array(
      fc.record({
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        factor: fc.double({ min: 5, max: 1000, noNaN: true }),
      }),
      { maxLength: 4 },
    ),
    seed: fc.integer({ min: 1, max: 1e9 }),
  })
  .map((o) => {
    let x = o.seed;
    const rand = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    const t0 = Date.UTC(2026, 0, 5); // a Monday
    const values = Array.from({ length: o.hours }, (_, i) => {
      const d = new Date(t0 + i * H);
      const hod = d.getUTCHours();
      const we = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? o.weekend : 1;
      return Math.max(
        0,
        o.level * we * (1 + o.daily * Math.sin(((hod - 6) / 24) * 2 * Math.PI)) * (1 + o.noise * (rand() * 2 - 1)),
      );
    });
    for (const s of o.shifts) for (let i = Math.floor(s.at * o.hours); i < o.hours; i++) values[i]! *= s.factor;
    for (const z of o.zeros)
      for (let i = Math.floor(z.at * o.hours); i < Math.min(o.hours, Math.floor(z.at * o.hours) + z.len); i++)
        values[i] = 0;
    for (const s of o.spikes) values[Math.min(o.hours - 1, Math.floor(s.at * o.hours))]! *= s.factor;
    return values.map((value, i) => ({ t: new Date(t0 + i * H).toISOString(), value }));
  });

describe('forecast', () => {
  it('returns 168 hourly points after the history with ordered bands', () => {
    const h = seasonalSeries({ weeks: 5, seed: 99 });
    const f = forecast(h, { horizonHours: 168 });
    expect(f).toHaveLength(168);
    expect(Date.parse(f[0]!.t) - Date.parse(h.at(-1)!.t)).toBe(3600_000);
    expectOrdered(f);
  });

  it('bands are always ordered lo95 ≤ lo80 ≤ mean ≤ hi80 ≤ hi95 (random series with level shifts, zeros, spikes, short histories)', () => {
    fc.assert(
      fc.property(series, fc.integer({ min: 1, max: 168 }), (history, horizonHours) => {
        const f = forecast(history, { horizonHours });
        expect(f).toHaveLength(horizonHours);
        expectOrdered(f);
      }),
      { numRuns: 60 },
    );
  });

  it('re-levels after a level shift: the forecast follows the new level and its band brackets it', () => {
    const base = seasonalSeries({ weeks: 6, seed: 77, level: 100, trendPerWeek: 0 });
    const shifted = base.map((p, i) => ({ ...p, value: i >= base.length - 7 * 24 ? p.value * 3 : p.value }));
    const recent = shifted.slice(-168).reduce((a, p) => a + p.value, 0) / 168;
    const f = forecast(shifted);
    const m = f.reduce((a, p) => a + p.mean, 0) / f.length;
    expect(m / recent).toBeGreaterThan(0.9);
    expect(m / recent).toBeLessThan(1.1);
    expectOrdered(f);
    // the case: a supplier with a few days of history joins the total — no lower bound above its mean
    const joined = base.map((p, i) => ({ ...p, value: p.value + (i >= base.length - 72 ? 500 : 0) }));
    const g = forecast(joined);
    expectOrdered(g);
    const day1 = g.slice(0, 24).reduce((a, p) => a + p.mean, 0) / 24;
    const last = joined.slice(-24).reduce((a, p) => a + p.value, 0) / 24;
    expect(day1 / last).toBeGreaterThan(0.85);
    expect(day1 / last).toBeLessThan(1.15);
    expect(g.slice(0, 24).filter((p) => p.lo80 < last && p.hi80 > last * 0.9).length).toBeGreaterThan(12);
  });

  it('detects the day a level shift happened and ignores ordinary weekly patterns', () => {
    const base = seasonalSeries({ weeks: 4, seed: 5, level: 50 });
    const values = base.map((p) => p.value);
    expect(detectLevelShift(values, 0, values.length, Date.parse(base[0]!.t))).toBeNull();
    const at = values.length - 5 * 24;
    const up = values.map((v, i) => (i >= at ? v * 2 : v));
    expect(detectLevelShift(up, 0, up.length, Date.parse(base[0]!.t))).toBe(at);
  });

  it.each([424_242, 515_151, 606_060])('fresh series %i: daily CV(RMSE) ≤ 15 %, 80 % band covers 70–90 %', (seed) => {
    const r = backtest(seasonalSeries({ weeks: 8, seed }), { folds: 4 });
    expect(r.hours).toBe(4 * 168);
    expect(r.cvRmseDaily).toBeLessThanOrEqual(0.15);
    expect(Math.abs(r.nmbeDaily)).toBeLessThanOrEqual(0.05);
    expect(r.coverage80).toBeGreaterThanOrEqual(0.7);
    expect(r.coverage80).toBeLessThanOrEqual(0.9);
    expect(r.coverage95).toBeGreaterThan(r.coverage80);
  });

  it('forecasts from a day of history with wide, ordered bands', () => {
    const h = seasonalSeries({ weeks: 1, seed: 3 }).slice(0, 30);
    const f = forecast(h, { horizonHours: 48 });
    expectOrdered(f);
    for (const p of f) if (p.mean > 0) expect(p.hi80 / p.mean).toBeGreaterThanOrEqual(1.25 - 1e-9);
  });

  it('rejects gaps and bad values with the offending timestamp/index', () => {
    const h = seasonalSeries({ weeks: 2, seed: 1 });
    expect(() => forecast([...h.slice(0, 100), ...h.slice(101)])).toThrow(/gap between/);
    expect(() => forecast(h.map((p, i) => (i === 5 ? { ...p, value: Number.NaN } : p)))).toThrow(/history\[5\]\.value/);
    expect(() => forecast(h.map((p, i) => (i === 7 ? { ...p, value: -1 } : p)))).toThrow(
      /history\[7\]\.value is negative/,
    );
    expect(() => forecast(h.slice(0, 20))).toThrow(/one day/);
  });
});
