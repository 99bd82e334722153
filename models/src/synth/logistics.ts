/**
 * Truck / van legs. Ground truth = Comprehensive Modal Emissions Model (CMEM) as used in the Pollution-Routing
 * Problem (Bektaş & Laporte 2011; Demir, Bektaş & Laporte 2011):
 *
 *   F = λ · [ k·N·V·d/v  +  γ·α·M·d  +  γ·β·d·v² ]     litres, d in m, v in m/s, M in kg
 *   α = a + g·sinθ + g·Cr·cosθ
 *
 * extended with: empty running (share of the distance driven at curb mass), stop-and-go (kinetic energy
 * 0.5·M·v² lost per stop, i.e. the `a·d` part of α), idling, refrigeration, and battery-electric vans
 * (tractive energy / drivetrain efficiency + auxiliaries, × regional grid factor).
 *
 * TARGET BOUNDARY: well-to-wheel (WTW = TTW 2.57082 + WTT 0.62665 kg CO2e/L diesel, UK DESNZ 2025) for diesel;
 * generation-based grid factor for electricity (no T&D losses, no upstream fuel). Unit: kg CO2e per leg.
 */
import {
  CMEM_BETA,
  CMEM_CURB_KG,
  CMEM_GAMMA,
  CMEM_K,
  CMEM_LAMBDA,
  CMEM_N,
  CMEM_V,
  AIR_DENSITY,
  DESNZ_VAN_DIESEL_KG_PER_KM,
  DIESEL_WTW_KG_PER_L,
  DIESEL_WTW_OVER_TTW,
  EV_AUX_KW,
  EV_DRIVETRAIN_EFF,
  EV_REEFER_KW,
  EV_REGEN_EFF,
  G,
  GLEC_V2_TRUCK_KG_PER_TKM,
  GRID_FACTORS,
  GRID_MAX,
  GRID_MIN,
  IDLE_L_PER_H,
  REEFER_L_PER_H,
  ROLLING_CR,
  TYPICAL_EV_VAN_KWH_PER_KM,
} from './constants.js';
import type { Rng } from './random.js';
import type { FeatureSpec, Generator, Sample } from './types.js';

export const VEHICLE_CLASSES = {
  0: 'rigid truck, diesel',
  1: 'articulated truck, diesel',
  2: 'van, diesel',
  3: 'van, battery-electric',
} as const;

interface VehicleParams {
  curbKg: number;
  maxLoadKg: number;
  /** engine displacement (L); CMEM V */
  displacementL: number;
  /** β = 0.5·Cd·ρ·A */
  beta: number;
  maxDistanceKm: number;
  electric: boolean;
}

/** Class 0 uses the CMEM reference truck verbatim; the others are ASSUMPTIONS for the synthetic world. */
const VEHICLES: Record<number, VehicleParams> = {
  0: { curbKg: CMEM_CURB_KG, maxLoadKg: 12000, displacementL: CMEM_V, beta: CMEM_BETA, maxDistanceKm: 800, electric: false },
  // articulated: tractor + trailer ≈ 14 t curb, 26 t payload, 10 L engine, Cd 0.6, A 9 m² (ASSUMPTION)
  1: { curbKg: 14000, maxLoadKg: 26000, displacementL: 10, beta: 0.5 * 0.6 * AIR_DENSITY * 9, maxDistanceKm: 1200, electric: false },
  // diesel van: 2 t curb, 1.5 t payload, 2.2 L engine, Cd 0.4, A 4 m² (ASSUMPTION)
  2: { curbKg: 2000, maxLoadKg: 1500, displacementL: 2.2, beta: 0.5 * 0.4 * AIR_DENSITY * 4, maxDistanceKm: 400, electric: false },
  // EV van: 2.3 t curb (battery), 1.2 t payload (ASSUMPTION)
  3: { curbKg: 2300, maxLoadKg: 1200, displacementL: 0, beta: 0.5 * 0.4 * AIR_DENSITY * 4, maxDistanceKm: 300, electric: true },
};

