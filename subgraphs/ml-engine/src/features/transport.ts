// TRANSPORT event → logistics model (kg CO2e per road freight leg, WTW).
//
// Defaults for measures the event does not carry (each lowers the prediction's confidence):
//   load_kg           half the payload of the vehicle class (rigid 6 000, articulated 13 000, van 750, EV van 600 kg)
//   speed_kmh         60 km/h trucks, 40 km/h vans
//   gradient_pct      0 % (flat)
//   stops_per_100km   stops / distance × 100 when `stops` is given, else 0
//   idle_min          0
//   refrigerated      0 unless the event says so
//   empty_share       attributes.emptyShare (iLEAP emptyDistanceFactor), else 0 — all distance treated as loaded
//   vehicle_class     from vehicleType/fuelType (rail/ferry/air legs are skipped: road model only); else from load (> 13 t articulated, ≤ 1.5 t van), else rigid
//   grid_factor       from region (see common.ts), else EU-27 0.281 kg CO2e/kWh
// A leg without distance cannot be predicted (skipped and counted).
import { RowBuilder, attr, gridFactor, isElectric, lower, num, DEFAULT_GRID_KG_PER_KWH } from './common.ts';
import type { FeatureSpecLike, MapResult, NormalizedEvent } from './types.ts';

const HALF_LOAD = [6000, 13000, 750, 600];

/** data-core vehicle types: rigid_truck | articulated_truck | van | ev_truck | ev_van | rail | ferry | air. */
export function vehicleClass(e: NormalizedEvent): number | undefined {
  const v = lower(e.vehicleType).replace(/[_-]/g, ' ');
  if (v === 'rigid truck') return isElectric(e) ? 3 : 0;
  if (v === 'articulated truck') return 1;
  if (v === 'ev van' || v === 'ev truck') return 3; // no battery-electric truck class: the EV class is the closest
  if (v === 'van') return isElectric(e) ? 3 : 2;
  const electric = isElectric(e);
  if (/van|lcv|sprinter/.test(v)) return electric ? 3 : 2;
  if (electric && !/truck|hgv|lorry|semi|artic/.test(v)) return 3;
  if (/artic|semi|tractor|trailer|hgv|40t|44t/.test(v)) return 1;
  if (/truck|rigid|lorry|diesel/.test(v)) return 0;
  return undefined;
}

export function mapTransport(e: NormalizedEvent, specs: FeatureSpecLike[]): MapResult {
  const distance = num(e.distanceKm);
  if (distance === undefined || distance <= 0) return { skip: 'transport event without distanceKm' };
  if (/rail|ferry|air|ship|barge/.test(lower(e.vehicleType))) return { skip: `no model for non-road mode ${e.vehicleType}` };
  const load = num(e.loadKg);
  let cls = vehicleClass(e);
  const b = new RowBuilder(specs);
  if (cls === undefined) {
    b.adjust.defaulted.push('vehicle_class');
    cls = load === undefined ? 0 : load > 13000 ? 1 : load <= 1500 ? 2 : 0;
  }
  const van = cls >= 2;
  const stops = num(e.stops);
  b.extensive('distance_km', distance)
    .set('load_kg', load, HALF_LOAD[cls]!)
    .set('speed_kmh', num(e.speedKmh), van ? 40 : 60)
    .set('gradient_pct', num(e.gradientPct), 0)
    .set('stops_per_100km', attr(e, 'stopsPer100km', 'stops_per_100km') ?? (stops !== undefined ? (stops / distance) * 100 : undefined), 0)
    .set('idle_min', num(e.idleMinutes), 0)
    .set('refrigerated', e.refrigerated == null ? undefined : e.refrigerated ? 1 : 0, 0)
    .set('empty_share', attr(e, 'emptyShare', 'empty_share', 'emptyDistanceFactor'), 0)
    .set('grid_factor_kg_per_kwh', gridFactor(e), DEFAULT_GRID_KG_PER_KWH);
  b.row.vehicle_class = cls;
  // refrigerated/idle/gradient/stops default to "none": not a loss of information worth a confidence penalty.
  b.adjust.defaulted = b.adjust.defaulted.filter((f) => !['refrigerated', 'idle_min', 'gradient_pct', 'stops_per_100km', 'empty_share'].includes(f));
  const { row, adjust } = b.finish();
  return { model: 'logistics', features: row, adjust, entityType: 'route', entityId: e.route ?? e.supplierId };
}
