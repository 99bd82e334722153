// The method engine: one emission figure per activity, by the GLEC Framework v3 / ISO 14083 hierarchy —
//   FUEL     measured fuel × the fuel's TTW + WTT factors;
//   ENERGY   metered electricity × the region's grid factor (+ natural gas × its factors);
//   ACTIVITY distance (× load) × the vehicle class's TTW + WTT factors;
//   MODEL    nothing above is possible (a factory or warehouse without metered energy): ml-engine's estimate,
//            written later (the figure is pending until then).
// Every result lists the factors it used and says in `note` when a default stood in for a missing measure.
import { factor, DIESEL_KWH_PER_L, type Factor, type FactorUse } from './factors/index.ts';
import { gridFactor, resolveRegion, type GridRegion } from './grid.ts';
import { fuelFactors, type FuelFactors } from './fuels.ts';
import { vehicleClass, VEHICLE_TYPES, FUEL_TYPES, type FuelTypeName, type VehicleClass } from './vehicle-classes.ts';

export type Method = 'fuel' | 'energy' | 'activity' | 'model';

export interface ActivityData {
  eventType: 'transport' | 'delivery' | 'factory' | 'warehouse';
  distanceKm?: number;
  loadKg?: number;
  vehicleType?: string;
  fuelType?: string;
  fuelL?: number;
  fuelKg?: number;
  energyKwh?: number;
  gasKwh?: number;
  region?: string;
  refrigerated?: boolean;
  productionUnits?: number;
  areaM2?: number;
}

export interface EstimateOptions {
  supplierCountry?: string | null;
  /** 'activity': ignore measured fuel and energy (what-if ratios compare like with like). */
  prefer?: 'activity';
}

export interface EmissionResult {
  method: Method;
  /** kg CO2e well-to-wheel; null while a MODEL estimate is pending. */
  co2eKg: number | null;
  ttwKg: number | null;
  wttKg: number | null;
  tonneKm: number | null;
  /** 'WTW', or 'WTW (grid: generation only)' when a grid factor has no T&D/upstream parts. */
  boundary: string;
  factors: FactorUse[];
  note: string | null;
  /** Grid region used (electricity), else the event's region. */
  region: string | null;
  /** The factor class the vehicleType mapped to. */
  vehicleClass: string | null;
}

/** A measure the method needs is missing or contradictory: the row is rejected, naming the field. */
export class EstimateError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

/** Accumulates factor applications into TTW and WTT (electricity is all WTT: energy provision, ISO 14083). */
class Calc {
  ttw = 0;
  wtt = 0;
  uses: FactorUse[] = [];
  notes: string[] = [];
  complete = true;
  add(f: Factor, quantity: number, role: FactorUse['role'] = 'emission') {
    const result = quantity * f.value;
    this.uses.push({
      id: f.id,
      version: f.version,
      activity: f.activity,
      unit: f.unit,
      value: f.value,
      boundary: f.boundary,
      source: f.source,
      quantity: round(quantity),
      result: round(result),
      role,
    });
    if (role === 'emission') {
      if (f.boundary === 'TTW') this.ttw += result;
      else this.wtt += result;
    }
    return result;
  }
  note(n: string | undefined) {
    if (n) this.notes.push(n);
  }
}

function electricity(c: Calc, kwh: number, region: GridRegion) {
  const g = gridFactor(region);
  for (const p of g.parts) c.add(p, kwh);
  if (!g.complete) c.complete = false;
}

function fuelOf(e: ActivityData): FuelTypeName | undefined {
  if (e.fuelType === undefined) return undefined;
  const f = e.fuelType
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (!(FUEL_TYPES as readonly string[]).includes(f))
    throw new EstimateError('fuelType', `"${e.fuelType}" is not in the factor set; accepted: ${FUEL_TYPES.join(', ')}`);
  return f as FuelTypeName;
}

