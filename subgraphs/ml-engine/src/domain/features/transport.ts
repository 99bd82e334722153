// TRANSPORT event → logistics model (kg CO2e per road freight leg, WTW).
//
// Vehicle class (model codes, models/src/synth/logistics.ts): from vehicleType, its weight class when it names one
// ("rigid_truck_7.5-12t", "hgv rigid >17t", "articulated_40-44t", or attributes.gvwT / gvwKg), and the powertrain
// (fuelType/vehicleType electric → battery-electric van/rigid/articulated). A rigid truck without weight class is
// the generic rigid >17 t (code 0), an articulated one the 34–40 t (code 1); ev_truck without weight is the BEV rigid.
// Rail/ferry/air legs are skipped (road model only). With no vehicle type the class follows the load.
//
// Defaults for measures the event does not carry (each lowers the prediction's confidence):
//   load_kg           half the rated payload of the class
//   speed_kmh         60 km/h trucks, 40 km/h vans
//   gradient_pct      0 % (flat)
//   stops_per_100km   stops / distance × 100 when `stops` is given, else 0
//   idle_min          0
//   refrigerated      0 unless the event says so
//   empty_share       attributes.emptyShare (iLEAP emptyDistanceFactor), else 0 — all distance treated as loaded
//   grid_factor       from region (see common.ts), else EU-27 0.281 kg CO2e/kWh
// A leg without distance cannot be predicted (skipped and counted).
import { LOGISTICS_VEHICLES } from '@carbon-nexus/models';
import { RowBuilder, attr, gridFactor, isElectric, lower, num, DEFAULT_GRID_KG_PER_KWH } from './common.ts';
import type { FeatureSpecLike, MapResult, NormalizedEvent } from './types.ts';

/** Model class codes (models/src/synth/logistics.ts VEHICLE_CLASSES). */
export const CLASS = {
  RIGID_17T_PLUS: 0,
  ARTIC_34_40T: 1,
  VAN_DIESEL: 2,
  VAN_BEV: 3,
  RIGID_3_5_7_5T: 4,
  RIGID_7_5_17T: 5,
  ARTIC_40_44T: 6,
  RIGID_BEV: 7,
  ARTIC_BEV: 8,
} as const;

/**
 * Gross vehicle (or combination) weight in tonnes named by the event: "7.5-12t" → midpoint 9.75, ">17t" → 18,
 * "44t" → 44; attributes gvwT / gvwKg / grossVehicleWeightKg win over the text.
 */
