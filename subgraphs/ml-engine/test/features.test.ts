// Event → model features: vehicle classes by weight and powertrain, defaults, and the reference trip through the
// real ONNX model.
import { describe, it, expect, beforeAll } from 'vitest';
import { LOGISTICS_VEHICLES } from '@carbon-nexus/models';
import { gvwTonnes, mapTransport, vehicleClass, CLASS } from '../src/domain/features/transport.ts';
import { mapEvent, type NormalizedEvent } from '../src/domain/features/index.ts';
import { loadAllModels, type EngineModel, type StoredModelName } from '../src/engine/models-adapter.ts';
import { createInferenceEngine, rowsToBatch } from '../src/engine/inference.ts';

const ev = (o: Partial<NormalizedEvent>): NormalizedEvent => ({
  id: 'e',
  supplierId: 's',
  eventType: 'TRANSPORT',
  timestamp: '2026-11-20T08:00:00Z',
  distanceKm: 100,
  ...o,
});
const noMetrics = {
  counter: () => ({ inc() {} }),
  histogram: () => ({ observe() {} }),
  gauge: () => ({ set() {} }),
} as any;

describe('vehicle classes', () => {
  it.each([
    ['articulated_truck', 'diesel', CLASS.ARTIC_34_40T],
    ['articulated_40-44t', 'diesel', CLASS.ARTIC_40_44T],
    ['articulated_truck_34-40t', 'diesel', CLASS.ARTIC_34_40T],
    ['rigid_truck', 'diesel', CLASS.RIGID_17T_PLUS],
    ['rigid_truck_7.5-12t', 'diesel', CLASS.RIGID_7_5_17T],
    ['rigid_3.5-7.5t', 'diesel', CLASS.RIGID_3_5_7_5T],
    ['rigid_26-32t', 'diesel', CLASS.RIGID_17T_PLUS],
    ['hgv rigid >17t', 'diesel', CLASS.RIGID_17T_PLUS],
    ['truck', 'diesel', CLASS.RIGID_17T_PLUS],
    ['hgv', 'diesel', CLASS.ARTIC_34_40T],
    ['van', 'diesel', CLASS.VAN_DIESEL],
    ['van', 'electric', CLASS.VAN_BEV],
    ['ev_van', 'electric', CLASS.VAN_BEV],
    ['ev_truck', 'electric', CLASS.RIGID_BEV],
    ['rigid_truck', 'electric', CLASS.RIGID_BEV],
    ['articulated_truck', 'electric', CLASS.ARTIC_BEV],
  ] as const)('%s / %s → class %i', (vehicleType, fuelType, code) => {
    expect(vehicleClass(ev({ vehicleType, fuelType }))).toBe(code);
  });

  it('reads the weight class from attributes and text', () => {
    expect(gvwTonnes(ev({ vehicleType: 'rigid', attributes: { gvwKg: 12000 } }))).toBe(12);
    expect(vehicleClass(ev({ vehicleType: 'rigid_truck', attributes: { gvwT: 7.5 } }))).toBe(CLASS.RIGID_3_5_7_5T);
    expect(gvwTonnes(ev({ vehicleType: 'rigid 12-20t' }))).toBe(16);
    expect(gvwTonnes(ev({ vehicleType: 'truck 44t' }))).toBe(44);
    expect(vehicleClass(ev({ vehicleType: 'lorry', attributes: { gvwT: 44 } }))).toBe(CLASS.ARTIC_40_44T);
  });

  it('defaults the payload to half the rated payload of the class; skips non-road modes and legs without distance', () => {
    const specs = [{ name: 'load_kg', min: 50, max: 29000, kind: 'continuous' }];
    for (const code of [CLASS.RIGID_3_5_7_5T, CLASS.ARTIC_40_44T]) {
      const vehicleType = code === CLASS.RIGID_3_5_7_5T ? 'rigid_3.5-7.5t' : 'articulated_40-44t';
      const r = mapTransport(ev({ vehicleType }), specs) as any;
      expect(r.features.load_kg).toBe(LOGISTICS_VEHICLES[code]!.maxLoadKg / 2);
      expect(r.adjust.defaulted).toContain('load_kg');
    }
    expect((mapTransport(ev({ vehicleType: 'rail' }), specs) as any).skip).toMatch(/non-road/);
    expect((mapTransport(ev({ vehicleType: 'van', distanceKm: null }), specs) as any).skip).toMatch(
      /without distanceKm/,
    );
  });
});

describe('mapped events through the real models', () => {
  let models: Map<StoredModelName, EngineModel>;
  beforeAll(async () => {
    models = (await loadAllModels()).models;
  });

  async function predict(e: NormalizedEvent) {
    const m = mapEvent(e, models);
    if ('skip' in m) throw new Error(m.skip);
    const engine = createInferenceEngine(models, noMetrics);
    const model = engine.get(m.model);
    const [r] = await engine.run(m.model, rowsToBatch(model, [m.features]), { adjust: [m.adjust], explain: 'path' });
    return r!;
  }

  it('reference trip: 40 t articulated, 100 km, 20 t payload lands at 95–115 kg CO2e WTW (30–35 L diesel)', async () => {
    const r = await predict(
      ev({ vehicleType: 'articulated_truck', fuelType: 'diesel', loadKg: 20000, speedKmh: 75, region: 'UK' }),
    );
    expect(r.co2eKg).toBeGreaterThan(95);
    expect(r.co2eKg).toBeLessThan(115);
    // contributions add up to prediction − expected (the offset split included)
    const sum = r.contributions.reduce((a, c) => a + c.contributionKg, 0);
    expect(sum).toBeCloseTo(r.co2eKg - r.expectedKg, 6);
  });

  it('a battery-electric truck is not a van: the BEV rigid uses several times the energy of a BEV van', async () => {
    const van = await predict(ev({ vehicleType: 'ev_van', fuelType: 'electric', loadKg: 600, region: 'UK' }));
    const truck = await predict(ev({ vehicleType: 'ev_truck', fuelType: 'electric', loadKg: 6000, region: 'UK' }));
    expect(truck.co2eKg / van.co2eKg).toBeGreaterThan(2.5);
  });

  it('factory events: the physics offset keeps explanations exact', async () => {
    const r = await predict(
      ev({
        eventType: 'FACTORY',
        distanceKm: null,
        productionUnits: 2000,
        energyKwh: 5000,
        facilityId: 'F1',
        region: 'CN',
      }),
    );
    const sum = r.contributions.reduce((a, c) => a + c.contributionKg, 0);
    expect(sum).toBeCloseTo(r.co2eKg - r.expectedKg, 6);
    // 5,000 kWh of production electricity on the Chinese grid is ≈ 2.7 t; the day adds the off-shift base load
    expect(r.co2eKg).toBeGreaterThan(2500);
    expect(r.co2eKg).toBeLessThan(4500);
  });
});
