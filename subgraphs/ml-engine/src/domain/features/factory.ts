// FACTORY event → factory model (kg CO2e per plant-day).
//
// The model describes a whole day. An event covering `attributes.periodHours` hours (default 24) is predicted as a
// day at the same rates (production × 24 / period) and the output scaled by period / 24.
// Defaults: kwh_per_unit (the site intensity while producing) = energyKwh / productionUnits when both are given, else
// 2 kWh/unit; base_load_kw (what runs off-shift) =
// attributes.baseLoadKw or 200 kW; shift_hours = attributes.shiftHours or 16 h; gas_m3 = attributes.gasM3 or attributes.gasKwh / 10.55, else 0;
// ambient_temp_c = attributes.ambientTempC or 15 °C; grid factor from region (else EU-27 0.281).
import { RowBuilder, attr, gridFactor, num, DEFAULT_GRID_KG_PER_KWH } from './common.ts';
import type { FeatureSpecLike, MapResult, NormalizedEvent } from './types.ts';

export function periodHours(e: NormalizedEvent): number {
  const p = attr(e, 'periodHours', 'period_hours');
  return p !== undefined && p > 0 && p <= 24 ? p : 24;
}

export function mapFactory(e: NormalizedEvent, specs: FeatureSpecLike[]): MapResult {
  const period = periodHours(e);
  const perDay = 24 / period;
  const units = num(e.productionUnits) ?? attr(e, 'productionUnits', 'production_units');
  const kwh = num(e.energyKwh);
  const gasKwh = attr(e, 'gasKwh', 'gas_kwh');
  // 1 m³ natural gas ≈ 10.55 kWh (gross calorific value; the card's unit hint)
  const gas = attr(e, 'gasM3', 'gas_m3') ?? (gasKwh !== undefined ? gasKwh / 10.55 : undefined);
  const b = new RowBuilder(specs)
    .set('production_units', units === undefined ? undefined : units * perDay, 0)
    .set(
      'kwh_per_unit',
      attr(e, 'kwhPerUnit', 'kwh_per_unit') ?? (kwh !== undefined && units ? kwh / units : undefined),
      2,
    )
    .set('base_load_kw', attr(e, 'baseLoadKw', 'base_load_kw'), 200)
    .set('shift_hours', attr(e, 'shiftHours', 'shift_hours'), 16)
    .set('gas_m3', gas === undefined ? undefined : gas * perDay, 0)
    .set('ambient_temp_c', attr(e, 'ambientTempC', 'ambient_temp_c'), 15)
    .set('grid_factor_kg_per_kwh', gridFactor(e), DEFAULT_GRID_KG_PER_KWH);
  const { row, adjust } = b.finish();
  adjust.scale *= period / 24;
  return { model: 'factory', features: row, adjust, entityType: 'facility', entityId: e.facilityId ?? e.supplierId };
}
