// What-if arithmetic (pure): the target vehicle/fuel, the changed activities, each basis event's figure after the
// change (given the method engine's estimates), the before/after sides and the explanation. simulate/scenario.ts
// runs these steps around data-core's calls; see there for how "after" is reached.
import { badInput } from '@carbon-nexus/plugin-sdk';
import type { ActivityInput, AppliedFactor, Estimate, VehicleClassInfo } from '../datacore.ts';

export type Activity = 'TRANSPORT' | 'DELIVERY' | 'FACTORY' | 'WAREHOUSE';

export interface SimulationInput {
  supplierId?: string | null;
  hotspotId?: string | null;
  route?: string | null;
  activity?: Activity | null;
  activities?: ActivityInput[] | null;
  vehicleType?: string | null;
  fuelType?: string | null;
  loadChange?: number | null;
  distanceChange?: number | null;
  modalShift?: { kind?: 'ROAD_TO_RAIL' | null; sharePct: number } | null;
  loadFactor?: number | null;
  lookbackHours?: number | null;
}

export interface ScenarioChange {
  feature: string;
  from: number | null;
  to: number | null;
  note: string | null;
}

export interface MethodShare {
  method: string;
  events: number;
  co2eKg: number;
}

export interface FactorShare {
  id: string;
  version: string;
  source: string;
  co2eKg: number;
}

export interface ScenarioSide {
  co2eKg: number;
  methods: MethodShare[];
  factors: FactorShare[];
}

export interface SimulationOutcome {
  newValue: number;
  delta: number;
  deltaPct: number;
  baselineValue: number;
  explanation: string;
  changes: ScenarioChange[];
  contributions: { feature: string; contributionKg: number }[];
  model: string;
  modelVersion: string | null;
  basisEvents: number;
  before: ScenarioSide;
  after: ScenarioSide;
  notes: string[];
  supplierId: string | null;
  route: string | null;
  hotspotId: string | null;
  windowStart: string | null;
  windowEnd: string | null;
}

export interface BasisItem {
  activity: ActivityInput;
  before: number;
  beforeMethod: string;
  beforeFactors: AppliedFactor[];
}

/** What a what-if starts from: the activities with their stored (or estimated) figures. */
export interface Basis {
  items: BasisItem[];
  text: string;
  supplierId: string | null;
  route: string | null;
  activity: Activity;
  from: Date | null;
  to: Date | null;
  notes: string[];
}

export const MAX_BASIS = 500;
const FUELS = ['diesel', 'diesel_b7', 'diesel_mineral', 'petrol', 'hvo', 'cng', 'lng', 'electric'];
const FUEL_ALIAS: Record<string, string> = { bev: 'electric', ev: 'electric', b7: 'diesel_b7' };
/** Names the dashboard and earlier API versions sent; mapped to data-core classes ('ev' = the same class, electric). */
const LEGACY_VEHICLE: Record<string, string> = {
  rigid_diesel: 'rigid_truck',
  articulated_diesel: 'articulated_truck',
  van_diesel: 'van',
  van_ev: 'ev_van',
};

