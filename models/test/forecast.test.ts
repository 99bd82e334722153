import { describe, expect, it } from 'vitest';
import { backtest, forecast } from '../src/forecast/index.js';
import { seasonalSeries } from '../src/synth/series.js';

describe('forecast', () => {
  it('returns 168 hourly points after the history with ordered bands', () => {
    const h = seasonalSeries({ weeks: 5, seed: 99 });
    const f = forecast(h, { horizonHours: 168 });
    expect(f).toHaveLength(168);
    expect(Date.parse(f[0]!.t) - Date.parse(h.at(-1)!.t)).toBe(3600_000);
    for (const p of f) {
      expect(p.lo95).toBeLessThanOrEqual(p.lo80);
      expect(p.lo80).toBeLessThanOrEqual(p.mean);
      expect(p.mean).toBeLessThanOrEqual(p.hi80);
      expect(p.hi80).toBeLessThanOrEqual(p.hi95);
    }
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

  it('rejects gaps and bad values with the offending timestamp/index', () => {
    const h = seasonalSeries({ weeks: 2, seed: 1 });
    expect(() => forecast([...h.slice(0, 100), ...h.slice(101)])).toThrow(/gap between/);
    expect(() => forecast(h.map((p, i) => (i === 5 ? { ...p, value: Number.NaN } : p)))).toThrow(/history\[5\]\.value/);
    expect(() => forecast(h.slice(0, 50))).toThrow(/one week/);
  });
});
