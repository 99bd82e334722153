// What-if: a basis of activities (a supplier's recent events, a hotspot's events, or explicit activities), changed
// as asked (vehicle, fuel, load, distance, load factor, modal shift), recomputed with data-core's method engine
// (estimateEmissions) — the same factors and hierarchy that produced every stored figure. Nothing is modelled here.
//
// How "after" is reached, per basis event with stored figure B:
//  - to a battery-electric vehicle: the class's kWh/km × the grid of the supplier's region (direct; the diesel
//    truck's measured litres say nothing about an electric one);
//  - otherwise: B × A(changed) / A(original), A = the ACTIVITY estimate of each — a measured figure keeps its
//    measurement and moves by what the method engine says the change does (an ACTIVITY figure simply becomes
//    A(changed), since A(original) = B).
//  - road → rail: the shifted share of t·km at the rail factor (full WTW), the rest as above.
import { badInput, type PluginServices } from '@carbon-nexus/plugin-sdk';
import type { OrchestrationConfig } from '../config.ts';
import { fetchEvents, type CoreEvent } from '../clients/datacore.ts';
import { estimateEmissions, supplierCountry, vehicleClasses, type ActivityInput, type AppliedFactor, type Estimate, type VehicleClassInfo } from './estimates.ts';

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
  modalShift?: { kind: 'ROAD_TO_RAIL'; sharePct: number } | null;
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

interface BasisItem {
  activity: ActivityInput;
  before: number;
  beforeMethod: string;
  beforeFactors: AppliedFactor[];
}