const r6 = (v: number) => Math.round(v * 1e6) / 1e6;
const pct = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(1)} %`;
const kg = (x: number) => `${x.toFixed(1)} kg CO2e`;
const mean = (xs: (number | null | undefined)[]) => {
  const v = xs.filter((x): x is number => x != null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

export function validateInput(input: SimulationInput) {
  if (input.loadChange != null && !(input.loadChange > -100 && input.loadChange <= 1000))
    throw badInput('input.loadChange', 'must be a percent in (-100, 1000]');
  if (input.distanceChange != null && !(input.distanceChange > -100 && input.distanceChange <= 1000))
    throw badInput('input.distanceChange', 'must be a percent in (-100, 1000]');
  if (input.loadFactor != null && !(input.loadFactor > 0 && input.loadFactor <= 1))
    throw badInput('input.loadFactor', 'must be a fraction in (0, 1]');
  if (input.modalShift && !(input.modalShift.sharePct >= 0 && input.modalShift.sharePct <= 100))
    throw badInput('input.modalShift.sharePct', 'must be a percent in [0, 100]');
  const lookback = input.lookbackHours ?? 168;
  if (!(lookback >= 1 && lookback <= 2160)) throw badInput('input.lookbackHours', 'must be between 1 and 2160');
}

/** The requested fuel, normalised (aliases mapped); BAD_USER_INPUT when the factor set has no such fuel. */
export function targetFuel(input: SimulationInput): string | null {
  let fuel = input.fuelType
    ? input.fuelType
        .trim()
        .toLowerCase()
        .replace(/[\s-]+/g, '_')
    : null;
  if (fuel && FUEL_ALIAS[fuel]) fuel = FUEL_ALIAS[fuel];
  if (fuel && !FUELS.includes(fuel))
    throw badInput('input.fuelType', `"${input.fuelType}" is not in the factor set; accepted: ${FUELS.join(', ')}`);
  return fuel;
}

export interface Targets {
  vehicle: string | null;
  fuel: string | null;
  byClass: Map<string, VehicleClassInfo>;
  toElectric: boolean;
}

/** The requested vehicle class (legacy names mapped; 'ev' = the same class, electric) checked against data-core's. */
export function targetVehicle(input: SimulationInput, fuel: string | null, classes: VehicleClassInfo[]): Targets {
  let vehicle = input.vehicleType
    ? input.vehicleType
        .trim()
        .toLowerCase()
        .replace(/[\s-]+/g, '_')
        .replace(/\./g, '_')
    : null;
  if (vehicle === 'ev' || vehicle === 'bev') {
    vehicle = null;
    fuel = 'electric';
  } else if (vehicle && LEGACY_VEHICLE[vehicle]) vehicle = LEGACY_VEHICLE[vehicle];
  const byClass = new Map<string, VehicleClassInfo>(classes.map((c) => [c.id, c]));
  if (vehicle && !byClass.has(vehicle))
    throw badInput(
      'input.vehicleType',
      `"${input.vehicleType}" is not a known vehicle class; accepted: ${classes.map((c) => c.id).join(', ')}, ev`,
    );
  const toElectric = fuel === 'electric' || (vehicle ? byClass.get(vehicle)!.electric : false);
  return { vehicle, fuel, byClass, toElectric };
}

/** Vehicle, fuel, load and distance changes apply to road activity only (other figures are metered or modelled). */
export function checkRoadOnlyChanges(input: SimulationInput, t: Targets, activity: Activity) {
  if (activity === 'TRANSPORT' || activity === 'DELIVERY') return;
  const bad = t.vehicle
    ? 'input.vehicleType'
    : t.fuel
      ? 'input.fuelType'
      : input.loadFactor != null
        ? 'input.loadFactor'
        : input.modalShift
          ? 'input.modalShift'
          : input.loadChange != null
            ? 'input.loadChange'
            : input.distanceChange != null
              ? 'input.distanceChange'
              : null;
  if (bad)
    throw badInput(
      bad,
      `applies to TRANSPORT and DELIVERY activity (${activity.toLowerCase()} figures come from metered energy or a model estimate)`,
    );
}

export interface ChangedActivities {
  mods: ActivityInput[];
  changes: ScenarioChange[];
  notes: string[];
  /** Trips after / trips before (a load factor moves the same tonnage in fuller or emptier trips). */
  tripsFactor: number;
  /** Share of t·km moved to rail (0..1). */
  share: number;
}

/** The basis activities changed as asked, with a description of each change. */
export function changeActivities(input: SimulationInput, basis: Basis, t: Targets): ChangedActivities {
  const { vehicle, fuel, byClass, toElectric } = t;
  const notes = [...basis.notes];
  const changes: ScenarioChange[] = [];
  const mods: ActivityInput[] = basis.items.map((b) => ({ ...b.activity }));
  if (vehicle || fuel) {
    for (const m of mods) {
      if (vehicle) m.vehicleType = vehicle;
      if (fuel) m.fuelType = fuel;
      // Measured fuel/energy described the old vehicle; the engine works from the activity for the new one.
      m.fuelL = m.fuelKg = m.energyKwh = null;
    }
    if (vehicle)
      changes.push({ feature: 'vehicleType', from: null, to: null, note: `vehicle: ${byClass.get(vehicle)!.label}` });
    if (fuel)
      changes.push({
        feature: 'fuelType',
        from: null,
        to: null,
        note: toElectric
          ? `battery-electric, same vehicle class${vehicle ? '' : ' as each event'}: kWh/km × grid of the supplier's region`
          : `fuel: ${fuel}`,
      });
  }
  if (input.loadChange != null) {
    const k = 1 + input.loadChange / 100;
    const noLoad = mods.filter((m) => m.loadKg == null).length;
    for (const m of mods) if (m.loadKg != null) m.loadKg *= k;
    if (noLoad) notes.push(`${noLoad} event(s) without loadKg: the load change does not apply to them`);
    const from = mean(basis.items.map((b) => b.activity.loadKg));
    changes.push({
      feature: 'loadKg',
      from,
      to: from == null ? null : from * k,
      note: `load ${pct(input.loadChange)} per trip`,
    });
  }
  if (input.distanceChange != null) {
    const k = 1 + input.distanceChange / 100;
    for (const m of mods) if (m.distanceKm != null) m.distanceKm *= k;
    const from = mean(basis.items.map((b) => b.activity.distanceKm));
    changes.push({
      feature: 'distanceKm',
      from,
      to: from == null ? null : from * k,
      note: `distance ${pct(input.distanceChange)}`,
    });
  }
  let tripsFactor = 1;
  if (input.loadFactor != null) {
    // The same tonnage in fewer (or more) trips, each loaded to the class's full payload × loadFactor.
    if (mods.some((m) => m.loadKg == null))
      throw badInput('input.loadFactor', 'every basis event needs loadKg to move the same tonnage in fuller trips');
    const loads = mods.map((m) => m.loadKg as number);
    const payload = mods.map((m) => byClass.get(String(m.vehicleType ?? 'hgv'))?.payloadKg ?? null);
    if (payload.some((p) => p == null))
      throw badInput('input.loadFactor', 'applies to HGV classes (a payload is known for them)');
    const before = loads.reduce((a, l) => a + l, 0);
    for (const [i, m] of mods.entries()) m.loadKg = payload[i]! * input.loadFactor!;
    const after = mods.reduce((a, m) => a + m.loadKg!, 0);
    tripsFactor = before / after;
    const lfBefore = mean(loads.map((l, i) => l / payload[i]!));
    changes.push({
      feature: 'load_factor',
      from: lfBefore,
      to: input.loadFactor,
      note: `same tonnage in ${(tripsFactor * 100).toFixed(0)} % of the trips (payload = the DESNZ 100 %-laden load of the class)`,
    });
  }
  const share = input.modalShift && input.modalShift.sharePct > 0 ? input.modalShift.sharePct / 100 : 0;
  return { mods, changes, notes, tripsFactor, share };
}

