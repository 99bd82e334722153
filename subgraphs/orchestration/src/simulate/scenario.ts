// What-if simulation: representative activity (recent data-core events, or explicit features) -> apply the
// scenario's changes to the model features -> ml-engine predictBatch (baseline and scenario rows in ONE call)
// -> trip-count and modal-shift adjustments -> { newValue, delta, baselineValue, explanation } in kg CO2e.
import { badInput, type PluginServices } from '@carbon-nexus/plugin-sdk';
import type { OrchestrationConfig } from '../config.ts';
import { fetchEvents, type CoreEvent } from '../clients/datacore.ts';

export type Activity = 'TRANSPORT' | 'DELIVERY' | 'FACTORY' | 'WAREHOUSE';

export interface SimulationInput {
  supplierId?: string | null;
  route?: string | null;
  activity?: Activity | null;
  features?: { name: string; value: number }[] | null;
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
}

const MODEL: Record<Activity, string> = { TRANSPORT: 'LOGISTICS', DELIVERY: 'LAST_MILE', FACTORY: 'FACTORY', WAREHOUSE: 'WAREHOUSE' };

/** Grid electricity factors, kg CO2e/kWh (carbon-domain.md): UK DESNZ 2025, EEA EU-27 2018, US EPA eGRID,
 * India CEA FY2023-24, China MEE. Default when the region is unknown: EU-27. */
const GRID: Record<string, number> = { GB: 0.177, UK: 0.177, EU: 0.281, US: 0.39, IN: 0.727, CN: 0.5366 };
const gridFactor = (region: string | null) => GRID[(region ?? '').toUpperCase().slice(0, 2)] ?? 0.281;

/** Payload capacity assumptions for load-factor scenarios, kg (typical legal payloads: rigid 26 t GVW ≈ 17 t,
 * articulated 40–44 t GVW ≈ 26 t (the model's max), 3.5 t van ≈ 1.2 t). Not emission factors. */
const CAPACITY_KG: Record<number, number> = { 0: 17_000, 1: 26_000, 2: 1_200, 3: 1_000 };
const VEHICLE_LABEL: Record<number, string> = { 0: 'rigid truck, diesel', 1: 'articulated truck, diesel', 2: 'van, diesel', 3: 'van, battery-electric' };

function logisticsVehicleClass(vehicleType: string | null | undefined, fuelType?: string | null): number | null {
  const v = (vehicleType ?? '').toLowerCase();
  const f = (fuelType ?? '').toLowerCase();
  const electric = /ev|electric|bev/.test(v) || /electric|bev/.test(f);
  if (/van|lcv/.test(v) || (electric && !/truck|hgv|rigid|artic/.test(v))) return electric ? 3 : 2;
  if (/artic|semi|tractor|hgv_40|44/.test(v)) return 1;
  if (/rigid|truck|hgv|lorry/.test(v)) return 0;
  return null;
}

function lastmileVehicle(vehicleType: string | null | undefined, fuelType?: string | null): number | null {
  const v = (vehicleType ?? '').toLowerCase();
  const f = (fuelType ?? '').toLowerCase();
  if (/bike|cargo/.test(v)) return 2;
  if (/ev|electric|bev/.test(v) || /electric|bev/.test(f)) return 1;
  if (/van|diesel/.test(v) || /diesel/.test(f)) return 0;
  return null;
}

type Row = Record<string, number>;