function classOf(e: ActivityData): VehicleClass {
  if (e.vehicleType === undefined) {
    const id = e.eventType === 'delivery' ? 'van' : 'hgv';
    return {
      ...vehicleClass(id)!,
      note: `no vehicleType: ${e.eventType === 'delivery' ? 'DESNZ average van' : 'DESNZ "All HGVs" average'} used`,
    };
  }
  const c = vehicleClass(e.vehicleType);
  if (!c)
    throw new EstimateError(
      'vehicleType',
      `"${e.vehicleType}" is not a known vehicle class; accepted: ${VEHICLE_TYPES.join(', ')}`,
    );
  return c;
}

/** Re-expresses a diesel quantity (litres) as the same energy of another fuel and adds that fuel's factors. */
function substituteFuel(c: Calc, dieselLitres: number, ff: FuelFactors) {
  const units = (dieselLitres * DIESEL_KWH_PER_L) / ff.kwhPerUnit;
  c.add(ff.ttw, units);
  c.add(ff.wtt, units);
  if (ff.fuel === 'cng' || ff.fuel === 'lng')
    c.note(
      `${ff.label}: same energy as the class's diesel use (${ff.kwhPerUnit} kWh/kg); spark-ignition gas engines usually need more, so this is a lower bound`,
    );
  else if (ff.fuel !== 'hvo') c.note(`${ff.label}: same energy as the class's diesel use`);
}

// ---------------------------------------------------------------- road: HGV
/** Loads beyond this multiple of DESNZ's 100 %-laden payload are capped (and flagged): no fleet runs that heavy. */
const MAX_LADEN = 2;
function hgvWeights(c: Calc, band: string, fam: string, loadKg: number | undefined): { laden: string; w: number }[] {
  if (loadKg === undefined) {
    c.note(`no loadKg: DESNZ ${band} average-laden per-km factor (UK average load and empty running)`);
    return [{ laden: 'avg', w: 1 }];
  }
  const full = factor(`desnz.${fam}.${band}.laden-100.ttw`).value;
  const payloadT = full / factor(`desnz.${fam}.${band}.tkm-100.ttw`).value;
  const loadT = loadKg / 1000;
  // Fuel use is linear in the mass moved (CMEM physics), so the per-km factor follows the load linearly between
  // DESNZ's 0 % and 100 % laden factors, and beyond 100 % (heavier than DESNZ's full-vehicle average) up to MAX_LADEN.
  const raw = loadT / payloadT;
  const frac = Math.min(MAX_LADEN, raw);
  const share = `${(raw * 100).toFixed(0)} % of the DESNZ ${band} 100 %-laden payload (${payloadT.toFixed(1)} t)`;
  if (raw > MAX_LADEN)
    c.note(`loadKg ${loadT.toFixed(1)} t = ${share}: capped at ${MAX_LADEN * 100} % laden — check loadKg`);
  else if (raw > 1)
    c.note(`loadKg ${loadT.toFixed(1)} t = ${share}: per-km factor extrapolated linearly beyond 100 % laden`);
  else c.note(`loadKg ${loadT.toFixed(1)} t = ${share}: per-km factor interpolated between 0 % and 100 % laden`);
  return [
    { laden: '0', w: 1 - frac },
    { laden: '100', w: frac },
  ].filter((x) => x.w !== 0);
}

