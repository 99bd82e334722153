/**
 * Factory day: electricity from production at the site's intensity, the always-on base load outside production
 * hours, process cooling on hot days, plus metered natural gas.
 * TARGET BOUNDARY: scope 1 (natural gas combustion, ≈ 2.04 kg CO2e/m3) + scope 2 location-based (grid factor).
 * Unit: kg CO2e per plant-day.
 *
 * `kwh_per_unit` is the site electricity intensity while producing (what plants publish: total site kWh ÷ units,
 * e.g. 8.7 kWh/hl for a brewery, ≈ 1,400 kWh per vehicle for a car plant); `base_load_kw` is what keeps running
 * when production stops. The ranges span screws (0.01 kWh/unit) to vehicles (thousands of kWh/unit).
 */
import { GRID_FACTORS, GRID_MAX, GRID_MIN, NATURAL_GAS_KG_PER_M3 } from './constants.js';
import type { Rng } from './random.js';
import type { FeatureSpec, Generator, Sample } from './types.js';

export const FACTORY_FEATURES: FeatureSpec[] = [
  {
    name: 'production_units',
    unit: 'units/day',
    min: 0,
    max: 100000,
    kind: 'continuous',
    description: 'Units produced in the day',
  },
  {
    name: 'kwh_per_unit',
    unit: 'kWh/unit',
    min: 0.01,
    max: 5000,
    kind: 'continuous',
    description: 'Site electricity intensity while producing (site kWh ÷ units on a normal production day)',
    unitHints: [
      { scale: 0.001, unit: 'Wh/unit' },
      { scale: 1000, unit: 'MWh/unit' },
    ],
  },
  {
    name: 'base_load_kw',
    unit: 'kW',
    min: 5,
    max: 20000,
    kind: 'continuous',
    description: 'Always-on electrical load when production stops (compressors, lighting, IT, HVAC)',
    unitHints: [
      { scale: 1000, unit: 'MW' },
      { scale: 0.001, unit: 'W' },
    ],
  },
  {
    name: 'shift_hours',
    unit: 'h/day',
    min: 8,
    max: 24,
    kind: 'continuous',
    description: 'Production hours in the day',
  },
  {
    name: 'gas_m3',
    unit: 'm3/day',
    min: 0,
    max: 200000,
    kind: 'continuous',
    description: 'Metered natural gas',
    unitHints: [{ scale: 1 / 10.55, unit: 'kWh (gas)' }],
  },
  {
    name: 'ambient_temp_c',
    unit: '°C',
    min: -10,
    max: 35,
    kind: 'continuous',
    description: 'Mean outdoor temperature',
    unitHints: [{ scale: 5 / 9, unit: '°F (approx.)' }],
  },
  {
    name: 'grid_factor_kg_per_kwh',
    unit: 'kg CO2e/kWh',
    min: GRID_MIN,
    max: GRID_MAX,
    kind: 'continuous',
    description: 'Grid electricity factor of the region',
    unitHints: [{ scale: 0.001, unit: 'g CO2e/kWh' }],
  },
];

/** Share of the base load still running outside production hours (ASSUMPTION: lights and HVAC set back). */
export const OFF_SHIFT_BASE_SHARE = 0.6;

/** Electricity kWh for the day. Off-shift share and cooling coefficient are ASSUMPTIONS of the synthetic world. */
export function factoryKwh(s: Sample): number {
  const production = s.production_units! * s.kwh_per_unit!;
  // a day without production is off-shift all day: the base load still runs
  const productionHours = s.production_units! > 0 ? s.shift_hours! : 0;
  const offShift = s.base_load_kw! * OFF_SHIFT_BASE_SHARE * (24 - productionHours);
  // process and space cooling: +2 % of the base load per °C above 18 °C during production
  const cooling = s.base_load_kw! * 0.02 * Math.max(0, s.ambient_temp_c! - 18) * productionHours;
  return production + offShift + cooling;
}

export function factoryPhysics(s: Sample): number {
  return factoryKwh(s) * s.grid_factor_kg_per_kwh! + s.gas_m3! * NATURAL_GAS_KG_PER_M3;
}

/** Factor-only: units × kWh/unit × grid factor + gas m3 × 2.04 (ignores the off-shift base load and cooling). */
export function factoryBaseline(s: Sample): number {
  return s.production_units! * s.kwh_per_unit! * s.grid_factor_kg_per_kwh! + s.gas_m3! * NATURAL_GAS_KG_PER_M3;
}

export const factory: Generator = {
  name: 'factory',
  description:
    'Manufacturing plant-days: electricity at the site production intensity, off-shift base load, cooling degree-hours, metered natural gas; 5 % unobserved site spread + metering noise',
  boundary:
    'scope 1 natural gas combustion (2.04 kg CO2e/m3, UK DESNZ) + scope 2 location-based electricity (generation grid factor)',
  noiseSigma: 0.05,
  features: FACTORY_FEATURES,
  sample(r: Rng): Sample {
    const shift = r.pick([8, 16, 24, r.uniform(8, 24)]);
    const kwhPerUnit = r.logUniform(0.01, 5000);
    // daily production energy between ~200 kWh and ~2 GWh, whatever the product
    const lo = Math.max(1, 200 / kwhPerUnit);
    const hi = Math.min(100000, 2e6 / kwhPerUnit);
    const base = r.logUniform(5, 20000);
    return {
      production_units: r.next() < 0.05 ? 0 : hi > lo ? r.logUniform(lo, hi) : lo,
      kwh_per_unit: kwhPerUnit,
      base_load_kw: base,
      shift_hours: shift,
      gas_m3: r.next() < 0.15 ? 0 : r.logUniform(10, 200000),
      ambient_temp_c: r.uniform(-10, 35),
      grid_factor_kg_per_kwh: r.pick(GRID_FACTORS),
    };
  },
  physics: factoryPhysics,
  factorOnlyBaseline: factoryBaseline,
  baselineDescription:
    'production_units × kwh_per_unit × grid factor + gas_m3 × 2.04 kg/m3 (no off-shift base load or cooling)',
};
