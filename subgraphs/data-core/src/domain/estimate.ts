// Activity-based estimate per event type: activity × factor (ISO 14083 / GLEC for freight, DESNZ for fuels,
// vans and HGVs, national grid factors for electricity). Every estimate names the factor it used.
import { factor, GRID_REGIONS, regionForCountry, type Factor } from './factors.ts';
import type { ValidEvent } from '../ingest/validate.ts';

export interface Estimate {
  co2eKg: number;
  /** t·km for freight, null otherwise. */
  tonneKm: number | null;
  factor: Factor;
  /** Secondary factors when more than one applies (e.g. electricity + gas): [{id, version, kg}]. */
  extra: { id: string; version: string; source: string; kgCo2e: number }[];
  region: string | null;
  /** Why a default was used (stored as quality_reason when set). */
  note?: string;
}

const FUEL_FACTOR: Record<string, string> = {
  diesel: 'desnz.fuel.diesel-b7.ttw',
  diesel_b7: 'desnz.fuel.diesel-b7.ttw',
  diesel_mineral: 'desnz.fuel.diesel-mineral.ttw',
  petrol: 'desnz.fuel.petrol.ttw',
};

const TKM_FACTOR: Record<string, string> = {
  rigid_truck: 'glec.road.rigid-26-32t.diesel',
  articulated_truck: 'glec.road.rigid-26-32t.diesel',
  truck: 'glec.road.rigid-26-32t.diesel',
  hgv: 'glec.road.rigid-26-32t.diesel',
  air: 'glec.air.freighter-gt1500km',
  ferry: 'glec.sea.ro-pax',
  rail: 'desnz.rail.uk-freight',
};

const round = (v: number) => Math.round(v * 1e6) / 1e6;

function gridFor(e: ValidEvent, supplierCountry: string | null): { f: Factor; region: string; note?: string } {
  const region = e.region ?? regionForCountry(supplierCountry);
  if (region) return { f: factor(GRID_REGIONS[region]), region };
  return { f: factor('grid.uk'), region: 'UK', note: 'grid region unknown: UK factor used' };
}

export function estimate(e: ValidEvent, supplierCountry: string | null = null): Estimate {
  const distance = e.distanceKm ?? 0;
  const electric = e.vehicleType === 'ev_truck' || e.vehicleType === 'ev_van' || e.fuelType === 'electric';
  if (e.eventType === 'transport' || e.eventType === 'delivery') {
    const tonneKm = e.eventType === 'transport' && e.loadKg !== undefined ? round((e.loadKg / 1000) * distance) : null;
    if (electric && e.energyKwh !== undefined) {
      const g = gridFor(e, supplierCountry);
      return { co2eKg: round(e.energyKwh * g.f.value), tonneKm, factor: g.f, extra: [], region: g.region, note: g.note };
    }
    if (e.fuelL !== undefined && e.fuelL > 0 && FUEL_FACTOR[e.fuelType ?? 'diesel']) {
      const f = factor(FUEL_FACTOR[e.fuelType ?? 'diesel']);
      return { co2eKg: round(e.fuelL * f.value), tonneKm, factor: f, extra: [], region: e.region ?? null };
    }
    if (e.eventType === 'delivery' || e.vehicleType === 'van') {
      const f = factor('desnz.van.average-diesel');
      return { co2eKg: round(distance * f.value), tonneKm, factor: f, extra: [], region: e.region ?? null };
    }
    const tkmId = TKM_FACTOR[e.vehicleType ?? 'rigid_truck'];
    if (tkmId && tonneKm !== null && tonneKm > 0) {
      const f = factor(tkmId);
      return { co2eKg: round(tonneKm * f.value), tonneKm, factor: f, extra: [], region: e.region ?? null };
    }
    // No load reported (or running empty): distance-based HGV average.
    const f = factor('desnz.hgv.all-average-laden');
    return {
      co2eKg: round(distance * f.value),
      tonneKm,
      factor: f,
      extra: [],
      region: e.region ?? null,
      note: tonneKm === null ? 'no loadKg: distance-based HGV factor used' : undefined,
    };
  }
  // factory / warehouse: electricity (+ natural gas)
  const g = gridFor(e, supplierCountry);
  let co2 = (e.energyKwh ?? 0) * g.f.value;
  const extra: Estimate['extra'] = [];
  if (e.gasKwh !== undefined && e.gasKwh > 0) {
    const gas = factor('desnz.fuel.natural-gas.kwh');
    const kg = round(e.gasKwh * gas.value);
    co2 += kg;
    extra.push({ id: gas.id, version: gas.version, source: gas.source, kgCo2e: kg });
  }
  return { co2eKg: round(co2), tonneKm: null, factor: g.f, extra, region: g.region, note: g.note };
}
