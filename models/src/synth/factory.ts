/**
 * Factory day: metered natural gas + electricity from process load, always-on base load and cooling.
 * TARGET BOUNDARY: scope 1 (natural gas combustion, ≈ 2.04 kg CO2e/m3) + scope 2 location-based (grid factor).
 * Unit: kg CO2e per plant-day.
 */
import { GRID_FACTORS, GRID_MAX, GRID_MIN, NATURAL_GAS_KG_PER_M3 } from './constants.js';
import type { Rng } from './random.js';
import type { FeatureSpec, Generator, Sample } from './types.js';

export const FACTORY_FEATURES: FeatureSpec[] = [
  { name: 'production_units', unit: 'units/day', min: 0, max: 50000, kind: 'continuous', description: 'Units produced in the day' },
  { name: 'kwh_per_unit', unit: 'kWh/unit', min: 0.2, max: 20, kind: 'continuous', description: 'Process electricity intensity of the product mix at full load', unitHints: [{ scale: 0.001, unit: 'Wh/unit' }] },
  { name: 'base_load_kw', unit: 'kW', min: 20, max: 2000, kind: 'continuous', description: 'Always-on electrical load (compressors, lighting, IT)', unitHints: [{ scale: 1000, unit: 'MW' }, { scale: 0.001, unit: 'W' }] },
  { name: 'shift_hours', unit: 'h/day', min: 8, max: 24, kind: 'continuous', description: 'Production hours in the day' },
  { name: 'gas_m3', unit: 'm3/day', min: 0, max: 20000, kind: 'continuous', description: 'Metered natural gas', unitHints: [{ scale: 1 / 10.55, unit: 'kWh (gas)' }] },
  { name: 'ambient_temp_c', unit: '°C', min: -10, max: 35, kind: 'continuous', description: 'Mean outdoor temperature', unitHints: [{ scale: 5 / 9, unit: '°F (approx.)' }] },
  { name: 'grid_factor_kg_per_kwh', unit: 'kg CO2e/kWh', min: GRID_MIN, max: GRID_MAX, kind: 'continuous', description: 'Grid electricity factor of the region', unitHints: [{ scale: 0.001, unit: 'g CO2e/kWh' }] },
];

/** Electricity kWh for the day. Part-load penalty and cooling coefficients are ASSUMPTIONS of the synthetic world. */
export function factoryKwh(s: Sample): number {
  const rate = s.production_units! / s.shift_hours!; // units per production hour
  const process = s.production_units! * s.kwh_per_unit! * (1 + 0.2 * Math.exp(-rate / 400)); // part-load penalty
  const base = s.base_load_kw! * 24 * (0.55 + 0.45 * (s.shift_hours! / 24)); // base load partly shut outside shifts
  const cooling = s.base_load_kw! * 0.02 * Math.max(0, s.ambient_temp_c! - 18) * s.shift_hours!; // cooling degree-hours
  return process + base + cooling;
}

export function factoryPhysics(s: Sample): number {
  return factoryKwh(s) * s.grid_factor_kg_per_kwh! + s.gas_m3! * NATURAL_GAS_KG_PER_M3;
}

/** Factor-only: units × kWh/unit × grid factor + gas m3 × 2.04 (ignores base load, part load and cooling). */
export function factoryBaseline(s: Sample): number {
  return s.production_units! * s.kwh_per_unit! * s.grid_factor_kg_per_kwh! + s.gas_m3! * NATURAL_GAS_KG_PER_M3;
}

export const factory: Generator = {
  name: 'factory',
  description: 'Manufacturing plant-days: process electricity with part-load penalty, always-on base load, cooling degree-hours, metered natural gas; 3 % multiplicative noise',
  boundary: 'scope 1 natural gas combustion (2.04 kg CO2e/m3, UK DESNZ — verify) + scope 2 location-based electricity (generation grid factor)',
  noiseSigma: 0.03,
  features: FACTORY_FEATURES,
  sample(r: Rng): Sample {
    const shift = r.pick([8, 16, 24, r.uniform(8, 24)]);
    return {
      production_units: r.next() < 0.05 ? 0 : r.logUniform(50, 50000),
      kwh_per_unit: r.logUniform(0.2, 20),
      base_load_kw: r.logUniform(20, 2000),
      shift_hours: shift,
      gas_m3: r.next() < 0.15 ? 0 : r.logUniform(10, 20000),
      ambient_temp_c: r.uniform(-10, 35),
      grid_factor_kg_per_kwh: r.pick(GRID_FACTORS),
    };
  },
  physics: factoryPhysics,
  factorOnlyBaseline: factoryBaseline,
  baselineDescription: 'production_units × kwh_per_unit × grid factor + gas_m3 × 2.04 kg/m3 (no base load, part-load or cooling)',
};