export function gvwTonnes(e: NormalizedEvent): number | undefined {
  const kg = attr(e, 'gvwKg', 'gvw_kg', 'grossVehicleWeightKg');
  if (kg !== undefined && kg > 0) return kg / 1000;
  const t = attr(e, 'gvwT', 'gvw_t', 'grossVehicleWeightT');
  if (t !== undefined && t > 0) return t;
  const v = lower(e.vehicleType).replace(/,/g, '.');
  const range = v.match(/(\d+(?:\.\d+)?)\s*(?:t\s*)?(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*t/);
  if (range) return (Number(range[1]) + Number(range[2])) / 2;
  const above = v.match(/(?:>|over|gt|above)\s*(\d+(?:\.\d+)?)\s*t/);
  if (above) return Number(above[1]) + 1;
  const single = v.match(/(\d+(?:\.\d+)?)\s*t(?:onnes?)?(?![a-z])/);
  if (single) return Number(single[1]);
  return undefined;
}

function rigidByWeight(gvw: number | undefined): number {
  if (gvw === undefined) return CLASS.RIGID_17T_PLUS;
  if (gvw <= 7.5) return CLASS.RIGID_3_5_7_5T;
  if (gvw <= 17) return CLASS.RIGID_7_5_17T;
  return CLASS.RIGID_17T_PLUS;
}

/** data-core vehicle types (rigid_truck | articulated_truck | truck | hgv | van | ev_truck | ev_van | weight classes). */
export function vehicleClass(e: NormalizedEvent): number | undefined {
  const v = lower(e.vehicleType).replace(/[_-]/g, ' ');
  if (!v.trim()) return undefined;
  const electric = isElectric(e);
  const gvw = gvwTonnes(e);
  if (/\bvan\b|lcv|sprinter|light commercial/.test(v)) return electric ? CLASS.VAN_BEV : CLASS.VAN_DIESEL;
  const artic = /artic|semi|tractor|trailer/.test(v) || (gvw !== undefined && gvw > 33 && !/rigid/.test(v));
  if (electric) {
    if (artic) return CLASS.ARTIC_BEV;
    if (/truck|hgv|lorry|rigid/.test(v)) return CLASS.RIGID_BEV;
    return CLASS.VAN_BEV; // an electric vehicle that is not a truck: the van class is the closest
  }
  if (artic) return gvw !== undefined && gvw > 40 ? CLASS.ARTIC_40_44T : CLASS.ARTIC_34_40T;
  if (/\bhgv\b/.test(v) && !/rigid/.test(v)) return CLASS.ARTIC_34_40T; // UK "HGV" without a body type: most HGV km are artics
  if (/truck|rigid|lorry|diesel/.test(v)) return rigidByWeight(gvw);
  return undefined;
}

/** Class from the payload alone (no usable vehicle type). */
function classFromLoad(load: number | undefined): number {
  if (load === undefined) return CLASS.RIGID_17T_PLUS;
  if (load <= 1500) return CLASS.VAN_DIESEL;
  if (load <= 3500) return CLASS.RIGID_3_5_7_5T;
  if (load <= 8500) return CLASS.RIGID_7_5_17T;
  if (load <= 15000) return CLASS.RIGID_17T_PLUS;
  if (load <= 25000) return CLASS.ARTIC_34_40T;
  return CLASS.ARTIC_40_44T;
}

export function mapTransport(e: NormalizedEvent, specs: FeatureSpecLike[]): MapResult {
  const distance = num(e.distanceKm);
  if (distance === undefined || distance <= 0) return { skip: 'transport event without distanceKm' };
  if (/rail|train|ferry|air|ship|barge|vessel/.test(lower(e.vehicleType)))
    return { skip: `no model for non-road mode ${e.vehicleType}` };
  const load = num(e.loadKg);
  let cls = vehicleClass(e);
  const b = new RowBuilder(specs);
  if (cls === undefined) {
    b.adjust.defaulted.push('vehicle_class');
    cls = classFromLoad(load);
  }
  const veh = LOGISTICS_VEHICLES[cls]!;
  const van = cls === CLASS.VAN_DIESEL || cls === CLASS.VAN_BEV;
  const stops = num(e.stops);
  b.extensive('distance_km', distance)
    .set('load_kg', load, veh.maxLoadKg / 2)
    .set('speed_kmh', num(e.speedKmh), van ? 40 : 60)
    .set('gradient_pct', num(e.gradientPct), 0)
    .set(
      'stops_per_100km',
      attr(e, 'stopsPer100km', 'stops_per_100km') ?? (stops !== undefined ? (stops / distance) * 100 : undefined),
      0,
    )
    .set('idle_min', num(e.idleMinutes), 0)
    .set('refrigerated', e.refrigerated == null ? undefined : e.refrigerated ? 1 : 0, 0)
    .set('empty_share', attr(e, 'emptyShare', 'empty_share', 'emptyDistanceFactor'), 0)
    .set('grid_factor_kg_per_kwh', gridFactor(e), DEFAULT_GRID_KG_PER_KWH);
  b.row.vehicle_class = cls;
  // refrigerated/idle/gradient/stops default to "none": not a loss of information worth a confidence penalty.
  b.adjust.defaulted = b.adjust.defaulted.filter(
    (f) => !['refrigerated', 'idle_min', 'gradient_pct', 'stops_per_100km', 'empty_share'].includes(f),
  );
  const { row, adjust } = b.finish();
  return { model: 'logistics', features: row, adjust, entityType: 'route', entityId: e.route ?? e.supplierId };
}