/** What one estimate call is asked: originals and changed activities (ACTIVITY), and the rail legs of a modal shift. */
export function estimateRequests(basis: Basis, c: ChangedActivities): ActivityInput[] {
  const prefer = (a: ActivityInput): ActivityInput => ({ ...a, preferMethod: 'ACTIVITY' });
  const rail = c.share
    ? c.mods.map((m) => ({
        eventType: 'TRANSPORT',
        distanceKm: m.distanceKm,
        loadKg: m.loadKg,
        vehicleType: 'rail',
        country: m.country,
        region: m.region,
      }))
    : [];
  return [...basis.items.map((b) => prefer(b.activity)), ...c.mods.map(prefer), ...rail];
}

const fieldOf = (f: string, input: SimulationInput) =>
  f === 'loadKg'
    ? input.modalShift
      ? 'input.modalShift'
      : input.loadFactor != null
        ? 'input.loadFactor'
        : 'input.loadChange'
    : `input.${f}`;

type SideItem = { method: string; co2eKg: number; factors: { f: AppliedFactor; scale: number }[] };

/** Each basis event's figure after the change, from the estimates of estimateRequests (same order). */
export function scenarioItems(
  input: SimulationInput,
  basis: Basis,
  c: ChangedActivities,
  t: Targets,
  est: Estimate[],
): SideItem[] {
  const { share, tripsFactor } = c;
  const n = basis.items.length;
  const orig = est.slice(0, n);
  const mod = est.slice(n, 2 * n);
  const railEst = est.slice(2 * n);
  for (const e of mod) if (e.errors.length) throw badInput(fieldOf(e.errors[0].field, input), e.errors[0].reason);
  if (share && railEst.some((e) => e.errors.length))
    throw badInput('input.modalShift', 'basis events without loadKg cannot move tonne-km to rail');
  let unscaled = 0;
  const items = basis.items.map((b, i) => {
    const o = orig[i];
    const m = mod[i];
    let road: number;
    let scale: number;
    let method: string = m.method ?? 'ACTIVITY';
    if (t.toElectric) {
      road = m.co2eKg ?? 0;
      scale = 1;
    } else if (o.errors.length || !o.co2eKg || m.co2eKg == null) {
      // No ACTIVITY estimate to move it by (a MODEL figure, or a row the current factor set cannot compute).
      unscaled++;
      road = b.before;
      scale = 0;
      method = b.beforeMethod;
    } else {
      road = (b.before * (m.co2eKg ?? 0)) / o.co2eKg;
      scale = b.before / o.co2eKg;
      if (b.beforeMethod === 'FUEL' || b.beforeMethod === 'ENERGY') method = `${b.beforeMethod} scaled by ACTIVITY`;
    }
    const factors =
      scale === 0
        ? b.beforeFactors.map((f) => ({ f, scale: (1 - share) * tripsFactor }))
        : m.factors.map((f) => ({ f, scale: scale * (1 - share) * tripsFactor }));
    let total = road * (1 - share);
    if (share) {
      total += (railEst[i].co2eKg ?? 0) * share;
      factors.push(...railEst[i].factors.map((f) => ({ f, scale: share * tripsFactor })));
      method = `${method} + rail`;
    }
    return { method, co2eKg: total * tripsFactor, factors };
  });
  if (unscaled && c.changes.length)
    c.notes.push(
      `${unscaled} basis event(s) have no ACTIVITY estimate to change (model estimates, or rows the current factor set cannot compute): they keep their figure`,
    );
  if (share) c.changes.push(modalShiftChange(input, c, railEst));
  return items;
}