interface Basis {
  items: BasisItem[];
  text: string;
  supplierId: string | null;
  route: string | null;
  activity: Activity;
  from: Date | null;
  to: Date | null;
  notes: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FUELS = ['diesel', 'diesel_b7', 'diesel_mineral', 'petrol', 'hvo', 'cng', 'lng', 'electric'];
const FUEL_ALIAS: Record<string, string> = { bev: 'electric', ev: 'electric', b7: 'diesel_b7' };
/** Names the dashboard and earlier API versions sent; mapped to data-core classes ('ev' = the same class, electric). */
const LEGACY_VEHICLE: Record<string, string> = { rigid_diesel: 'rigid_truck', articulated_diesel: 'articulated_truck', van_diesel: 'van', van_ev: 'ev_van' };
const EVENT_FIELDS = `id eventType timestamp distanceKm loadKg vehicleType fuelType fuelL fuelKg energyKwh route region refrigerated productionUnits
  areaM2 co2eKg method dataSource qualityStatus supplierId factors { id version source unit boundary result role }`;
const MAX_BASIS = 500;

const r6 = (v: number) => Math.round(v * 1e6) / 1e6;
const pct = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(1)} %`;
const kg = (x: number) => `${x.toFixed(1)} kg CO2e`;

type Ev = CoreEvent & { fuelKg?: number | null; method?: string | null; dataSource?: string; qualityStatus?: string; factors?: AppliedFactor[] };

function toActivity(e: Ev, country: string | null): ActivityInput {
  return {
    eventType: e.eventType,
    distanceKm: e.distanceKm,
    loadKg: e.loadKg,
    vehicleType: e.vehicleType,
    fuelType: e.fuelType,
    fuelL: e.fuelL,
    fuelKg: e.fuelKg ?? null,
    energyKwh: e.energyKwh,
    region: e.region,
    country,
    refrigerated: e.refrigerated,
    productionUnits: e.productionUnits,
    areaM2: e.areaM2,
  };
}

async function basisFromEvents(
  services: PluginServices<OrchestrationConfig>,
  input: SimulationInput,
  now: Date,
  canSee: (supplierId: string) => boolean,
): Promise<Basis> {
  let supplierId = input.supplierId ?? null;
  let route = input.route ?? null;
  let activity: Activity = input.activity ?? 'TRANSPORT';
  let from: Date;
  let to: Date;
  let what: string;
  const lookback = input.lookbackHours ?? 168;
  if (input.hotspotId) {
    if (!UUID.test(input.hotspotId)) throw badInput('input.hotspotId', 'must be a hotspot id (uuid)');
    const [h] = await services.db.query<{ supplier_id: string | null; entity_type: string; entity_id: string; window_start: Date; window_end: Date }>(
      `SELECT supplier_id::text AS supplier_id, entity_type, entity_id, window_start, window_end FROM hotspots WHERE id = $1`,
      [input.hotspotId],
    );
    if (!h || (h.supplier_id && !canSee(h.supplier_id))) throw badInput('input.hotspotId', `no hotspot ${input.hotspotId}`);
    if (input.supplierId && h.supplier_id && input.supplierId !== h.supplier_id) throw badInput('input.supplierId', 'differs from the hotspot\'s supplier (give one of them)');
    supplierId = h.supplier_id;
    if (h.entity_type === 'route') route = h.entity_id;
    if (h.entity_type === 'event_type') activity = h.entity_id.toUpperCase() as Activity;
    from = new Date(h.window_start);
    to = new Date(h.window_end);
    what = `hotspot ${input.hotspotId} (${h.entity_type} ${h.entity_id}, window ${from.toISOString()} – ${to.toISOString()})`;
  } else {
    if (!supplierId) throw badInput('input.supplierId', 'give a supplierId (its recent events are the basis), a hotspotId or explicit activities');
    from = new Date(now.getTime() - lookback * 3_600_000);
    to = now;
    what = `the last ${lookback} h`;
  }
  const filter: Record<string, unknown> = { eventTypes: [activity], from: from.toISOString(), to: to.toISOString() };
  if (supplierId) filter.supplierIds = [supplierId];
  const all = (await fetchEvents(services, filter, 4 * MAX_BASIS, EVENT_FIELDS)) as Ev[];
  const onRoute = all.filter((e) => !route || e.route === route);
  const notes: string[] = [];
  const usable = onRoute.filter((e) => e.dataSource !== 'GAP_FILL' && e.qualityStatus !== 'SUPERSEDED' && e.co2eKg != null);
  const pending = onRoute.filter((e) => e.co2eKg == null).length;
  const fills = onRoute.filter((e) => e.dataSource === 'GAP_FILL').length;
  if (pending) notes.push(`${pending} event(s) with a pending figure (model estimate not arrived) are not in the basis`);
  if (fills) notes.push(`${fills} gap fill(s) carry no activity and are not in the basis`);
  if (usable.length > MAX_BASIS) notes.push(`basis limited to the ${MAX_BASIS} latest of ${usable.length} events`);
  const events = usable.slice(0, MAX_BASIS);
  const field = input.hotspotId ? 'input.hotspotId' : route ? 'input.route' : 'input.supplierId';
  if (!events.length) throw badInput(field, `no ${activity.toLowerCase()} events with a figure in ${what}${route ? ` on route ${route}` : ''}`);
  const country = supplierId ? await supplierCountry(services, supplierId) : null;
  return {
    items: events.map((e) => ({ activity: toActivity(e, country), before: e.co2eKg!, beforeMethod: (e.method ?? 'LEGACY').toUpperCase(), beforeFactors: e.factors ?? [] })),
    text: `Basis: ${events.length} ${activity.toLowerCase()} events of ${what}${route ? ` on route ${route}` : ''}`,
    supplierId,
    route,
    activity,
    from,
    to,
    notes,
  };
}

async function basisFromActivities(services: PluginServices<OrchestrationConfig>, input: SimulationInput): Promise<Basis> {
  const acts = input.activities!;
  if (acts.length > MAX_BASIS) throw badInput('input.activities', `at most ${MAX_BASIS}`);
  const country = input.supplierId ? await supplierCountry(services, input.supplierId) : null;
  const withCountry = acts.map((a) => ({ ...a, country: a.country ?? country }));
  const est = await estimateEmissions(services, withCountry);
  est.forEach((e, i) => {
    if (e.errors.length) throw badInput(`input.activities[${i}].${e.errors[0].field}`, e.errors[0].reason);
    if (e.co2eKg == null) throw badInput(`input.activities[${i}]`, 'needs metered energy or activity data (a model estimate cannot be simulated)');
  });
  const activity = (String(acts[0].eventType ?? 'TRANSPORT').toUpperCase() as Activity) ?? 'TRANSPORT';
  return {
    items: withCountry.map((a, i) => ({ activity: a, before: est[i].co2eKg!, beforeMethod: est[i].method ?? 'ACTIVITY', beforeFactors: est[i].factors })),
    text: `Basis: the ${acts.length} activities given`,
    supplierId: input.supplierId ?? null,
    route: input.route ?? null,
    activity,
    from: null,
    to: null,
    notes: [],
  };
}

function validate(input: SimulationInput) {
  if (input.loadChange != null && !(input.loadChange > -100 && input.loadChange <= 1000)) throw badInput('input.loadChange', 'must be a percent in (-100, 1000]');
  if (input.distanceChange != null && !(input.distanceChange > -100 && input.distanceChange <= 1000)) throw badInput('input.distanceChange', 'must be a percent in (-100, 1000]');
  if (input.loadFactor != null && !(input.loadFactor > 0 && input.loadFactor <= 1)) throw badInput('input.loadFactor', 'must be a fraction in (0, 1]');
  if (input.modalShift && !(input.modalShift.sharePct >= 0 && input.modalShift.sharePct <= 100)) throw badInput('input.modalShift.sharePct', 'must be a percent in [0, 100]');
  const lookback = input.lookbackHours ?? 168;
  if (!(lookback >= 1 && lookback <= 2160)) throw badInput('input.lookbackHours', 'must be between 1 and 2160');
}

function side(items: { method: string; co2eKg: number; factors: { f: AppliedFactor; scale: number }[] }[]): ScenarioSide {
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

const fieldOf = (f: string, input: SimulationInput) =>
  f === 'loadKg' ? (input.modalShift ? 'input.modalShift' : input.loadFactor != null ? 'input.loadFactor' : 'input.loadChange') : `input.${f}`;

export async function simulate(
  services: PluginServices<OrchestrationConfig>,
  input: SimulationInput,
  now = new Date(),
  canSee: (supplierId: string) => boolean = () => true,
): Promise<SimulationOutcome> {
  validate(input);
  // --- targets
  let fuel = input.fuelType ? input.fuelType.trim().toLowerCase().replace(/[\s-]+/g, '_') : null;
  if (fuel && FUEL_ALIAS[fuel]) fuel = FUEL_ALIAS[fuel];
  if (fuel && !FUELS.includes(fuel)) throw badInput('input.fuelType', `"${input.fuelType}" is not in the factor set; accepted: ${FUELS.join(', ')}`);
  let vehicle = input.vehicleType ? input.vehicleType.trim().toLowerCase().replace(/[\s-]+/g, '_').replace(/\./g, '_') : null;
  if (vehicle === 'ev' || vehicle === 'bev') {
    vehicle = null;
    fuel = 'electric';
  } else if (vehicle && LEGACY_VEHICLE[vehicle]) vehicle = LEGACY_VEHICLE[vehicle];
  const classes = await vehicleClasses(services);
  const byClass = new Map<string, VehicleClassInfo>(classes.map((c) => [c.id, c]));
  if (vehicle && !byClass.has(vehicle)) throw badInput('input.vehicleType', `"${input.vehicleType}" is not a known vehicle class; accepted: ${classes.map((c) => c.id).join(', ')}, ev`);
  const basis = input.activities?.length ? await basisFromActivities(services, input) : await basisFromEvents(services, input, now, canSee);
  const road = basis.activity === 'TRANSPORT' || basis.activity === 'DELIVERY';
  if (!road) {
    const bad = vehicle ? 'input.vehicleType' : fuel ? 'input.fuelType' : input.loadFactor != null ? 'input.loadFactor' : input.modalShift ? 'input.modalShift' : input.loadChange != null ? 'input.loadChange' : input.distanceChange != null ? 'input.distanceChange' : null;
    if (bad) throw badInput(bad, `applies to TRANSPORT and DELIVERY activity (${basis.activity.toLowerCase()} figures come from metered energy or a model estimate)`);
  }
  const toElectric = fuel === 'electric' || (vehicle ? byClass.get(vehicle)!.electric : false);
  const notes = [...basis.notes];
  const changes: ScenarioChange[] = [];
  const mean = (xs: (number | null | undefined)[]) => {
    const v = xs.filter((x): x is number => x != null);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };

  // --- changed activities
  const mods: ActivityInput[] = basis.items.map((b) => ({ ...b.activity }));
  if (vehicle || fuel) {
    for (const m of mods) {
      if (vehicle) m.vehicleType = vehicle;
      if (fuel) m.fuelType = fuel;
      // Measured fuel/energy described the old vehicle; the engine works from the activity for the new one.
      m.fuelL = m.fuelKg = m.energyKwh = null;
    }
    if (vehicle) changes.push({ feature: 'vehicleType', from: null, to: null, note: `vehicle: ${byClass.get(vehicle)!.label}` });
    if (fuel) changes.push({ feature: 'fuelType', from: null, to: null, note: toElectric ? `battery-electric, same vehicle class${vehicle ? '' : ' as each event'}: kWh/km × grid of the supplier's region` : `fuel: ${fuel}` });
  }
  if (input.loadChange != null) {
    const k = 1 + input.loadChange / 100;
    const noLoad = mods.filter((m) => m.loadKg == null).length;
    for (const m of mods) if (m.loadKg != null) m.loadKg *= k;
    if (noLoad) notes.push(`${noLoad} event(s) without loadKg: the load change does not apply to them`);
    const from = mean(basis.items.map((b) => b.activity.loadKg));
    changes.push({ feature: 'loadKg', from, to: from == null ? null : from * k, note: `load ${pct(input.loadChange)} per trip` });
  }
  if (input.distanceChange != null) {
    const k = 1 + input.distanceChange / 100;
    for (const m of mods) if (m.distanceKm != null) m.distanceKm *= k;
    const from = mean(basis.items.map((b) => b.activity.distanceKm));
    changes.push({ feature: 'distanceKm', from, to: from == null ? null : from * k, note: `distance ${pct(input.distanceChange)}` });
  }
  let tripsFactor = 1;
  if (input.loadFactor != null) {
    // The same tonnage in fewer (or more) trips, each loaded to the class's full payload × loadFactor.
    if (mods.some((m) => m.loadKg == null)) throw badInput('input.loadFactor', 'every basis event needs loadKg to move the same tonnage in fuller trips');
    const loads = mods.map((m) => m.loadKg as number);
    const payload = mods.map((m) => byClass.get(String(m.vehicleType ?? 'hgv'))?.payloadKg ?? null);
    if (payload.some((p) => p == null)) throw badInput('input.loadFactor', 'applies to HGV classes (a payload is known for them)');
    const before = loads.reduce((a, l) => a + l, 0);
    mods.forEach((m, i) => (m.loadKg = payload[i]! * input.loadFactor!));
    const after = mods.reduce((a, m) => a + m.loadKg!, 0);
    tripsFactor = before / after;
    const lfBefore = mean(loads.map((l, i) => l / payload[i]!));
    changes.push({ feature: 'load_factor', from: lfBefore, to: input.loadFactor, note: `same tonnage in ${(tripsFactor * 100).toFixed(0)} % of the trips (payload = the DESNZ 100 %-laden load of the class)` });
  }
  const share = input.modalShift && input.modalShift.sharePct > 0 ? input.modalShift.sharePct / 100 : 0;

  // --- one estimate call: originals and changed activities (ACTIVITY), and the rail legs of a modal shift
  const prefer = (a: ActivityInput): ActivityInput => ({ ...a, preferMethod: 'ACTIVITY' });
  const rail = share ? mods.map((m) => ({ eventType: 'TRANSPORT', distanceKm: m.distanceKm, loadKg: m.loadKg, vehicleType: 'rail', country: m.country, region: m.region })) : [];
  const n = basis.items.length;
  const est = await estimateEmissions(services, [...basis.items.map((b) => prefer(b.activity)), ...mods.map(prefer), ...rail]);
  const orig = est.slice(0, n);
  const mod = est.slice(n, 2 * n);
  const railEst = est.slice(2 * n);
  for (const e of mod) if (e.errors.length) throw badInput(fieldOf(e.errors[0].field, input), e.errors[0].reason);
  if (share && railEst.some((e) => e.errors.length)) throw badInput('input.modalShift', 'basis events without loadKg cannot move tonne-km to rail');
  let unscaled = 0;
  const afterItems = basis.items.map((b, i) => {
    const o = orig[i];
    const m = mod[i];
    let road: number;
    let scale: number;
    let method = m.method ?? 'ACTIVITY';
    if (toElectric) {
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
    const factors = scale === 0 ? b.beforeFactors.map((f) => ({ f, scale: (1 - share) * tripsFactor })) : m.factors.map((f) => ({ f, scale: scale * (1 - share) * tripsFactor }));
    let total = road * (1 - share);
    if (share) {
      total += (railEst[i].co2eKg ?? 0) * share;
      factors.push(...railEst[i].factors.map((f) => ({ f, scale: share * tripsFactor })));
      method = `${method} + rail`;
    }
    return { method, co2eKg: total * tripsFactor, factors };
  });
  if (unscaled && changes.length) notes.push(`${unscaled} basis event(s) have no ACTIVITY estimate to change (model estimates, or rows the current factor set cannot compute): they keep their figure`);
  if (share) {
    const tkm = mods.reduce((a, m) => a + ((m.loadKg ?? 0) / 1000) * (m.distanceKm ?? 0), 0) * tripsFactor;
    const k = mods.findIndex((m, i) => (railEst[i].co2eKg ?? 0) > 0 && (m.loadKg ?? 0) > 0 && (m.distanceKm ?? 0) > 0);
    const rf = k >= 0 ? railEst[k].factors : [];
    const perTkm = k >= 0 ? railEst[k].co2eKg! / (((mods[k].loadKg ?? 0) / 1000) * (mods[k].distanceKm ?? 0)) : 0;
    changes.push({
      feature: 'mode',
      from: 0,
      to: input.modalShift!.sharePct,
      note: `${input.modalShift!.sharePct} % of ${tkm.toFixed(0)} t·km by rail at ${perTkm.toFixed(5)} kg CO2e/t·km WTW (${rf.map((f) => f.id).join(' + ')})`,
    });
  }

  const before = side(basis.items.map((b) => ({ method: b.beforeMethod, co2eKg: b.before, factors: b.beforeFactors.map((f) => ({ f, scale: 1 })) })));
  const after = side(afterItems);
  const baselineValue = before.co2eKg;
  const newValue = after.co2eKg;
  const delta = r6(newValue - baselineValue);
  const deltaPct = baselineValue > 0 ? (delta / baselineValue) * 100 : 0;
  const methodsText = (s: ScenarioSide) => s.methods.map((m) => `${m.method} ${m.events}`).join(', ');
  const topFactors = (s: ScenarioSide) => s.factors.slice(0, 3).map((f) => `${f.id} (${f.version}) ${kg(f.co2eKg)}`).join('; ');
  const explanation = [
    `${basis.text}: ${kg(baselineValue)} as stored (methods: ${methodsText(before)}).`,
    changes.length ? `Changes: ${changes.map((c) => c.note ?? c.feature).join('; ')}.` : 'No changes requested.',
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
    modelVersion: est[0]?.factorSet ?? null,
    basisEvents: input.activities?.length ? 0 : n,
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
