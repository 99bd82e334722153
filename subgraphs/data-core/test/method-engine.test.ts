// The method engine against published reference figures (not against our own data): DESNZ 2025 and the reference
// trips of carbon-domain.md. Pure functions: no database.
import { describe, expect, it } from 'vitest';
import { estimate, EstimateError, type ActivityData } from '../src/domain/estimate.ts';
import { FACTORS, FACTOR_SET_VERSION, factor } from '../src/domain/factors/index.ts';
import { VEHICLE_CLASSES } from '../src/domain/vehicle-classes.ts';

const trip = (over: Partial<ActivityData>): ActivityData => ({
  eventType: 'transport',
  distanceKm: 100,
  region: 'UK',
  ...over,
});
const sum = (r: { factors: { result: number; role: string }[] }) =>
  r.factors.filter((f) => f.role === 'emission').reduce((s, f) => s + f.result, 0);

describe('method engine: reference trips', () => {
  it('40 t articulated diesel, 100 km, 20 t payload: ACTIVITY inside 80–140 kg WTW, with the reason shown', () => {
    const r = estimate(trip({ vehicleType: 'articulated_40_44t', loadKg: 20_000 }));
    expect(r.method).toBe('activity');
    expect(r.co2eKg).toBeGreaterThan(80);
    expect(r.co2eKg).toBeLessThan(140);
    expect(r.ttwKg! + r.wttKg!).toBeCloseTo(r.co2eKg!, 6);
    expect(r.wttKg).toBeGreaterThan(0.15 * r.co2eKg!); // WTT is part of the figure
    expect(r.tonneKm).toBe(2000);
    expect(r.note).toMatch(
      /loadKg 20\.0 t = 112 % of the DESNZ artic-gt33t 100 %-laden payload \(17\.9 t\): per-km factor extrapolated/,
    );
    // Articulated factors only: no rigid factor may be applied to an articulated truck.
    expect(r.factors.every((f) => f.id.includes('artic-gt33t'))).toBe(true);
  });

  it('the same trip with 32 L of diesel metered: FUEL ≈ 32 × (2.57 + 0.61) ≈ 102 kg WTW', () => {
    const r = estimate(trip({ vehicleType: 'articulated_40_44t', loadKg: 20_000, fuelL: 32, fuelType: 'diesel' }));
    expect(r.method).toBe('fuel');
    expect(r.ttwKg).toBeCloseTo(32 * 2.57082, 4);
    expect(r.wttKg).toBeCloseTo(32 * 0.61101, 4);
    expect(r.co2eKg).toBeGreaterThan(95);
    expect(r.co2eKg).toBeLessThan(110);
    expect(r.factors.map((f) => f.id).sort()).toEqual(['desnz.fuel.diesel.ttw', 'desnz.fuel.diesel.wtt']);
  });

  it('diesel van 80 km ≈ 20 kg TTW plus its WTT', () => {
    const r = estimate({ eventType: 'delivery', distanceKm: 80, vehicleType: 'van', fuelType: 'diesel' });
    expect(r.method).toBe('activity');
    expect(r.ttwKg).toBeGreaterThan(18);
    expect(r.ttwKg).toBeLessThan(22);
    expect(r.wttKg).toBeGreaterThan(3);
    expect(r.note).toMatch(/van has no class/);
  });

  it('battery-electric van 80 km: metered 0.22 kWh/km × grid (ENERGY), and the DESNZ kWh/km default without a meter', () => {
    const metered = estimate({
      eventType: 'delivery',
      distanceKm: 80,
      vehicleType: 'ev_van',
      energyKwh: 80 * 0.22,
      region: 'UK',
    });
    expect(metered.method).toBe('energy');
    const ukWtw = 0.177 + 0.01853 + 0.0459 + 0.00397;
    expect(metered.co2eKg).toBeCloseTo(80 * 0.22 * ukWtw, 6);
    expect(metered.ttwKg).toBe(0); // electricity: all energy provision
    const unmetered = estimate({ eventType: 'delivery', distanceKm: 80, vehicleType: 'ev_van', region: 'UK' });
    expect(unmetered.method).toBe('activity');
    const kwh = unmetered.factors.find((f) => f.unit === 'kWh / km')!;
    expect(kwh.value).toBeGreaterThan(0.15);
    expect(kwh.value).toBeLessThan(0.45);
    expect(unmetered.co2eKg).toBeCloseTo(80 * kwh.value * ukWtw, 6);
    // The same van in the US uses the US grid (generation only, said in the boundary).
    const us = estimate({
      eventType: 'delivery',
      distanceKm: 80,
      vehicleType: 'ev_van',
      energyKwh: 17.6,
      region: 'US',
    });
    expect(us.co2eKg).toBeCloseTo(17.6 * 0.39, 6);
    expect(us.boundary).toMatch(/generation only/);
  });

  it('rigid-truck factors are never applied to articulated trucks, and vice versa', () => {
    for (const c of VEHICLE_CLASSES.filter((v) => v.mode === 'hgv')) {
      const r = estimate(trip({ vehicleType: c.id }));
      const ids = r.factors.map((f) => f.id).join(' ');
      if (c.id.startsWith('articulated')) expect(ids).not.toMatch(/rigid/);
      if (c.id.startsWith('rigid')) expect(ids).not.toMatch(/artic/);
    }
  });
});