/** data-core event -> model feature row (units of the ml-engine model cards). */
export function eventToFeatures(activity: Activity, e: CoreEvent): Row | null {
  const grid = gridFactor(e.region);
  if (activity === 'TRANSPORT') {
    if (!e.distanceKm || e.loadKg == null) return null;
    return {
      distance_km: e.distanceKm,
      load_kg: e.loadKg,
      speed_kmh: e.speedKmh ?? 60,
      gradient_pct: e.gradientPct ?? 0,
      stops_per_100km: e.stops != null ? (e.stops / e.distanceKm) * 100 : 2,
      idle_min: e.idleMinutes ?? 0,
      refrigerated: e.refrigerated ? 1 : 0,
      empty_share: 0,
      vehicle_class: logisticsVehicleClass(e.vehicleType, e.fuelType) ?? 0,
      grid_factor_kg_per_kwh: grid,
    };
  }
  if (activity === 'DELIVERY') {
    if (!e.distanceKm) return null;
    return {
      stops: e.stops ?? 20,
      parcels: e.parcels ?? e.stops ?? 20,
      distance_km: e.distanceKm,
      vehicle: lastmileVehicle(e.vehicleType, e.fuelType) ?? 0,
      failed_share: 0.05,
      grid_factor_kg_per_kwh: grid,
    };
  }
  if (activity === 'FACTORY') {
    if (e.productionUnits == null) return null;
    return {
      production_units: e.productionUnits,
      kwh_per_unit: e.energyKwh && e.productionUnits ? e.energyKwh / e.productionUnits : 2,
      base_load_kw: 200,
      shift_hours: 16,
      gas_m3: 0,
      ambient_temp_c: 12,
      grid_factor_kg_per_kwh: grid,
    };
  }
  if (!e.areaM2) return null;
  return {
    area_m2: e.areaM2,
    refrigerated_share: e.refrigerated ? 0.3 : 0,
    throughput_t: e.loadKg != null ? e.loadKg / 1000 : 100,
    hours: 16,
    ambient_temp_c: 12,
    grid_factor_kg_per_kwh: grid,
  };
}

interface FeatureRange {
  name: string;
  min: number;
  max: number;
}

async function modelRanges(services: PluginServices<any>, model: string): Promise<Map<string, FeatureRange>> {
  const data = await services.call<{ models: { name: string; version: string; features: FeatureRange[] }[] }>(
    'ml-engine',
    `query OrchestrationModels { models { name version features { name min max } } }`,
  );
  const card = data.models.find((m) => m.name === model);
  if (!card) throw new Error(`ml-engine has no model ${model}`);
  return new Map(card.features.map((f) => [f.name, f]));
}

