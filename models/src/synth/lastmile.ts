/**
 * Last-mile delivery route-day: diesel van, battery-electric van or e-cargo bike, stop density, parcels,
 * failed deliveries (re-attempt distance and stops). TARGET BOUNDARY: WTW for diesel (DESNZ 2025 TTW + WTT),
 * generation grid factor for electricity. Unit: kg CO2e per route.
 */
import {
  DESNZ_VAN_DIESEL_KG_PER_KM,
  DIESEL_WTW_KG_PER_L,
  DIESEL_WTW_OVER_TTW,
  EV_CHARGING_EFF,
  GRID_FACTORS,
  GRID_MAX,
  GRID_MIN,
  TYPICAL_EV_VAN_KWH_PER_KM,
} from './constants.js';
import { VEHICLES } from './logistics.js';

/** Same vans as the logistics model: diesel idling (L/h) and BEV auxiliaries (kW). */
const VAN_IDLE_L_PER_H = VEHICLES[2]!.idle;
const EV_VAN_AUX_KW = VEHICLES[3]!.idle;
import type { Rng } from './random.js';
import type { FeatureSpec, Generator, Sample } from './types.js';

export const LASTMILE_VEHICLES = { 0: 'van, diesel', 1: 'van, battery-electric', 2: 'e-cargo bike' } as const;

export const LASTMILE_FEATURES: FeatureSpec[] = [
  { name: 'stops', unit: 'count', min: 1, max: 200, kind: 'integer', description: 'Planned delivery stops' },
  { name: 'parcels', unit: 'count', min: 1, max: 500, kind: 'integer', description: 'Parcels on board at departure' },
  {
    name: 'distance_km',
    unit: 'km',
    min: 2,
    max: 250,
    kind: 'continuous',
    description: 'Planned route distance',
    unitHints: [
      { scale: 0.001, unit: 'm' },
      { scale: 1.609344, unit: 'mi' },
    ],
  },
  {
    name: 'vehicle',
    unit: 'code',
    min: 0,
    max: 2,
    kind: 'categorical',
    description: 'Vehicle type',
    categories: { '0': LASTMILE_VEHICLES[0], '1': LASTMILE_VEHICLES[1], '2': LASTMILE_VEHICLES[2] },
  },
  {
    name: 'failed_share',
    unit: 'fraction',
    min: 0,
    max: 0.3,
    kind: 'continuous',
    description: 'Share of stops that fail and need a re-attempt',
    unitHints: [{ scale: 0.01, unit: '%' }],
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

/** Coefficients below are ASSUMPTIONS of the synthetic world, sized so a diesel van at low stop density lands near
 *  the DESNZ 2025 average van factor (0.25023 kg CO2e/km TTW ≈ 0.097 L/km) and a BEV van near 0.2–0.25 kWh/km at the
 *  plug (Ford E-Transit 68 kWh / 317 km WLTP ≈ 0.215 kWh/km at the battery). EV energy is grid kWh (÷ charging
 *  efficiency). */
export function lastmileEnergy(s: Sample): { litres: number; kwh: number } {
  const reattempt = s.failed_share!;
  const dist = s.distance_km! * (1 + 0.35 * reattempt); // re-attempts add distance
  const stops = s.stops! * (1 + reattempt);
  const density = Math.min(stops / dist, 8); // stops per km
  const payloadKg = s.parcels! * 3;
  const hours = dist / 28 + (stops * 2.5) / 60;
  const veh = Math.round(s.vehicle!);
  if (veh === 0) {
    const lPerKm = 0.085 * (1 + 0.12 * density) * (1 + payloadKg / 8000);
    const idle = ((stops * 2.5) / 60) * 0.3 * VAN_IDLE_L_PER_H; // engine left running at 30 % of stops
    return { litres: dist * lPerKm + idle, kwh: 0 };
  }
  if (veh === 1) {
    const kwhPerKm = 0.17 * (1 + 0.06 * density) * (1 + payloadKg / 10000);
    return { litres: 0, kwh: (dist * kwhPerKm + EV_VAN_AUX_KW * hours * 0.5) / EV_CHARGING_EFF };
  }
  return { litres: 0, kwh: (dist * 0.012 * (1 + payloadKg / 2000)) / EV_CHARGING_EFF }; // e-assist cargo bike
}

export function lastmilePhysics(s: Sample): number {
  const e = lastmileEnergy(s);
  return e.litres * DIESEL_WTW_KG_PER_L + e.kwh * s.grid_factor_kg_per_kwh!;
}

/** Factor-only: diesel van km × 0.25023 (DESNZ 2025 TTW) × WTW/TTW; EV van km × 0.20 kWh/km × grid; bike 0. */
export function lastmileBaseline(s: Sample): number {
  const veh = Math.round(s.vehicle!);
  if (veh === 0) return s.distance_km! * DESNZ_VAN_DIESEL_KG_PER_KM * DIESEL_WTW_OVER_TTW;
  if (veh === 1) return s.distance_km! * TYPICAL_EV_VAN_KWH_PER_KM * s.grid_factor_kg_per_kwh!;
  return 0;
}

export const lastmile: Generator = {
  name: 'lastmile',
  description:
    'Last-mile route-days (diesel van, EV van, e-cargo bike): stop density, payload, failed-delivery re-attempts, dwell idling, EV charging losses; 8 % unobserved vehicle/driver spread + 3 % metering noise',
  boundary: 'WTW for diesel (UK DESNZ 2025 TTW + WTT); generation-based grid factor for electricity',
  noiseSigma: 0.085,
  features: LASTMILE_FEATURES,
  sample(r: Rng): Sample {
    const vehicle = r.pick([0, 0, 1, 1, 2]);
    const distance = vehicle === 2 ? r.uniform(2, 60) : r.uniform(10, 250);
    const stops = r.int(1, vehicle === 2 ? 80 : 200);
    return {
      stops,
      parcels: Math.min(500, Math.round(stops * r.uniform(1, 2.5))),
      distance_km: distance,
      vehicle,
      failed_share: r.uniform(0, 0.3),
      grid_factor_kg_per_kwh: r.pick(GRID_FACTORS),
    };
  },
  physics: lastmilePhysics,
  factorOnlyBaseline: lastmileBaseline,
  baselineDescription:
    'diesel van: km × 0.25023 kg/km (DESNZ 2025 TTW) × 1.2438 WTW/TTW; EV van: km × 0.20 kWh/km × grid; cargo bike: 0',
};