/** The modal shift as a change: t·km moved and the rail factor per t·km. */
function modalShiftChange(input: SimulationInput, c: ChangedActivities, railEst: Estimate[]): ScenarioChange {
  const { mods, tripsFactor } = c;
  const tkm = mods.reduce((a, m) => a + ((m.loadKg ?? 0) / 1000) * (m.distanceKm ?? 0), 0) * tripsFactor;
  const k = mods.findIndex((m, i) => (railEst[i].co2eKg ?? 0) > 0 && (m.loadKg ?? 0) > 0 && (m.distanceKm ?? 0) > 0);
  const rf = k >= 0 ? railEst[k].factors : [];
  const perTkm = k >= 0 ? railEst[k].co2eKg! / (((mods[k].loadKg ?? 0) / 1000) * (mods[k].distanceKm ?? 0)) : 0;
  return {
    feature: 'mode',
    from: 0,
    to: input.modalShift!.sharePct,
    note: `${input.modalShift!.sharePct} % of ${tkm.toFixed(0)} t·km by rail at ${perTkm.toFixed(5)} kg CO2e/t·km WTW (${rf.map((f) => f.id).join(' + ')})`,
  };
}

/** kg, per method and per emission factor, of one side of the comparison. */
export function side(items: SideItem[]): ScenarioSide {
  const methods = new Map<string, MethodShare>();
  const factors = new Map<string, FactorShare>();
  let total = 0;
  for (const it of items) {
    total += it.co2eKg;
    const m = methods.get(it.method) ?? { method: it.method, events: 0, co2eKg: 0 };
    m.events++;
    m.co2eKg += it.co2eKg;
    methods.set(it.method, m);
    for (const { f, scale } of it.factors) {
      if (String(f.role).toUpperCase() !== 'EMISSION') continue;
      const k = `${f.id}@${f.version}`;
      const x = factors.get(k) ?? { id: f.id, version: f.version, source: f.source, co2eKg: 0 };
      x.co2eKg += f.result * scale;
      factors.set(k, x);
    }
  }
  return {
    co2eKg: r6(total),
    methods: [...methods.values()].map((m) => ({ ...m, co2eKg: r6(m.co2eKg) })).sort((a, b) => b.co2eKg - a.co2eKg),
    factors: [...factors.values()].map((f) => ({ ...f, co2eKg: r6(f.co2eKg) })).sort((a, b) => b.co2eKg - a.co2eKg),
  };
}