function hgvActivity(c: Calc, cls: VehicleClass, e: ActivityData, fuel: FuelTypeName | undefined, region: GridRegion) {
  const d = e.distanceKm ?? 0;
  const fam = e.refrigerated ? 'hgv-reefer' : 'hgv';
  const band = cls.band!;
  if (e.refrigerated) c.note('refrigerated: DESNZ "HGV refrigerated" factors used');
  const weights = hgvWeights(c, band, fam, e.loadKg);
  const electric = cls.electric || fuel === 'electric';
  if (electric) {
    // kWh/km of the class, scaled by how the load moves the diesel per-km factor around its average.
    const avg = factor(`desnz.hgv.${band}.laden-avg.ttw`).value;
    const atLoad = weights.reduce((s, x) => s + x.w * factor(`desnz.${fam}.${band}.laden-${x.laden}.ttw`).value, 0);
    const per = factor(`bev.truck.${cls.bevBand}.kwh-per-km`);
    const kwh = c.add(per, d * (atLoad / avg), 'basis');
    if (Math.abs(atLoad / avg - 1) > 1e-9)
      c.note(
        `battery-electric energy scaled by ${(atLoad / avg).toFixed(3)} (load and refrigeration effect of the DESNZ diesel factors)`,
      );
    electricity(c, kwh, region);
    return;
  }
  const direct = fuel === undefined || fuel === 'diesel' || fuel === 'diesel_b7';
  let dieselTtw = 0;
  for (const x of weights) {
    const ttw = factor(`desnz.${fam}.${band}.laden-${x.laden}.ttw`);
    const wtt = factor(`desnz.${fam}.${band}.laden-${x.laden}.wtt`);
    dieselTtw += c.add(ttw, d * x.w, direct ? 'emission' : 'basis');
    if (direct) c.add(wtt, d * x.w);
  }
  if (!direct) {
    const litres = dieselTtw / factor('desnz.fuel.diesel.ttw').value;
    c.add(factor('desnz.fuel.diesel.ttw'), litres, 'basis');
    substituteFuel(c, litres, fuelFactors(fuel as Exclude<FuelTypeName, 'electric'>));
  }
}

// ---------------------------------------------------------------- road: vans
const VAN_COLUMN: Partial<Record<FuelTypeName, string>> = {
  diesel: 'diesel',
  diesel_b7: 'diesel',
  petrol: 'petrol',
  cng: 'cng',
};

function vanActivity(c: Calc, cls: VehicleClass, e: ActivityData, fuel: FuelTypeName | undefined, region: GridRegion) {
  const d = e.distanceKm ?? 0;
  let band = cls.band!;
  if (cls.electric || fuel === 'electric') {
    const kwh = c.add(factor(`desnz.van.${band}.bev.kwh-per-km`), d, 'basis');
    electricity(c, kwh, region);
    return;
  }
  const col = VAN_COLUMN[fuel ?? 'diesel'];
  if (col) {
    if (!factorExists(`desnz.van.${band}.${col}.ttw`)) {
      c.note(`DESNZ has no ${col} factor for van ${band}: average van used`);
      band = 'average';
    }
    c.add(factor(`desnz.van.${band}.${col}.ttw`), d);
    c.add(factor(`desnz.van.${band}.${col}.wtt`), d);
    return;
  }
  // diesel_mineral, HVO, LNG: the van's diesel use re-expressed as that fuel.
  const dieselTtw = c.add(factor(`desnz.van.${band}.diesel.ttw`), d, 'basis');
  const litres = dieselTtw / factor('desnz.fuel.diesel.ttw').value;
  c.add(factor('desnz.fuel.diesel.ttw'), litres, 'basis');
  substituteFuel(c, litres, fuelFactors(fuel as Exclude<FuelTypeName, 'electric'>));
}

const factorExists = (id: string) => {
  try {
    factor(id);
    return true;
  } catch {
    return false;
  }
};

// ---------------------------------------------------------------- rail, sea, air (per t·km)
function tkmActivity(c: Calc, cls: VehicleClass, e: ActivityData, tonneKm: number | null) {
  if (tonneKm === null)
    throw new EstimateError('loadKg', `required for ${cls.label.toLowerCase()}: its factors are per tonne-km`);
  let fam: string;
  if (cls.mode === 'rail') fam = 'desnz.rail.freight';
  else if (cls.mode === 'sea') fam = `desnz.sea.${cls.key}`;
  else if (cls.key) fam = `glec.air.${cls.key}`;
  else {
    const d = e.distanceKm ?? 0;
    const haul = d < 500 ? 'domestic' : d < 3700 ? 'short-haul' : 'long-haul';
    fam = `desnz.air.${haul}`;
    c.note(`${cls.note}: ${haul} (${d} km)`);
  }
  c.add(factor(`${fam}.ttw`), tonneKm);
  c.add(factor(`${fam}.wtt`), tonneKm);
}