export const LOGISTICS_FEATURES: FeatureSpec[] = [
  { name: 'distance_km', unit: 'km', min: 5, max: 1200, kind: 'continuous', description: 'Total distance driven on the leg, including empty running', unitHints: [{ scale: 0.001, unit: 'm' }, { scale: 1.609344, unit: 'mi' }] },
  { name: 'load_kg', unit: 'kg', min: 50, max: 26000, kind: 'continuous', description: 'Payload carried on the loaded part of the leg', unitHints: [{ scale: 1000, unit: 't' }] },
  { name: 'speed_kmh', unit: 'km/h', min: 15, max: 95, kind: 'continuous', description: 'Average moving speed', unitHints: [{ scale: 3.6, unit: 'm/s' }, { scale: 1.609344, unit: 'mph' }] },
  { name: 'gradient_pct', unit: '%', min: -2, max: 4, kind: 'continuous', description: 'Average road gradient (net climb per distance), percent', unitHints: [{ scale: 100, unit: 'fraction' }] },
  { name: 'stops_per_100km', unit: '1/100 km', min: 0, max: 60, kind: 'continuous', description: 'Full stops (stop-and-go) per 100 km' },
  { name: 'idle_min', unit: 'min', min: 0, max: 180, kind: 'continuous', description: 'Engine idling time on the leg', unitHints: [{ scale: 60, unit: 'h' }] },
  { name: 'refrigerated', unit: '0/1', min: 0, max: 1, kind: 'binary', description: '1 when a refrigeration unit runs for the whole leg' },
  { name: 'empty_share', unit: 'fraction', min: 0, max: 0.5, kind: 'continuous', description: 'Share of distance driven empty (GLEC/iLEAP emptyDistanceFactor)', unitHints: [{ scale: 0.01, unit: '%' }] },
  { name: 'vehicle_class', unit: 'code', min: 0, max: 3, kind: 'categorical', description: 'Vehicle class', categories: { '0': VEHICLE_CLASSES[0], '1': VEHICLE_CLASSES[1], '2': VEHICLE_CLASSES[2], '3': VEHICLE_CLASSES[3] } },
  { name: 'grid_factor_kg_per_kwh', unit: 'kg CO2e/kWh', min: GRID_MIN, max: GRID_MAX, kind: 'continuous', description: 'Grid electricity factor of the region (used by EVs)', unitHints: [{ scale: 0.001, unit: 'g CO2e/kWh' }] },
];

/** Fuel litres (diesel) or kWh (EV) for one leg, split into components (exported for docs/tests). */
export function logisticsEnergy(s: Sample): { litres: number; kwh: number } {
  const cls = Math.round(s.vehicle_class!);
  const veh = VEHICLES[cls];
  if (!veh) throw new Error(`vehicle_class ${s.vehicle_class} unknown`);
  const dTotal = s.distance_km! * 1000; // m
  const v = s.speed_kmh! / 3.6; // m/s
  const theta = Math.atan(s.gradient_pct! / 100);
  const alphaStatic = G * Math.sin(theta) + G * ROLLING_CR * Math.cos(theta);
  const e = s.empty_share!;
  const segments: Array<{ d: number; M: number }> = [
    { d: dTotal * (1 - e), M: veh.curbKg + s.load_kg! },
    { d: dTotal * e, M: veh.curbKg },
  ];
  const stopsPerM = s.stops_per_100km! / 100000;
  const movingH = s.distance_km! / s.speed_kmh!;
  const idleH = s.idle_min! / 60;
  const reefer = s.refrigerated! >= 0.5;

  if (!veh.electric) {
    let litres = 0;
    for (const { d, M } of segments) {
      if (d <= 0) continue;
      const engine = (CMEM_K * CMEM_N * veh.displacementL * d) / v;
      // α·M·d with a·d = (stops on the segment) × 0.5·v² (kinetic energy lost per stop); fuel cut-off when < 0
      const massWork = Math.max(0, alphaStatic * M * d + stopsPerM * d * 0.5 * M * v * v);
      const drag = veh.beta * d * v * v;
      litres += CMEM_LAMBDA * (engine + CMEM_GAMMA * massWork + CMEM_GAMMA * drag);
    }
    litres += IDLE_L_PER_H * idleH;
    if (reefer) litres += REEFER_L_PER_H * (movingH + idleH);
    return { litres, kwh: 0 };
  }
  let joules = 0;
  for (const { d, M } of segments) {
    if (d <= 0) continue;
    const grade = alphaStatic * M * d;
    const gradeNet = grade >= 0 ? grade / EV_DRIVETRAIN_EFF : grade * EV_DRIVETRAIN_EFF * EV_REGEN_EFF;
    const stopLoss = (stopsPerM * d * 0.5 * M * v * v * (1 - EV_REGEN_EFF)) / EV_DRIVETRAIN_EFF;
    const drag = (veh.beta * d * v * v) / EV_DRIVETRAIN_EFF;
    joules += gradeNet + stopLoss + drag;
  }
  let kwh = Math.max(0, joules) / 3.6e6 + EV_AUX_KW * (movingH + idleH);
  if (reefer) kwh += EV_REEFER_KW * (movingH + idleH);
  return { litres: 0, kwh };
}

