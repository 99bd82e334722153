// DELIVERY event → last-mile model (kg CO2e per delivery route).
//
// Defaults: stops = parcels (or 50), parcels = stops (or 50), vehicle from vehicleType/fuelType (bike → e-cargo
// bike, electric → BEV van, else diesel van), failed_share = attributes.failedShare or 0.05 (5 % re-attempts),
// grid factor from region (else EU-27 0.281). A route without distance is skipped and counted.
import { RowBuilder, attr, gridFactor, isElectric, lower, num, DEFAULT_GRID_KG_PER_KWH } from './common.ts';
import type { FeatureSpecLike, MapResult, NormalizedEvent } from './types.ts';

export function mapDelivery(e: NormalizedEvent, specs: FeatureSpecLike[]): MapResult {
  const distance = num(e.distanceKm);
  if (distance === undefined || distance <= 0) return { skip: 'delivery event without distanceKm' };
  const stops = num(e.stops);
  const parcels = num(e.parcels);
  const v = lower(e.vehicleType);
  const vehicle = /bike|cycle|cargo-bike/.test(v) ? 2 : isElectric(e) ? 1 : /van|diesel|petrol/.test(v) ? 0 : undefined;
  const b = new RowBuilder(specs)
    .set('stops', stops ?? parcels, 50)
    .set('parcels', parcels ?? stops, 50)
    .extensive('distance_km', distance)
    .set('vehicle', vehicle, 0)
    .set('failed_share', attr(e, 'failedShare', 'failed_share'), 0.05)
    .set('grid_factor_kg_per_kwh', gridFactor(e), DEFAULT_GRID_KG_PER_KWH);
  const { row, adjust } = b.finish();
  return { model: 'last-mile', features: row, adjust, entityType: 'route', entityId: e.route ?? e.supplierId };
}