describe('method engine: hierarchy and defaults', () => {
  it('load unknown: the class per-km factor at average load, stated', () => {
    const r = estimate(trip({ vehicleType: 'articulated_34_40t' }));
    expect(r.co2eKg).toBeCloseTo(100 * (0.93421 + 0.22058), 6);
    expect(r.tonneKm).toBeNull();
    expect(r.note).toMatch(/no loadKg: DESNZ artic-gt33t average-laden/);
  });

  it('a heavier load raises the figure (per-km factor linear in load, from 0 % laden; capped at twice the DESNZ payload)', () => {
    const light = estimate(trip({ vehicleType: 'rigid_7_5_12t', loadKg: 500 }));
    const heavy = estimate(trip({ vehicleType: 'rigid_7_5_12t', loadKg: 3000 }));
    const empty = estimate(trip({ vehicleType: 'rigid_7_5_12t', loadKg: 0 }));
    expect(empty.co2eKg).toBeCloseTo(100 * (0.55061 + 0.13207), 6);
    expect(light.co2eKg!).toBeGreaterThan(empty.co2eKg!);
    expect(heavy.co2eKg!).toBeGreaterThan(light.co2eKg!);
    expect(sum(heavy)).toBeCloseTo(heavy.co2eKg!, 5);
    // Linear in load: equal load steps add equal kg, also beyond DESNZ's 100 %-laden payload (4.75 t here).
    const at = (t: number) => estimate(trip({ vehicleType: 'rigid_7_5_12t', loadKg: t * 1000 })).co2eKg!;
    expect(at(6) - at(5)).toBeCloseTo(at(2) - at(1), 6);
    expect(at(60)).toBeCloseTo(at(2 * (0.70603 / 0.14849)), 6);
    expect(estimate(trip({ vehicleType: 'rigid_7_5_12t', loadKg: 60_000 })).note).toMatch(
      /capped at 200 % laden — check loadKg/,
    );
  });

  it('refrigerated uses the DESNZ refrigerated table', () => {
    const plain = estimate(trip({ vehicleType: 'articulated_40_44t' }));
    const reefer = estimate(trip({ vehicleType: 'articulated_40_44t', refrigerated: true }));
    expect(reefer.co2eKg).toBeCloseTo(100 * (1.08051 + 0.25581), 6);
    expect(reefer.co2eKg!).toBeGreaterThan(plain.co2eKg!);
  });

  it('generic truck values map to a named default class with a note', () => {
    expect(estimate(trip({ vehicleType: 'articulated_truck' })).note).toMatch(/"All artics"/);
    expect(estimate(trip({ vehicleType: 'rigid_truck' })).note).toMatch(/"All rigids"/);
    expect(estimate(trip({ vehicleType: 'hgv' })).note).toMatch(/"All HGVs"/);
    expect(estimate(trip({})).note).toMatch(/no vehicleType/);
  });

  it('an unknown vehicle class is an error naming vehicleType and listing accepted values', () => {
    try {
      estimate(trip({ vehicleType: 'spaceship' }));
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(EstimateError);
      expect((err as EstimateError).field).toBe('vehicleType');
      expect((err as EstimateError).reason).toMatch(/accepted: .*articulated_40_44t.*rail/);
    }
  });

  it('rail, sea and air are per t·km with the full WTW factor; without a load they are an error naming loadKg', () => {
    const rail = estimate(trip({ vehicleType: 'rail', loadKg: 20_000, distanceKm: 500 }));
    expect(rail.co2eKg).toBeCloseTo(10_000 * (0.02779 + 0.00691), 6);
    expect(rail.wttKg! / rail.co2eKg!).toBeLessThan(0.3); // WTT is a part, not the whole
    expect(() => estimate(trip({ vehicleType: 'rail' }))).toThrow(/loadKg: required for rail freight/);
    const air = estimate(trip({ vehicleType: 'air', loadKg: 1000, distanceKm: 6000 }));
    expect(air.note).toMatch(/long-haul/);
    const belly = estimate(trip({ vehicleType: 'air_belly_long_haul', loadKg: 1000, distanceKm: 6000 }));
    expect(belly.co2eKg).toBeCloseTo(6000 * 0.608, 6);
  });

  it('HVO, CNG and LNG: measured fuel with their own factors; CNG by kg, litres refused naming fuelKg', () => {
    const hvo = estimate(trip({ vehicleType: 'articulated_40_44t', fuelType: 'hvo', fuelL: 32 }));
    expect(hvo.co2eKg).toBeCloseTo(32 * (0.03558 + 0.56439), 6);
    const cng = estimate(trip({ vehicleType: 'articulated_40_44t', fuelType: 'cng', fuelKg: 30 }));
    expect(cng.co2eKg).toBeCloseTo(30 * (2.5625 + 0.53078), 6);
    expect(() => estimate(trip({ fuelType: 'cng', fuelL: 30 }))).toThrow(/fuelKg: CNG is measured in kg/);
    // Without a fuel record: the class's diesel energy re-expressed as HVO (far lower WTW, not zero).
    const diesel = estimate(trip({ vehicleType: 'articulated_40_44t', loadKg: 15_000 }));
    const hvoAct = estimate(trip({ vehicleType: 'articulated_40_44t', loadKg: 15_000, fuelType: 'hvo' }));
    expect(hvoAct.co2eKg!).toBeLessThan(diesel.co2eKg! * 0.3);
    expect(hvoAct.co2eKg!).toBeGreaterThan(diesel.co2eKg! * 0.1);
  });

  it('battery-electric truck of a class: kWh/km × grid WTW of the region', () => {
    const ev = estimate(trip({ vehicleType: 'articulated_40_44t', fuelType: 'electric' }));
    expect(ev.method).toBe('activity');
    const kwh = ev.factors.find((f) => f.unit === 'kWh / km')!;
    expect(kwh.id).toBe('bev.truck.artic-gt33t.kwh-per-km');
    expect(kwh.value).toBeGreaterThan(0.9);
    expect(kwh.value).toBeLessThan(1.5);
    const diesel = estimate(trip({ vehicleType: 'articulated_40_44t' }));
    expect(ev.co2eKg!).toBeLessThan(diesel.co2eKg!);
    expect(ev.co2eKg!).toBeGreaterThan(diesel.co2eKg! * 0.1);
  });

  it('factory: metered electricity + gas is ENERGY; without kWh it is MODEL and pending', () => {
    const f = estimate({ eventType: 'factory', energyKwh: 1000, gasKwh: 500, region: 'UK' });
    expect(f.method).toBe('energy');
    expect(f.ttwKg).toBeCloseTo(500 * 0.18231, 6);
    const m = estimate({ eventType: 'factory', productionUnits: 100 });
    expect(m).toMatchObject({ method: 'model', co2eKg: null });
    expect(m.note).toMatch(/model estimate pending/);
  });

  it('the factor set: every factor has id, version, unit, boundary, source and year; ids are unique', () => {
    expect(FACTOR_SET_VERSION).toMatch(/\S/);
    const ids = new Set<string>();
    for (const f of FACTORS) {
      expect(f.source.length, f.id).toBeGreaterThan(20);
      expect(f.unit, f.id).toMatch(/\//);
      expect(['TTW', 'WTT', 'WTW', 'generation', 'energy']).toContain(f.boundary);
      expect(f.year, f.id).toBeGreaterThan(2010);
      expect(ids.has(f.id)).toBe(false);
      ids.add(f.id);
    }
    // Grid: UK plus EU, US, IN, CN; fuels: diesel, HVO, CNG, LNG, natural gas; rail WTW is TTW + WTT.
    for (const id of [
      'grid.eu.generation',
      'grid.us.generation',
      'grid.in.generation',
      'grid.cn.generation',
      'desnz.fuel.hvo.ttw',
      'desnz.fuel.lng.wtt',
      'desnz.fuel.natural-gas.ttw',
      'desnz.rail.freight.wtt',
    ]) {
      expect(factor(id).value).toBeGreaterThan(0);
    }
  });
});