export function logisticsPhysics(s: Sample): number {
  const { litres, kwh } = logisticsEnergy(s);
  return litres * DIESEL_WTW_KG_PER_L + kwh * s.grid_factor_kg_per_kwh!;
}

/**
 * Factor-only baseline (what a REST carbon-factor API returns):
 *  trucks: payload t × distance km × 0.09516 kg/t·km (GLEC v2 default, TTW), diesel vans: 0.25023 kg/km
 *  (DESNZ 2025, TTW); both lifted to WTW with the diesel WTW/TTW ratio (1.2438) so that the comparison is
 *  boundary-consistent with the WTW target. EV vans: 0.20 kWh/km × grid factor.
 */
export function logisticsBaseline(s: Sample): number {
  const cls = Math.round(s.vehicle_class!);
  if (cls === 0 || cls === 1) return (s.load_kg! / 1000) * s.distance_km! * GLEC_V2_TRUCK_KG_PER_TKM * DIESEL_WTW_OVER_TTW;
  if (cls === 2) return s.distance_km! * DESNZ_VAN_DIESEL_KG_PER_KM * DIESEL_WTW_OVER_TTW;
  return s.distance_km! * TYPICAL_EV_VAN_KWH_PER_KM * s.grid_factor_kg_per_kwh!;
}

function sampleLogistics(r: Rng): Sample {
  const cls = r.pick([0, 0, 1, 1, 1, 2, 2, 3, 3]);
  const veh = VEHICLES[cls]!;
  const van = cls >= 2;
  const distance = r.logUniform(5, veh.maxDistanceKm);
  const load = r.uniform(van ? 50 : 500, veh.maxLoadKg);
  const speed = van ? r.uniform(15, 90) : r.uniform(20, 95);
  return {
    distance_km: distance,
    load_kg: load,
    speed_kmh: speed,
    gradient_pct: r.uniform(-2, 4),
    stops_per_100km: van ? r.uniform(0, 60) : r.uniform(0, 15),
    idle_min: r.next() < 0.3 ? 0 : r.uniform(0, 180),
    refrigerated: r.bernoulli(0.25),
    empty_share: r.uniform(0, van ? 0.3 : 0.5),
    vehicle_class: cls,
    grid_factor_kg_per_kwh: r.pick(GRID_FACTORS),
  };
}

export const logistics: Generator = {
  name: 'logistics',
  description: 'Road freight legs (rigid/articulated diesel trucks, diesel and battery-electric vans): CMEM physics + empty running, stop-and-go, idling, refrigeration, EV grid factors, 3 % multiplicative noise',
  boundary: 'WTW for diesel (TTW 2.57082 + WTT 0.62665 kg CO2e/L, UK DESNZ 2025); generation-based grid factor for electricity',
  noiseSigma: 0.03,
  features: LOGISTICS_FEATURES,
  sample: sampleLogistics,
  physics: logisticsPhysics,
  factorOnlyBaseline: logisticsBaseline,
  baselineDescription: 'trucks: t·km × 0.09516 kg/t·km (GLEC v2, TTW); diesel vans: km × 0.25023 kg/km (DESNZ 2025, TTW); both × 1.2438 (WTW/TTW diesel) for a boundary-consistent comparison; EV vans: km × 0.20 kWh/km × grid factor',
};
