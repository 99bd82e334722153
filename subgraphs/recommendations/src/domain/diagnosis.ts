// Diagnosis: why is this hotspot above its baseline? Compares the hotspot window's events with the supplier's own
// events before it (data-core's figures) and splits the change of kg CO2e per hour into factors that multiply to it:
//
//   transport:  kg/h = legs/h × km/leg × t (tkm/km) × kg/t·km      (kg/km when there is no load)
//   factory:    kg/h = events/h × units/event × kg/unit
//   warehouse:  kg/h = events/h × m²/event × kg/m²
//
// Each factor's log-ratio (window ÷ before) is its share of the change; the hotspot's excess (predicted − baseline)
// is attributed to the causes in proportion to the positive shares. A rise in kg per t·km is split further: the
// part a lower payload explains (low load / empty running), and the rest — efficiency, or a fuel-record anomaly when
// the fuel per km is implausible for the vehicle class or emissions per km more than doubled for the same vehicles.
// Measures are then picked for the causes (knowledge/measures.json `addresses`), and their avoided kg is bounded by
// the excess attributed to those causes.

export type Cause =
  | 'activity_growth'
  | 'payload_increase'
  | 'longer_legs'
  | 'efficiency_drop'
  | 'fuel_record_anomaly'
  | 'low_load'
  | 'empty_running'
  | 'idling'
  | 'high_speed'
  | 'energy_intensity'
  | 'production_growth'
  | 'data_gaps';

export const CAUSES: readonly Cause[] = [
  'activity_growth',
  'payload_increase',
  'longer_legs',
  'efficiency_drop',
  'fuel_record_anomaly',
  'low_load',
  'empty_running',
  'idling',
  'high_speed',
  'energy_intensity',
  'production_growth',
  'data_gaps',
];

export const CAUSE_LABEL: Record<Cause, string> = {
  activity_growth: 'more activity (volume growth)',
  payload_increase: 'heavier payloads',
  longer_legs: 'longer legs',
  efficiency_drop: 'lower efficiency (more kg CO2e per t·km or per km for the same work)',
  fuel_record_anomaly: 'a fuel-record anomaly (fuel per km implausible for the vehicles)',
  low_load: 'lower load per vehicle (poorer load factor)',
  empty_running: 'more empty running',
  idling: 'more idling',
  high_speed: 'higher speeds',
  energy_intensity: 'higher energy intensity (kg CO2e per unit or per m²)',
  production_growth: 'more production / throughput',
  data_gaps: 'gap-filled estimates instead of measured data',
};

/** Causes that describe waste or error — measures can remove their excess. Volume causes are real work. */
export const CORRECTIVE: ReadonlySet<Cause> = new Set([
  'efficiency_drop',
  'fuel_record_anomaly',
  'low_load',
  'empty_running',
  'idling',
  'high_speed',
  'energy_intensity',
  'longer_legs',
]);

export interface DiagEvent {
  eventType?: string | null;
  timestamp: string;
  co2eKg?: number | null;
  distanceKm?: number | null;
  loadKg?: number | null;
  tonneKm?: number | null;
  fuelL?: number | null;
  vehicleType?: string | null;
  speedKmh?: number | null;
  idleMinutes?: number | null;
  productionUnits?: number | null;
  areaM2?: number | null;
  dataSource?: string | null;
  attributes?: Record<string, unknown> | null;
}

export interface PeriodFacts {
  hours: number;
  events: number;
  kg: number;
  kgPerHour: number;
  eventsPerHour: number;
  kgPerEvent: number | null;
  km: number;
  tkm: number;
  /** distance-weighted payload, t */
  payloadT: number | null;
  kgPerKm: number | null;
  kgPerTkm: number | null;
  /** L per 100 km over events that carry fuel and distance */
  fuelLPer100Km: number | null;
  /** share of distance driven empty (attributes.emptyShare, or legs with no payload) */
  emptyShare: number | null;
  idleMinAvg: number | null;
  speedAvg: number | null;
  units: number;
  kgPerUnit: number | null;
  areaM2Avg: number | null;
  kgPerM2: number | null;
  predictedShare: number;
  vehicleClass: VehicleKind | null;
}

