import { describe, expect, it } from 'vitest';
import { generate } from '../src/synth/dataset.js';
import { GENERATORS, logisticsEnergy, logisticsPhysics } from '../src/synth/index.js';
import { Rng } from '../src/synth/random.js';
import { seasonalSeries } from '../src/synth/series.js';
import { referenceCases } from '../src/eval/reference-cases.js';

describe('synthetic generators', () => {
  it.each(Object.keys(GENERATORS))('%s: same seed → identical data, different seed → different data', (name) => {
    const g = GENERATORS[name]!;
    const a = generate(g, 500, 77);
    const b = generate(g, 500, 77);
    const c = generate(g, 500, 78);
    expect(Buffer.from(a.X.buffer).equals(Buffer.from(b.X.buffer))).toBe(true);
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect(Array.from(a.y)).not.toEqual(Array.from(c.y));
    for (const v of a.y) expect(v).toBeGreaterThan(0);
    // every generated feature lies inside the declared validity range
    const F = g.features.length;
    for (let i = 0; i < a.n; i++) {
      g.features.forEach((f, j) => {
        expect(a.X[i * F + j]!).toBeGreaterThanOrEqual(Math.fround(f.min));
        expect(a.X[i * F + j]!).toBeLessThanOrEqual(Math.fround(f.max));
      });
    }
  });

  it('series generator is deterministic', () => {
    expect(seasonalSeries({ weeks: 2, seed: 5 })).toEqual(seasonalSeries({ weeks: 2, seed: 5 }));
    expect(new Rng(1).next()).toBe(new Rng(1).next());
  });

  it('CMEM rigid truck: plausible fuel use, more load and climbing cost more, EVs scale with the grid', () => {
    const leg = {
      distance_km: 100,
      load_kg: 8000,
      speed_kmh: 60,
      gradient_pct: 0,
      stops_per_100km: 0,
      idle_min: 0,
      refrigerated: 0,
      empty_share: 0,
      vehicle_class: 0,
      grid_factor_kg_per_kwh: 0.177,
    };
    const l = logisticsEnergy(leg).litres;
    expect(l).toBeGreaterThan(25);
    expect(l).toBeLessThan(45); // L/100 km for a half-laden rigid >17 t (DESNZ fleet average ≈ 37)
    expect(logisticsPhysics(leg)).toBeCloseTo(l * (2.57082 + 0.62665), 9); // WTW boundary
    expect(logisticsPhysics({ ...leg, load_kg: 12000 })).toBeGreaterThan(logisticsPhysics(leg));
    expect(logisticsPhysics({ ...leg, gradient_pct: 2 })).toBeGreaterThan(logisticsPhysics(leg));
    expect(logisticsPhysics({ ...leg, refrigerated: 1 })).toBeCloseTo(
      logisticsPhysics(leg) + ((2.5 * 100) / 60) * (2.57082 + 0.62665),
      6,
    );
    const ev = { ...leg, vehicle_class: 3, load_kg: 800 };
    expect(logisticsPhysics({ ...ev, grid_factor_kg_per_kwh: 0.727 }) / logisticsPhysics(ev)).toBeCloseTo(
      0.727 / 0.177,
      9,
    );
  });

  it('calibrated to published consumption: 40 t artic 30–35 L/100 km at 20 t, DESNZ van, BEV van 0.2–0.25 kWh/km at the battery', () => {
    const base = {
      distance_km: 100,
      gradient_pct: 0,
      idle_min: 0,
      refrigerated: 0,
      empty_share: 0,
      grid_factor_kg_per_kwh: 0.177,
    };
    // the reference trip (carbon-domain.md): 30–35 L → 95–110 kg CO2e WTW
    const artic = { ...base, vehicle_class: 1, load_kg: 20000, speed_kmh: 75, stops_per_100km: 2, idle_min: 10 };
    expect(logisticsEnergy(artic).litres).toBeGreaterThanOrEqual(30);
    expect(logisticsEnergy(artic).litres).toBeLessThanOrEqual(35);
    expect(logisticsPhysics(artic)).toBeGreaterThanOrEqual(95);
    expect(logisticsPhysics(artic)).toBeLessThanOrEqual(112);
    // heavier classes burn more at the same payload share; a 40–44 t artic fully laden more than a 34–40 t
    expect(logisticsEnergy({ ...artic, vehicle_class: 6, load_kg: 29000 }).litres).toBeGreaterThan(
      logisticsEnergy({ ...artic, load_kg: 25000 }).litres,
    );
    for (const c of referenceCases().filter((x) => x.role === 'calibration' && x.model === 'logistics')) {
      const p = c.rows.reduce((a, r) => a + logisticsPhysics(r), 0);
      expect(Math.abs(p / c.publishedKg - 1), c.id).toBeLessThanOrEqual(0.07);
    }
    const evVan = { ...base, vehicle_class: 3, load_kg: 300, speed_kmh: 46, stops_per_100km: 40 };
    const atBattery = (logisticsEnergy(evVan).kwh * 0.9) / 100;
    expect(atBattery).toBeGreaterThanOrEqual(0.18);
    expect(atBattery).toBeLessThanOrEqual(0.25);
    // every class is known; an unknown code is an error naming it
    expect(() => logisticsEnergy({ ...artic, vehicle_class: 42 })).toThrow(/vehicle_class 42 unknown/);
  });
});
