// WAREHOUSE event → warehouse model (kg CO2e per warehouse-day).
//
// Like factories, an event covering `attributes.periodHours` (default 24) is predicted as a day and scaled by
// period / 24 (throughput × 24 / period). Defaults: area_m2 = attributes.areaM2 or 10 000 m²; refrigerated_share =
// attributes.refrigeratedShare, else 0.5 when refrigerated, else 0; throughput_t = attributes.throughputT, else
// loadKg / 1000, else 0; hours = attributes.hours or 16 h; ambient 15 °C; grid factor from region (else 0.281).
import { RowBuilder, attr, gridFactor, num, DEFAULT_GRID_KG_PER_KWH } from './common.ts';
import { periodHours } from './factory.ts';
import type { FeatureSpecLike, MapResult, NormalizedEvent } from './types.ts';

export function mapWarehouse(e: NormalizedEvent, specs: FeatureSpecLike[]): MapResult {
  const period = periodHours(e);
  const perDay = 24 / period;
  const load = num(e.loadKg);
  const throughput = attr(e, 'throughputT', 'throughput_t') ?? (load !== undefined ? load / 1000 : undefined);
  const b = new RowBuilder(specs)
    .set('area_m2', num(e.areaM2) ?? attr(e, 'areaM2', 'area_m2'), 10000)
    .set(
      'refrigerated_share',
      attr(e, 'refrigeratedShare', 'refrigerated_share') ??
        (e.refrigerated == null ? undefined : e.refrigerated ? 0.5 : 0),
      0,
    )
    .set('throughput_t', throughput === undefined ? undefined : throughput * perDay, 0)
    .set('hours', attr(e, 'hours', 'operatingHours'), 16)
    .set('ambient_temp_c', attr(e, 'ambientTempC', 'ambient_temp_c'), 15)
    .set('grid_factor_kg_per_kwh', gridFactor(e), DEFAULT_GRID_KG_PER_KWH);
  const { row, adjust } = b.finish();
  adjust.scale *= period / 24;
  return { model: 'warehouse', features: row, adjust, entityType: 'facility', entityId: e.facilityId ?? e.supplierId };
}