/** The stored side of the comparison: each basis event's figure by its own method and factors. */
export const beforeSide = (basis: Basis) =>
  side(
    basis.items.map((b) => ({
      method: b.beforeMethod,
      co2eKg: b.before,
      factors: b.beforeFactors.map((f) => ({ f, scale: 1 })),
    })),
  );

/** The outcome: before/after sides, delta, and the explanation in words. */
export function outcome(
  input: SimulationInput,
  basis: Basis,
  c: ChangedActivities,
  after: ScenarioSide,
  factorSet: string | null,
): SimulationOutcome {
  const { changes, notes } = c;
  const before = beforeSide(basis);
  const baselineValue = before.co2eKg;
  const newValue = after.co2eKg;
  const delta = r6(newValue - baselineValue);
  const deltaPct = baselineValue > 0 ? (delta / baselineValue) * 100 : 0;
  const methodsText = (s: ScenarioSide) => s.methods.map((m) => `${m.method} ${m.events}`).join(', ');
  const topFactors = (s: ScenarioSide) =>
    s.factors
      .slice(0, 3)
      .map((f) => `${f.id} (${f.version}) ${kg(f.co2eKg)}`)
      .join('; ');
  const explanation = [
    `${basis.text}: ${kg(baselineValue)} as stored (methods: ${methodsText(before)}).`,
    changes.length ? `Changes: ${changes.map((x) => x.note ?? x.feature).join('; ')}.` : 'No changes requested.',
    `Scenario: ${kg(newValue)} (${delta <= 0 ? '' : '+'}${kg(delta)}, ${pct(deltaPct)}) by ${methodsText(after)}.`,
    after.factors.length ? `Main factors after: ${topFactors(after)}.` : '',
    notes.length ? `Notes: ${notes.join('; ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    newValue,
    delta,
    deltaPct,
    baselineValue,
    explanation,
    changes,
    contributions: after.factors.slice(0, 10).map((f) => ({ feature: f.id, contributionKg: f.co2eKg })),
    model: 'method-engine',
    modelVersion: factorSet,
    basisEvents: input.activities?.length ? 0 : basis.items.length,
    before,
    after,
    notes,
    supplierId: basis.supplierId,
    route: basis.route,
    hotspotId: input.hotspotId ?? null,
    windowStart: basis.from?.toISOString() ?? null,
    windowEnd: basis.to?.toISOString() ?? null,
  };
}