export interface Finding {
  cause: Cause;
  /** what moved, with the numbers */
  evidence: string;
  /** part of the hotspot excess attributed to this cause, kg CO2e */
  attributedKg: number;
  /** 0..1 of the excess */
  share: number;
}

export interface Diagnosis {
  /** own-history: window vs the supplier's events before it; none: too little data to compare */
  basis: 'own-history' | 'none';
  kind: 'transport' | 'factory' | 'warehouse' | 'other';
  excessKg: number;
  window: PeriodFacts | null;
  before: PeriodFacts | null;
  /** largest attributed first; causes without attribution (contributing factors) last */
  findings: Finding[];
  causes: Cause[];
  /** readable statement of what changed and why */
  statement: string;
}

type VehicleKind = 'van' | 'rigid-small' | 'rigid' | 'artic';

/**
 * Plausible fuel use (L/100 km) per vehicle kind: BEIS 2021 per-km factors at 0 % and 100 % laden ÷ 2.51 kg/L
 * (vans: Class I–III), widened by 25 % either side for duty and vehicle age. Outside the band a fuel record is more
 * likely wrong (unit error, double entry, a tank fill booked to one leg) than the vehicle.
 */
export const PLAUSIBLE_FUEL_L_PER_100KM: Record<VehicleKind, [number, number]> = {
  van: [4.5, 13.5],
  'rigid-small': [13.4, 25.9],
  rigid: [16.1, 54.8],
  artic: [18.5, 53.3],
};

export function vehicleKind(v: string | null | undefined): VehicleKind | null {
  const s = (v ?? '').toLowerCase().replace(/[_-]/g, ' ');
  if (!s.trim()) return null;
  if (/\bvan\b|lcv|sprinter/.test(s)) return 'van';
  if (/artic|semi|tractor|trailer|\bhgv\b|40 ?t|44 ?t/.test(s)) return 'artic';
  if (/3\.5|7\.5 ?t(?!\d)/.test(s) && !/17|20|26|32/.test(s)) return 'rigid-small';
  if (/truck|rigid|lorry/.test(s)) return 'rigid';
  return null;
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (r: number) => `${r >= 1 ? '+' : ''}${Math.round((r - 1) * 100)} %`;
const fmt = (x: number) => (Math.abs(x) >= 100 ? String(Math.round(x)) : String(round(x, x < 1 ? 3 : 1)));

export function periodFacts(events: readonly DiagEvent[], hours: number): PeriodFacts {
  let kg = 0;
  let km = 0;
  let tkm = 0;
  let kmWithLoad = 0;
  let fuel = 0;
  let fuelKm = 0;
  let emptyKm = 0;
  let emptyKnownKm = 0;
  let units = 0;
  let kgUnits = 0;
  let kgArea = 0;
  let areaSum = 0;
  let areaN = 0;
  let predicted = 0;
  const idle: number[] = [];
  const speed: number[] = [];
  const kinds = new Map<VehicleKind, number>();
  for (const e of events) {
    const c = num(e.co2eKg) ?? 0;
    kg += c;
    if ((e.dataSource ?? '').toUpperCase() === 'GAP_FILL') predicted++;
    const d = num(e.distanceKm);
    const l = num(e.loadKg);
    if (d !== null && d > 0) {
      km += d;
      const t = num(e.tonneKm) ?? (l !== null ? (d * l) / 1000 : null);
      if (t !== null && t > 0) {
        tkm += t;
        kmWithLoad += d;
      }
      const f = num(e.fuelL);
      if (f !== null && f > 0) {
        fuel += f;
        fuelKm += d;
      }
      const es =
        num((e.attributes ?? {})['emptyShare'] as number) ?? num((e.attributes ?? {})['emptyDistanceFactor'] as number);
      if (es !== null) {
        emptyKm += d * es;
        emptyKnownKm += d;
      } else if (l !== null) {
        if (l <= 0) emptyKm += d;
        emptyKnownKm += d;
      }
      const k = vehicleKind(e.vehicleType);
      if (k) kinds.set(k, (kinds.get(k) ?? 0) + d);
    }
    const u = num(e.productionUnits);
    if (u !== null && u > 0) {
      units += u;
      kgUnits += c;
    }
    const a = num(e.areaM2);
    if (a !== null && a > 0) {
      areaSum += a;
      areaN++;
      kgArea += c / a;
    }
    const i = num(e.idleMinutes);
    if (i !== null) idle.push(i);
    const s = num(e.speedKmh);
    if (s !== null) speed.push(s);
  }
  const n = events.length;
  const h = Math.max(hours, 1e-9);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((x, y) => x + y, 0) / xs.length : null);
  const kind = [...kinds.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] ?? null;
  return {
    hours,
    events: n,
    kg,
    kgPerHour: kg / h,
    eventsPerHour: n / h,
    kgPerEvent: n ? kg / n : null,
    km,
    tkm,
    payloadT: kmWithLoad > 0 ? tkm / kmWithLoad : null,
    kgPerKm: km > 0 ? kg / km : null,
    kgPerTkm: tkm > 0 ? kg / tkm : null,
    fuelLPer100Km: fuelKm > 0 ? (fuel / fuelKm) * 100 : null,
    emptyShare: emptyKnownKm > 0 ? emptyKm / emptyKnownKm : null,
    idleMinAvg: mean(idle),
    speedAvg: mean(speed),
    units,
    kgPerUnit: units > 0 ? kgUnits / units : null,
    areaM2Avg: areaN ? areaSum / areaN : null,
    kgPerM2: areaN ? kgArea / areaN : null,
    predictedShare: n ? predicted / n : 0,
    vehicleClass: kind,
  };
}

