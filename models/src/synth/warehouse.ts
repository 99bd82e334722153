/**
 * Warehouse day (a GLEC/ISO 14083 "hub"): lighting, space conditioning, cold storage and electric material
 * handling. TARGET BOUNDARY: scope 2 location-based electricity (generation grid factor). Unit: kg CO2e per day.
 */
import { GRID_FACTORS, GRID_MAX, GRID_MIN } from './constants.js';
import type { Rng } from './random.js';
import type { FeatureSpec, Generator, Sample } from './types.js';

/** CIBSE TM46 "distribution and storage" electricity benchmark ≈ 35 kWh/m²/yr (verify) — factor-only baseline. */
export const TM46_STORAGE_KWH_PER_M2_YR = 35;

export const WAREHOUSE_FEATURES: FeatureSpec[] = [
  {
    name: 'area_m2',
    unit: 'm2',
    min: 500,
    max: 100000,
    kind: 'continuous',
    description: 'Gross internal floor area',
    unitHints: [{ scale: 0.092903, unit: 'ft2' }],
  },
  {
    name: 'refrigerated_share',
    unit: 'fraction',
    min: 0,
    max: 1,
    kind: 'continuous',
    description: 'Share of floor area that is chilled/frozen storage',
    unitHints: [{ scale: 0.01, unit: '%' }],
  },
  {
    name: 'throughput_t',
    unit: 't/day',
    min: 0,
    max: 5000,
    kind: 'continuous',
    description: 'Tonnes handled (in + out) in the day',
    unitHints: [{ scale: 0.001, unit: 'kg' }],
  },
  { name: 'hours', unit: 'h/day', min: 8, max: 24, kind: 'continuous', description: 'Operating hours in the day' },
  {
    name: 'ambient_temp_c',
    unit: '°C',
    min: -10,
    max: 35,
    kind: 'continuous',
    description: 'Mean outdoor temperature',
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

/**
 * kWh/day. Intensities are ASSUMPTIONS of the synthetic world (typical orders of magnitude); the refrigeration load
 * (28 W/m² of chilled floor at 15 °C outdoors) is calibrated on E Source's refrigerated-warehouse average
 * (24.9 kWh/ft²/yr ≈ 268 kWh/m²/yr); the non-refrigerated average (6.1 kWh/ft²/yr ≈ 66 kWh/m²/yr) is a held-out check
 * (REPORT.md, real-world reference cases).
 */
export function warehouseKwh(s: Sample): number {
  const a = s.area_m2!;
  const cold = a * s.refrigerated_share!;
  const ambient = a - cold;
  const T = s.ambient_temp_c!;
  const lighting = (a * 6 * s.hours!) / 1000; // 6 W/m² while operating
  const standby = (a * 1 * 24) / 1000; // 1 W/m² always on
  const conditioning = (ambient * 4 * (Math.abs(T - 15) / 10) * s.hours!) / 1000; // heating/cooling degree load
  const refrigeration = (cold * 28 * 24 * Math.max(0.3, 1 + 0.035 * (T - 15))) / 1000; // 28 W/m² at 15 °C, COP drops with heat
  const handling = s.throughput_t! * 1.8 * (1 + 0.15 * s.refrigerated_share!); // electric MHE, kWh/t
  return lighting + standby + conditioning + refrigeration + handling;
}

export function warehousePhysics(s: Sample): number {
  return warehouseKwh(s) * s.grid_factor_kg_per_kwh!;
}

export function warehouseBaseline(s: Sample): number {
  return ((s.area_m2! * TM46_STORAGE_KWH_PER_M2_YR) / 365) * s.grid_factor_kg_per_kwh!;
}

export const warehouse: Generator = {
  name: 'warehouse',
  description:
    'Warehouse-days: lighting, standby, degree-driven space conditioning, cold storage with temperature-dependent COP, electric material handling; 12 % unobserved building spread (envelope, equipment age, controls) + metering noise',
  boundary: 'scope 2 location-based electricity (generation grid factor)',
  noiseSigma: 0.12,
  features: WAREHOUSE_FEATURES,
  sample(r: Rng): Sample {
    return {
      area_m2: r.logUniform(500, 100000),
      refrigerated_share: r.next() < 0.4 ? 0 : r.uniform(0, 1),
      throughput_t: r.uniform(0, 5000) * r.next(),
      hours: r.pick([8, 12, 16, 24, r.uniform(8, 24)]),
      ambient_temp_c: r.uniform(-10, 35),
      grid_factor_kg_per_kwh: r.pick(GRID_FACTORS),
    };
  },
  physics: warehousePhysics,
  factorOnlyBaseline: warehouseBaseline,
  baselineDescription: 'area_m2 × 35 kWh/m²/yr ÷ 365 (CIBSE TM46 storage benchmark — verify) × grid factor',
};