// ---------------------------------------------------------------- measured fuel
function measuredFuel(c: Calc, e: ActivityData, fuel: FuelTypeName | undefined) {
  if (fuel === 'electric')
    throw new EstimateError(
      e.fuelKg !== undefined ? 'fuelKg' : 'fuelL',
      'electric vehicles report energyKwh, not fuel',
    );
  if (fuel === undefined) c.note('no fuelType: diesel (average biofuel blend) assumed');
  const ff = fuelFactors(fuel ?? 'diesel');
  if (ff.unit === 'kg') {
    if (e.fuelKg === undefined)
      throw new EstimateError('fuelKg', `${ff.label} is measured in kg: send fuelKg (fuelL is litres of liquid fuel)`);
    c.add(ff.ttw, e.fuelKg);
    c.add(ff.wtt, e.fuelKg);
    return;
  }
  if (e.fuelL === undefined)
    throw new EstimateError('fuelL', `${ff.label} is measured in litres: send fuelL (fuelKg is for CNG and LNG)`);
  c.add(ff.ttw, e.fuelL);
  c.add(ff.wtt, e.fuelL);
}

// ---------------------------------------------------------------- entry point
export function estimate(e: ActivityData, opts: EstimateOptions = {}): EmissionResult {
  const c = new Calc();
  const fuel = fuelOf(e);
  const regionInfo = resolveRegion(e.region, opts.supplierCountry);
  const activityOnly = opts.prefer === 'activity';
  let method: Method;
  let tonneKm: number | null = null;
  let cls: VehicleClass | null = null;

  if (e.eventType === 'factory' || e.eventType === 'warehouse') {
    if (e.energyKwh === undefined) {
      const model = e.eventType === 'factory' ? 'factory' : 'warehouse';
      return {
        method: 'model',
        co2eKg: null,
        ttwKg: null,
        wttKg: null,
        tonneKm: null,
        boundary: 'WTW',
        factors: [],
        note: `no metered energy (energyKwh): ml-engine ${model} model estimate pending`,
        region: e.region ?? regionInfo.region,
        vehicleClass: null,
      };
    }
    method = 'energy';
    c.note(regionInfo.note);
    electricity(c, e.energyKwh, regionInfo.region);
    if (e.gasKwh !== undefined && e.gasKwh > 0) {
      c.add(factor('desnz.fuel.natural-gas.ttw'), e.gasKwh);
      c.add(factor('desnz.fuel.natural-gas.wtt'), e.gasKwh);
    }
  } else {
    cls = classOf(e);
    c.note(cls.note);
    if (e.loadKg !== undefined && e.distanceKm !== undefined) tonneKm = round((e.loadKg / 1000) * e.distanceKm);
    const electric = cls.electric || fuel === 'electric';
    const hasFuel = (e.fuelL ?? 0) > 0 || (e.fuelKg ?? 0) > 0;
    if (!activityOnly && e.energyKwh !== undefined && e.energyKwh > 0 && (electric || !hasFuel)) {
      method = 'energy';
      c.note(regionInfo.note);
      electricity(c, e.energyKwh, regionInfo.region);
    } else if (!activityOnly && !electric && hasFuel) {
      method = 'fuel';
      measuredFuel(c, e, fuel);
    } else {
      method = 'activity';
      if (e.distanceKm === undefined)
        throw new EstimateError('distanceKm', 'required to estimate emissions from activity (km)');
      if (electric) c.note(regionInfo.note);
      if (cls.mode === 'hgv') hgvActivity(c, cls, e, fuel, regionInfo.region);
      else if (cls.mode === 'van') vanActivity(c, cls, e, fuel, regionInfo.region);
      else tkmActivity(c, cls, e, tonneKm);
    }
  }
  const usedGrid = c.uses.some((u) => u.id.includes('electricity') || u.id.startsWith('grid.'));
  return {
    method,
    co2eKg: round(c.ttw + c.wtt),
    ttwKg: round(c.ttw),
    wttKg: round(c.wtt),
    tonneKm,
    boundary: c.complete ? 'WTW' : 'WTW (grid: generation only, no T&D or upstream)',
    factors: c.uses,
    note: c.notes.length ? [...new Set(c.notes)].join('; ') : null,
    region: usedGrid ? regionInfo.region : (e.region ?? null),
    vehicleClass: cls?.id ?? null,
  };
}