/** A factor's ratio counts when it moved by at least 10 %. */
const MOVED = Math.log(1.1);
const MIN_EVENTS = 3;

interface Component {
  cause: Cause;
  logRatio: number;
  evidence: string;
}

export function diagnose(args: {
  windowEvents: readonly DiagEvent[];
  beforeEvents: readonly DiagEvent[];
  windowHours: number;
  beforeHours: number;
  excessKg: number;
  category: string;
}): Diagnosis {
  const excess = Math.max(0, args.excessKg);
  const W = periodFacts(args.windowEvents, args.windowHours);
  const B = periodFacts(args.beforeEvents, args.beforeHours);
  const cat = args.category.toLowerCase();
  const kind: Diagnosis['kind'] =
    cat === 'factory'
      ? 'factory'
      : cat === 'warehouse'
        ? 'warehouse'
        : cat === 'transport' || cat === 'delivery' || W.km > 0
          ? 'transport'
          : 'other';
  const none = (why: string): Diagnosis => ({
    basis: 'none',
    kind,
    excessKg: excess,
    window: W.events ? W : null,
    before: B.events ? B : null,
    findings: [],
    causes: [],
    statement: why,
  });
  if (W.events < 1 || B.events < MIN_EVENTS || !(B.kgPerHour > 0) || !(W.kgPerHour > 0)) {
    return none(
      `Too little history to compare (${W.events} events in the window, ${B.events} before it): the cause is inferred from the operating signals only.`,
    );
  }
  const comps: Component[] = [];
  const lr = (a: number | null, b: number | null) =>
    a !== null && b !== null && a > 0 && b > 0 ? Math.log(a / b) : null;
  const add = (cause: Cause, r: number | null, evidence: string) => {
    if (r !== null && Number.isFinite(r)) comps.push({ cause, logRatio: r, evidence });
  };
  const contributing: Finding[] = [];
  const rate = lr(W.eventsPerHour, B.eventsPerHour);
  const volumeCause: Cause = kind === 'factory' || kind === 'warehouse' ? 'production_growth' : 'activity_growth';
  add(
    volumeCause,
    rate,
    `${kind === 'transport' ? 'legs' : 'events'} per hour ${pct(W.eventsPerHour / B.eventsPerHour)} (${fmt(B.eventsPerHour)} → ${fmt(W.eventsPerHour)})`,
  );

  if (kind === 'transport' && W.km > 0 && B.km > 0) {
    add(
      'longer_legs',
      lr(W.km / W.events, B.km / B.events),
      `distance per leg ${pct(W.km / W.events / (B.km / B.events))} (${fmt(B.km / B.events)} → ${fmt(W.km / W.events)} km)`,
    );
    const payloadR = W.payloadT !== null && B.payloadT !== null ? W.payloadT / B.payloadT : null;
    if (W.kgPerTkm !== null && B.kgPerTkm !== null && payloadR !== null) {
      add(
        'payload_increase',
        Math.log(payloadR),
        `payload ${pct(payloadR)} (${fmt(B.payloadT!)} → ${fmt(W.payloadT!)} t)`,
      );
      // kg per t·km: the part a lower payload explains is load factor; the rest efficiency or fuel records
      const iR = W.kgPerTkm / B.kgPerTkm;
      let rest = Math.log(iR);
      const intensityText = `kg CO2e per t·km ${pct(iR)} (${fmt(B.kgPerTkm)} → ${fmt(W.kgPerTkm)})`;
      if (rest > 0 && payloadR < 1) {
        const byLoad = Math.min(rest, -Math.log(payloadR));
        const emptyUp = W.emptyShare !== null && B.emptyShare !== null && W.emptyShare - B.emptyShare >= 0.1;
        add(
          emptyUp ? 'empty_running' : 'low_load',
          byLoad,
          `${intensityText}; the lower payload explains ${pct(Math.exp(byLoad))}${emptyUp ? ` and empty running rose from ${Math.round(B.emptyShare! * 100)} % to ${Math.round(W.emptyShare! * 100)} % of the distance` : ''}`,
        );
        rest -= byLoad;
      }
      if (rest > 0 || comps.every((c) => c.cause !== 'low_load' && c.cause !== 'empty_running'))
        addIntensity(rest, intensityText);
    } else if (W.kgPerKm !== null && B.kgPerKm !== null) {
      addIntensity(
        Math.log(W.kgPerKm / B.kgPerKm),
        `kg CO2e per km ${pct(W.kgPerKm / B.kgPerKm)} (${fmt(B.kgPerKm)} → ${fmt(W.kgPerKm)})`,
      );
    }
    if (
      W.idleMinAvg !== null &&
      W.idleMinAvg >= 15 &&
      (B.idleMinAvg === null || W.idleMinAvg >= 1.25 * Math.max(B.idleMinAvg, 1))
    ) {
      contributing.push({
        cause: 'idling',
        evidence: `average idling ${fmt(B.idleMinAvg ?? 0)} → ${fmt(W.idleMinAvg)} min per leg`,
        attributedKg: 0,
        share: 0,
      });
    }
    if (W.speedAvg !== null && W.speedAvg >= 80 && (B.speedAvg === null || W.speedAvg > B.speedAvg * 1.05)) {
      contributing.push({
        cause: 'high_speed',
        evidence: `average speed ${fmt(B.speedAvg ?? 0)} → ${fmt(W.speedAvg)} km/h`,
        attributedKg: 0,
        share: 0,
      });
    }
  } else if (kind === 'factory' && W.kgPerUnit !== null && B.kgPerUnit !== null) {
    add(
      volumeCause,
      lr(W.units / W.events, B.units / B.events),
      `units per event ${pct(W.units / W.events / (B.units / B.events))}`,
    );
    add(
      'energy_intensity',
      Math.log(W.kgPerUnit / B.kgPerUnit),
      `kg CO2e per unit ${pct(W.kgPerUnit / B.kgPerUnit)} (${fmt(B.kgPerUnit)} → ${fmt(W.kgPerUnit)})`,
    );
  } else if (kind === 'warehouse' && W.kgPerM2 !== null && B.kgPerM2 !== null) {
    add(
      'energy_intensity',
      Math.log(W.kgPerM2 / B.kgPerM2),
      `kg CO2e per m² ${pct(W.kgPerM2 / B.kgPerM2)} (${fmt(B.kgPerM2 * 1000)} → ${fmt(W.kgPerM2 * 1000)} g/m² per event)`,
    );
  } else if (W.kgPerEvent !== null && B.kgPerEvent !== null) {
    add(
      kind === 'transport' ? 'efficiency_drop' : 'energy_intensity',
      Math.log(W.kgPerEvent / B.kgPerEvent),
      `kg CO2e per event ${pct(W.kgPerEvent / B.kgPerEvent)} (${fmt(B.kgPerEvent)} → ${fmt(W.kgPerEvent)}) — the events carry no size to normalise by`,
    );
  }
  if (W.predictedShare >= 0.3)
    contributing.push({
      cause: 'data_gaps',
      evidence: `${Math.round(W.predictedShare * 100)} % of the window's events are gap-filled estimates`,
      attributedKg: 0,
      share: 0,
    });

  function addIntensity(r: number, text: string) {
    const kmR = W.kgPerKm !== null && B.kgPerKm !== null ? W.kgPerKm / B.kgPerKm : null;
    const band = W.vehicleClass ? PLAUSIBLE_FUEL_L_PER_100KM[W.vehicleClass] : null;
    const fuel = W.fuelLPer100Km;
    const implausible = fuel !== null && band !== null && (fuel < band[0] || fuel > band[1]);
    // the same vehicles cannot physically double their emissions per km: that is a record, not the road
    const doubled = kmR !== null && kmR >= 2;
    if (r > 0 && (implausible || doubled)) {
      const why = implausible
        ? `fuel ${fmt(fuel!)} L/100 km is outside the plausible ${band![0]}–${band![1]} L/100 km for a ${W.vehicleClass}`
        : `emissions per km ${pct(kmR!)} for the same kind of vehicle`;
      add('fuel_record_anomaly', r, `${text}; ${why}`);
    } else add('efficiency_drop', r, text);
  }

  const D = Math.log(W.kgPerHour / B.kgPerHour);
  const positive = comps.filter((c) => c.logRatio >= MOVED);
  const P = positive.reduce((a, c) => a + c.logRatio, 0);
  const merged = new Map<Cause, Finding>();
  for (const c of positive) {
    const share = P > 0 ? c.logRatio / P : 0;
    const f = merged.get(c.cause);
    if (f) {
      f.share += share;
      f.attributedKg += share * excess;
      f.evidence += `; ${c.evidence}`;
    } else merged.set(c.cause, { cause: c.cause, evidence: c.evidence, share, attributedKg: share * excess });
  }
  const findings = [...merged.values()].sort((a, b) => b.attributedKg - a.attributedKg);
  for (const f of findings) {
    f.share = round(f.share, 4);
    f.attributedKg = round(f.attributedKg, 3);
  }
  findings.push(...contributing);
  const moved = comps.filter((c) => Math.abs(c.logRatio) >= MOVED && c.logRatio < 0).map((c) => c.evidence);
  const parts: string[] = [];
  parts.push(
    `Compared with its own ${Math.round(args.beforeHours)} h before the window, emissions per hour are ${pct(Math.exp(D))} (${fmt(B.kgPerHour)} → ${fmt(W.kgPerHour)} kg CO2e/h${W.kgPerEvent !== null && B.kgPerEvent !== null ? `; per ${kind === 'transport' ? 'leg' : 'event'} ${pct(W.kgPerEvent / B.kgPerEvent)}` : ''}).`,
  );
  if (findings.some((f) => f.attributedKg > 0)) {
    parts.push(
      `What changed: ${findings
        .filter((f) => f.attributedKg > 0)
        .map(
          (f) =>
            `${CAUSE_LABEL[f.cause]} — ${f.evidence} (${Math.round(f.share * 100)} % of the ${fmt(excess)} kg excess, ${fmt(f.attributedKg)} kg)`,
        )
        .join('; ')}.`,
    );
  } else {
    parts.push(
      `Nothing the events record moved by 10 % or more towards more emissions: the window is not above the supplier's recent level, so the baseline for these hours may be low.`,
    );
  }
  if (moved.length) parts.push(`Moved the other way: ${moved.join('; ')}.`);
  const side = findings.filter((f) => f.attributedKg === 0);
  if (side.length) parts.push(`Also seen: ${side.map((f) => `${CAUSE_LABEL[f.cause]} (${f.evidence})`).join('; ')}.`);
  return {
    basis: 'own-history',
    kind,
    excessKg: excess,
    window: W,
    before: B,
    findings,
    causes: findings.map((f) => f.cause),
    statement: parts.join(' '),
  };
}