const pct = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(1)} %`;
const kg = (x: number) => `${x.toFixed(1)} kg CO2e`;

export async function simulate(services: PluginServices<OrchestrationConfig>, input: SimulationInput, now = new Date()): Promise<SimulationOutcome> {
  const activity: Activity = input.activity ?? 'TRANSPORT';
  const model = MODEL[activity];
  // --- validate
  if (input.loadChange != null && !(input.loadChange > -100 && input.loadChange <= 1000)) throw badInput('input.loadChange', 'must be a percent in (-100, 1000]');
  if (input.distanceChange != null && !(input.distanceChange > -100 && input.distanceChange <= 1000))
    throw badInput('input.distanceChange', 'must be a percent in (-100, 1000]');
  if (input.loadFactor != null && !(input.loadFactor > 0 && input.loadFactor <= 1)) throw badInput('input.loadFactor', 'must be a fraction in (0, 1]');
  if (input.modalShift && !(input.modalShift.sharePct >= 0 && input.modalShift.sharePct <= 100)) throw badInput('input.modalShift.sharePct', 'must be a percent in [0, 100]');
  if ((input.modalShift || input.loadFactor != null) && activity !== 'TRANSPORT')
    throw badInput(input.modalShift ? 'input.modalShift' : 'input.loadFactor', 'applies to TRANSPORT activity only');
  const lookback = input.lookbackHours ?? 168;
  if (!(lookback >= 1 && lookback <= 2160)) throw badInput('input.lookbackHours', 'must be between 1 and 2160');
  const fuel = input.fuelType?.toLowerCase() ?? null;
  if (fuel && !['diesel', 'electric', 'bev', 'ev'].includes(fuel))
    throw badInput('input.fuelType', `"${input.fuelType}" is not modelled: the models cover diesel and battery-electric (use diesel or electric)`);

  // --- basis rows
  let base: Row[];
  let basisEvents = 0;
  let basisText: string;
  if (input.features?.length) {
    base = [Object.fromEntries(input.features.map((f) => [f.name, f.value]))];
    basisText = `Basis: the ${input.features.length} features given`;
  } else {
    if (!input.supplierId) throw badInput('input.supplierId', 'give a supplierId (its recent events are the basis) or explicit features');
    const from = new Date(now.getTime() - lookback * 3_600_000);
    const events = (
      await fetchEvents(services, { supplierIds: [input.supplierId], eventTypes: [activity], from: from.toISOString(), to: now.toISOString() }, 2000)
    ).filter((e) => !input.route || e.route === input.route);
    base = events.map((e) => eventToFeatures(activity, e)).filter((r): r is Row => r !== null).slice(0, 500);
    basisEvents = base.length;
    if (!base.length)
      throw badInput(
        input.route ? 'input.route' : 'input.supplierId',
        `no ${activity.toLowerCase()} events with the needed measures in the last ${lookback} h${input.route ? ` on route ${input.route}` : ''}`,
      );
    basisText = `Basis: ${base.length} ${activity.toLowerCase()} events of the last ${lookback} h${input.route ? ` on route ${input.route}` : ''}`;
  }

  const ranges = await modelRanges(services, model);
  const clampNotes = new Set<string>();
  const clamp = (r: Row): Row => {
    const out: Row = {};
    for (const [k, v] of Object.entries(r)) {
      const f = ranges.get(k);
      if (!f) continue;
      const c = Math.min(f.max, Math.max(f.min, v));
      if (c !== v) clampNotes.add(k);
      out[k] = c;
    }
    return out;
  };
  base = base.map(clamp);

  // --- apply changes
  const changes: ScenarioChange[] = [];
  const mean = (rows: Row[], k: string) => rows.reduce((s, r) => s + (r[k] ?? 0), 0) / rows.length;
  let scen = base.map((r) => ({ ...r }));
  let tripsFactor = 1;
  const loadKey = activity === 'TRANSPORT' ? 'load_kg' : activity === 'DELIVERY' ? 'parcels' : activity === 'FACTORY' ? 'production_units' : 'throughput_t';

  if (input.vehicleType || fuel) {
    const electric = fuel !== null && fuel !== 'diesel';
    if (activity === 'TRANSPORT') {
      let target: (r: Row) => number;
      if (input.vehicleType) {
        const vc = logisticsVehicleClass(input.vehicleType, fuel);
        if (vc === null) throw badInput('input.vehicleType', `"${input.vehicleType}" is not a known vehicle (rigid_diesel, articulated_diesel, van_diesel, van_ev, ev)`);
        target = () => vc;
      } else target = (r) => (electric ? 3 : r.vehicle_class === 3 ? 2 : r.vehicle_class);
      scen = scen.map((r) => ({ ...r, vehicle_class: target(r) }));
      const to = mean(scen, 'vehicle_class');
      const label = VEHICLE_LABEL[Math.round(to)] ?? 'mixed';
      changes.push({ feature: 'vehicle_class', from: mean(base, 'vehicle_class'), to, note: `vehicle: ${label}${electric || to === 3 ? ' (the model covers battery-electric vans)' : ''}` });
    } else if (activity === 'DELIVERY') {
      let target: (r: Row) => number;
      if (input.vehicleType) {
        const v = lastmileVehicle(input.vehicleType, fuel);
        if (v === null) throw badInput('input.vehicleType', `"${input.vehicleType}" is not a known delivery vehicle (van_diesel, van_ev, ecargo_bike)`);
        target = () => v;
      } else target = (r) => (electric ? 1 : r.vehicle === 1 ? 0 : r.vehicle);
      scen = scen.map((r) => ({ ...r, vehicle: target(r) }));
      const to = mean(scen, 'vehicle');
      changes.push({ feature: 'vehicle', from: mean(base, 'vehicle'), to, note: `vehicle: ${['van, diesel', 'van, battery-electric', 'e-cargo bike'][Math.round(to)]}` });
    } else throw badInput(input.vehicleType ? 'input.vehicleType' : 'input.fuelType', 'applies to TRANSPORT and DELIVERY activity only');
  }
  if (input.loadChange != null) {
    const k = 1 + input.loadChange / 100;
    scen = scen.map((r) => ({ ...r, [loadKey]: r[loadKey] * k }));
    changes.push({ feature: loadKey, from: mean(base, loadKey), to: mean(base, loadKey) * k, note: `load ${pct(input.loadChange)} per trip` });
  }
  if (input.distanceChange != null) {
    const k = 1 + input.distanceChange / 100;
    scen = scen.map((r) => ({ ...r, distance_km: r.distance_km * k }));
    changes.push({ feature: 'distance_km', from: mean(base, 'distance_km'), to: mean(base, 'distance_km') * k, note: `distance ${pct(input.distanceChange)}` });
  }
  if (input.loadFactor != null) {
    // Same tonnage in fewer (or more) trips: each trip carries capacity × target load factor.
    const tonnageBefore = scen.reduce((s, r) => s + r.load_kg, 0);
    scen = scen.map((r) => ({ ...r, load_kg: (CAPACITY_KG[r.vehicle_class] ?? 17_000) * input.loadFactor! }));
    const tonnageAfter = scen.reduce((s, r) => s + r.load_kg, 0);
    tripsFactor = tonnageBefore / tonnageAfter;
    const lfBefore = mean(base.map((r) => ({ lf: r.load_kg / (CAPACITY_KG[r.vehicle_class] ?? 17_000) })), 'lf');
    changes.push({ feature: 'load_factor', from: lfBefore, to: input.loadFactor, note: `same tonnage in ${(tripsFactor * 100).toFixed(0)} % of the trips` });
  }
  scen = scen.map(clamp);

  // --- predict baseline and scenario in one call
  const toInput = (r: Row) => Object.entries(r).map(([name, value]) => ({ name, value }));
  const data = await services.call<{ predictBatch: { co2eKg: number; modelVersion: string; contributions: { feature: string; contributionKg: number }[] }[] }>(
    'ml-engine',
    `query OrchestrationSimulate($rows: [[FeatureValueInput!]!]!) {
      predictBatch(model: ${model}, rows: $rows, explain: true, persist: false) { co2eKg modelVersion contributions { feature contributionKg } }
    }`,
    { rows: [...base, ...scen].map(toInput) },
  );
  const preds = data.predictBatch;
  const n = base.length;
  const baselineValue = preds.slice(0, n).reduce((s, p) => s + p.co2eKg, 0);
  let roadShare = 1;
  let railKg = 0;
  const scenRoad = preds.slice(n).reduce((s, p) => s + p.co2eKg, 0) * tripsFactor;
  if (input.modalShift && input.modalShift.sharePct > 0) {
    roadShare = 1 - input.modalShift.sharePct / 100;
    const tkm = scen.reduce((s, r) => s + (r.load_kg / 1000) * r.distance_km, 0) * tripsFactor;
    railKg = tkm * (input.modalShift.sharePct / 100) * services.config.RAIL_FACTOR_KG_PER_TKM;
    changes.push({
      feature: 'mode',
      from: 0,
      to: input.modalShift.sharePct,
      note: `${input.modalShift.sharePct} % of ${tkm.toFixed(0)} t·km by rail at ${services.config.RAIL_FACTOR_KG_PER_TKM} kg CO2e/t·km (rail UK, UK DESNZ GHG conversion factors 2025)`,
    });
  }
  const newValue = scenRoad * roadShare + railKg;
  const delta = newValue - baselineValue;
  const deltaPct = baselineValue > 0 ? (delta / baselineValue) * 100 : 0;

  const contrib = new Map<string, number>();
  for (const p of preds.slice(n)) for (const c of p.contributions ?? []) contrib.set(c.feature, (contrib.get(c.feature) ?? 0) + c.contributionKg * tripsFactor * roadShare);
  if (railKg > 0) contrib.set('rail', railKg);
  const contributions = [...contrib]
    .map(([feature, contributionKg]) => ({ feature, contributionKg }))
    .sort((a, b) => Math.abs(b.contributionKg) - Math.abs(a.contributionKg));

  const explanation = [
    `${basisText}: ${kg(baselineValue)} with model ${model.toLowerCase()}.`,
    changes.length ? `Changes: ${changes.map((c) => c.note ?? c.feature).join('; ')}.` : 'No changes requested.',
    `Scenario: ${kg(newValue)} (${delta <= 0 ? '' : '+'}${kg(delta)}, ${pct(deltaPct)}).`,
    contributions.length
      ? `Top contributions: ${contributions.slice(0, 3).map((c) => `${c.feature} ${c.contributionKg >= 0 ? '+' : ''}${c.contributionKg.toFixed(1)} kg`).join(', ')}.`
      : '',
    clampNotes.size ? `Clamped to the model's range: ${[...clampNotes].join(', ')}.` : '',
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
    contributions: contributions.slice(0, 10),
    model: model.toLowerCase(),
    modelVersion: preds[0]?.modelVersion ?? null,
    basisEvents,
  };
}
