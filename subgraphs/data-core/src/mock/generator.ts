// Seeded, reproducible synthetic activity for 10 suppliers. Every event is a pure function of (seed, supplier, time
// slot, index): a run re-sends the same events (same externalIds, deduplicated), and a planned spike changes only the
// events inside it. Events are what suppliers report — trips, metered energy — never emissions: data-core computes
// the figure from them like from any other data (fuel → FUEL method, kWh → ENERGY, distance × load → ACTIVITY).
//
// Trucks follow the Comprehensive Modal Emissions Model (Bektaş & Laporte 2011; Demir et al. 2011) as given in
// shared/reference/carbon-domain.md, per vehicle class (parameters below), with empty running, stops, idling and
// refrigeration. Facilities report interval meter readings; vans report rounds.
import { mulberry32 } from '@carbon-nexus/plugin-sdk/kit';

export type Category = 'transport' | 'factory' | 'warehouse' | 'delivery';

/** Truck physics for CMEM: F = λ·[P_f·d/v + γ·max(0, α·M·d + ½·CdA·ρ·d·v²)], α = a + g·sinθ + g·Cr·cosθ. */
export interface TruckPhysics {
  curbKg: number;
  maxLoadKg: number;
  /** Engine friction power k·N·V, kW (kJ/s). */
  frictionKw: number;
  /** Rolling resistance coefficient. */
  cr: number;
  /** Drag coefficient × frontal area, m². */
  cdA: number;
}

/**
 * The reference truck of carbon-domain.md (curb 6,350 kg, k 0.2 kJ/rev/L × N 33 rev/s × V 5 L, Cr 0.01,
 * Cd 0.7 × A 3.912 m²). The other classes are ASSUMPTIONS for synthetic data, calibrated to published consumption:
 * a 40 t articulated truck with 20 t aboard at 80 km/h burns ≈ 34 L/100 km (issue 16: 30–35 L), empty ≈ 25 L.
 */
export const PHYSICS: Record<'reference' | 'rigid_18t' | 'articulated_40t' | 'bev_rigid_19t', TruckPhysics> = {
  reference: { curbKg: 6350, maxLoadKg: 3650, frictionKw: 0.2 * 33 * 5, cr: 0.01, cdA: 0.7 * 3.912 },
  // 18 t rigid: ≈ 8 t curb, 10 t payload, box body ≈ 6 m² frontal area (ASSUMPTION); 5 t aboard ≈ 24 L/100 km at 80 km/h.
  rigid_18t: { curbKg: 8000, maxLoadKg: 10_000, frictionKw: 0.2 * 33 * 5, cr: 0.008, cdA: 0.7 * 6 },
  // tractor + curtain-sider ≈ 14.5 t curb, 25.5 t payload, modern tyres Cr 0.0055, CdA 5.4 m², friction 30 kW (ASSUMPTION).
  articulated_40t: { curbKg: 14_500, maxLoadKg: 25_500, frictionKw: 30, cr: 0.0055, cdA: 5.4 },
  // battery-electric 19 t rigid: battery adds ≈ 3 t curb (ASSUMPTION); energy = traction / 0.85 drivetrain + auxiliaries.
  bev_rigid_19t: { curbKg: 11_000, maxLoadKg: 8000, frictionKw: 0, cr: 0.007, cdA: 0.7 * 6 },
};

const G = 9.81;
const AIR_DENSITY = 1.2041;
const LAMBDA = 1 / (44 * 737); // litres per kJ of fuel energy: 44 kJ/g, 737 g/L
const GAMMA = 1 / (1000 * 0.4 * 0.9); // kJ of fuel per J at the wheel: engine 0.4, drivetrain 0.9

/** Tractive work at the wheel, J, floored at 0: downhill or decelerating, the engine only overcomes its friction. */
function tractionJ(d: number, v: number, M: number, p: TruckPhysics, a: number, theta: number): number {
  const alpha = a + G * Math.sin(theta) + G * p.cr * Math.cos(theta);
  return Math.max(0, alpha * M * d + 0.5 * p.cdA * AIR_DENSITY * d * v * v);
}

/** CMEM fuel use (litres) for d metres at v m/s, total mass M kg, acceleration a m/s², gradient θ rad. */
export function cmemFuelLitres(
  d: number,
  v: number,
  M: number,
  a = 0,
  theta = 0,
  p: TruckPhysics = PHYSICS.reference,
): number {
  return LAMBDA * ((p.frictionKw * d) / v + GAMMA * tractionJ(d, v, M, p, a, theta));
}

/** Battery energy (kWh) for the same segment: traction / drivetrain efficiency 0.85 (ASSUMPTION). */
export function bevEnergyKwh(
  d: number,
  v: number,
  M: number,
  a = 0,
  theta = 0,
  p: TruckPhysics = PHYSICS.bev_rigid_19t,
): number {
  return tractionJ(d, v, M, p, a, theta) / 0.85 / 3.6e6;
}

/** Assumptions beyond the reference (documented): idle diesel burn and reefer unit consumption, L/h; EV auxiliaries kW. */
export const IDLE_L_PER_H = 2.5;
export const REEFER_L_PER_H = 2.0;
export const EV_AUX_KW = 2.0;
export const EV_VAN_KWH_PER_KM = 0.25;

interface TripProfile {
  physics: keyof typeof PHYSICS;
  vehicleType: string;
  fuelType: 'diesel' | 'electric';
  /** The supplier reports litres (FUEL method); otherwise only distance and load (ACTIVITY method). */
  fuelRecords: boolean;
  /** Trip completions per hour at the daily peak on a weekday. */
  peakTripsPerHour: number;
  distanceKm: [number, number];
  speedKmh: [number, number];
  /** Share of trips driven empty. */
  emptyShare: number;
  /** Laden trips carry this share of the maximum payload. */
  loadShare: [number, number];
  stopsPer100Km: [number, number];
  refrigerated?: boolean;
  routes: number;
}

export interface MockSupplier {
  externalId: string;
  name: string;
  category: Category;
  country: string;
  location: { lat: number; lon: number; city: string };
  fleetInfo: Record<string, unknown>;
  /** Declared baseline, kg CO2e per hour (rough, supplier's own statement). */
  baselineEmissionKgPerHour: number;
  trips?: TripProfile;
  /** Facilities: meter reading interval, minutes. */
  meterMinutes?: number;
  /** Factory: electricity base load kW and kWh per production unit; units per hour at peak. */
  factory?: { baseKw: number; kwhPerUnit: number; unitsPerHour: number; gasShare?: number };
  /** Warehouse: floor area and electricity intensity, kWh per m² per year (ASSUMPTION, typical published ranges). */
  warehouse?: { areaM2: number; kwhPerM2Year: number; refrigerated: boolean };
  /** Delivery rounds: rounds completed per hour at peak, drops per round, km per drop. */
  delivery?: {
    vehicleType: string;
    fuelType: 'diesel' | 'electric';
    peakRoundsPerHour: number;
    drops: [number, number];
    kmPerDrop: [number, number];
  };
}

export const MOCK_SUPPLIERS: MockSupplier[] = [
  {
    externalId: 'MOCK-T1',
    name: 'Northline Haulage',
    category: 'transport',
    country: 'GB',
    location: { lat: 53.48, lon: -2.24, city: 'Manchester' },
    fleetInfo: { vehicles: 40, vehicleTypes: ['rigid_12_20t'], fuelTypes: ['diesel'], fuelCards: true },
    baselineEmissionKgPerHour: 450,
    trips: {
      physics: 'rigid_18t',
      vehicleType: 'rigid_12_20t',
      fuelType: 'diesel',
      fuelRecords: true,
      peakTripsPerHour: 9,
      distanceKm: [30, 150],
      speedKmh: [45, 72],
      emptyShare: 0.2,
      loadShare: [0.35, 0.95],
      stopsPer100Km: [4, 15],
      routes: 6,
    },
  },
  {
    externalId: 'MOCK-T2',
    name: 'Rhein Freight',
    category: 'transport',
    country: 'DE',
    location: { lat: 50.94, lon: 6.96, city: 'Cologne' },
    fleetInfo: { vehicles: 25, vehicleTypes: ['articulated_34_40t'], fuelTypes: ['diesel'] },
    baselineEmissionKgPerHour: 900,
    trips: {
      physics: 'articulated_40t',
      vehicleType: 'articulated_34_40t',
      fuelType: 'diesel',
      fuelRecords: false,
      peakTripsPerHour: 8,
      distanceKm: [120, 420],
      speedKmh: [62, 82],
      emptyShare: 0.15,
      loadShare: [0.45, 0.95],
      stopsPer100Km: [0.5, 3],
      routes: 5,
    },
  },
  {
    externalId: 'MOCK-T3',
    name: 'Pacific Cold Chain',
    category: 'transport',
    country: 'US',
    location: { lat: 34.05, lon: -118.24, city: 'Los Angeles' },
    fleetInfo: { vehicles: 18, vehicleTypes: ['rigid_12_20t'], refrigerated: true, fuelCards: true },
    baselineEmissionKgPerHour: 300,
    trips: {
      physics: 'rigid_18t',
      vehicleType: 'rigid_12_20t',
      fuelType: 'diesel',
      fuelRecords: true,
      peakTripsPerHour: 8,
      distanceKm: [25, 120],
      speedKmh: [35, 65],
      emptyShare: 0.1,
      loadShare: [0.3, 0.8],
      stopsPer100Km: [8, 25],
      refrigerated: true,
      routes: 4,
    },
  },
  {
    externalId: 'MOCK-T4',
    name: 'Volta E-Trucks',
    category: 'transport',
    country: 'GB',
    location: { lat: 51.45, lon: -2.59, city: 'Bristol' },
    fleetInfo: { vehicles: 12, vehicleTypes: ['ev_truck'], fuelTypes: ['electric'] },
    baselineEmissionKgPerHour: 40,
    trips: {
      physics: 'bev_rigid_19t',
      vehicleType: 'ev_truck',
      fuelType: 'electric',
      fuelRecords: true,
      peakTripsPerHour: 8,
      distanceKm: [20, 110],
      speedKmh: [35, 65],
      emptyShare: 0.15,
      loadShare: [0.3, 0.9],
      stopsPer100Km: [5, 20],
      routes: 4,
    },
  },
  {
    externalId: 'MOCK-F1',
    name: 'Midlands Components',
    category: 'factory',
    country: 'GB',
    location: { lat: 52.49, lon: -1.89, city: 'Birmingham' },
    fleetInfo: {},
    baselineEmissionKgPerHour: 200,
    meterMinutes: 15,
    factory: { baseKw: 350, kwhPerUnit: 4.5, unitsPerHour: 160, gasShare: 0.4 },
  },
  {
    externalId: 'MOCK-F2',
    name: 'Shenzhen Assembly',
    category: 'factory',
    country: 'CN',
    location: { lat: 22.54, lon: 114.06, city: 'Shenzhen' },
    fleetInfo: {},
    baselineEmissionKgPerHour: 700,
    meterMinutes: 15,
    factory: { baseKw: 700, kwhPerUnit: 2.2, unitsPerHour: 520 },
  },
  {
    externalId: 'MOCK-W1',
    name: 'Rotterdam DC',
    category: 'warehouse',
    country: 'NL',
    location: { lat: 51.92, lon: 4.48, city: 'Rotterdam' },
    fleetInfo: { areaM2: 40000 },
    baselineEmissionKgPerHour: 80,
    meterMinutes: 15,
    warehouse: { areaM2: 40_000, kwhPerM2Year: 95, refrigerated: false },
  },
  {
    externalId: 'MOCK-W2',
    name: 'Chennai Cold Store',
    category: 'warehouse',
    country: 'IN',
    location: { lat: 13.08, lon: 80.27, city: 'Chennai' },
    fleetInfo: { areaM2: 15000, refrigerated: true },
    baselineEmissionKgPerHour: 350,
    meterMinutes: 15,
    warehouse: { areaM2: 15_000, kwhPerM2Year: 300, refrigerated: true },
  },
  {
    externalId: 'MOCK-D1',
    name: 'CityDrop Couriers',
    category: 'delivery',
    country: 'GB',
    location: { lat: 51.51, lon: -0.13, city: 'London' },
    fleetInfo: { vehicles: 60, vehicleTypes: ['van'] },
    baselineEmissionKgPerHour: 60,
    delivery: { vehicleType: 'van', fuelType: 'diesel', peakRoundsPerHour: 10, drops: [6, 18], kmPerDrop: [1.5, 3.5] },
  },
  {
    externalId: 'MOCK-D2',
    name: 'Mumbai Last Mile',
    category: 'delivery',
    country: 'IN',
    location: { lat: 19.08, lon: 72.88, city: 'Mumbai' },
    fleetInfo: { vehicles: 80, vehicleTypes: ['ev_van'] },
    baselineEmissionKgPerHour: 25,
    delivery: {
      vehicleType: 'ev_van',
      fuelType: 'electric',
      peakRoundsPerHour: 12,
      drops: [8, 22],
      kmPerDrop: [1, 2.5],
    },
  },
];

export const DEFAULT_HOTSPOT_SUPPLIER = 'MOCK-T1';

/**
 * What a planned spike changes (always the reported activity, never the emissions themselves):
 *  - distance: detours — distance × factor, +10 min idling per trip (rounds: distance × factor);
 *  - load:     trips laden at the maximum payload, none empty, and longer hauls (distance × factor / 1.6);
 *  - volume:   more trips or rounds (rate × factor);
 *  - energy:   facility meters read × factor (an equipment fault, an unplanned extra shift).
 */
export const SPIKE_KINDS = ['distance', 'load', 'volume', 'energy'] as const;
export type SpikeKind = (typeof SPIKE_KINDS)[number];

export interface PlannedSpike {
  supplier: string;
  kind: SpikeKind;
  factor: number;
  /** Simulated time, ms: events with from ≤ timestamp < to are affected. */
  from: number;
  to: number;
  /**
   * Trips or rounds at least at the supplier's peak (daytime) rate during the spike, spread evenly over its slots.
   * The demo's planned spike sets it: at a quiet hour, or with a chance lull of trips, a Poisson count could leave
   * the detoured fleet with too few trips to tell from noise, and the scenario would not fire (seen at 17:00 UTC).
   */
  steadyRate?: boolean;
}

export interface MockOptions {
  seed: number;
  spikes?: PlannedSpike[];
}

/** Spike kinds that make sense for a supplier category (the first is the default). */
export function spikeKindsFor(category: Category): SpikeKind[] {
  if (category === 'transport') return ['distance', 'load', 'volume'];
  if (category === 'delivery') return ['distance', 'volume'];
  return ['energy'];
}

/** mulberry32: small, fast, seeded PRNG. */
function hash(...parts: (string | number)[]): number {
  let h = 2166136261;
  for (const ch of parts.join('|')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const between = (r: () => number, [lo, hi]: [number, number]) => lo + r() * (hi - lo);
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Poisson draw (Knuth; rates here are small). */
function poisson(r: () => number, mean: number): number {
  if (mean <= 0) return 0;
  const limit = Math.exp(-mean);
  let k = 0;
  let p = r();
  while (p > limit) {
    k++;
    p *= r();
  }
  return k;
}

/** Activity multiplier by hour of day and day of week (supplier's local time, from its longitude). */
export function seasonality(s: MockSupplier, at: Date): number {
  const offset = Math.round(s.location.lon / 15);
  const local = new Date(at.getTime() + offset * 3_600_000);
  const h = local.getUTCHours() + local.getUTCMinutes() / 60;
  const dow = local.getUTCDay(); // 0 = Sunday
  const weekend = dow === 0 || dow === 6;
  // smooth daytime peak around 13:00
  const day = 0.35 + 0.65 * Math.max(0, Math.cos(((h - 13) / 24) * 2 * Math.PI)) ** 1.5;
  switch (s.category) {
    case 'factory':
      return (weekend ? 0.45 : 1) * (0.55 + 0.45 * day);
    case 'warehouse':
      return (weekend ? 0.7 : 1) * (0.6 + 0.4 * day);
    case 'delivery':
      return h < 7 || h > 21 ? 0.05 : (weekend ? 0.6 : 1) * day;
    default:
      return (weekend ? 0.55 : 1) * day;
  }
}

/** Slot length of a supplier, minutes: meter interval for facilities, 5 minutes for trips and rounds. */
export const slotMinutes = (s: MockSupplier) => s.meterMinutes ?? 5;

export type MockEvent = Record<string, unknown> & { externalId: string; supplierExternalId: string; timestamp: string };

function spikeAt(o: MockOptions, s: MockSupplier, t: number): PlannedSpike | null {
  for (const sp of o.spikes ?? []) if (sp.supplier === s.externalId && t >= sp.from && t < sp.to) return sp;
  return null;
}

function tripEvent(
  s: MockSupplier,
  p: TripProfile,
  r: () => number,
  base: MockEvent,
  season: number,
  spike: PlannedSpike | null,
): MockEvent {
  const phys = PHYSICS[p.physics];
  const kind = spike?.kind;
  const f = spike?.factor ?? 1;
  const empty = kind === 'load' ? false : r() < p.emptyShare;
  const share = between(r, p.loadShare);
  const loadKg = empty ? 0 : Math.round(phys.maxLoadKg * (kind === 'load' ? 0.95 + 0.05 * r() : share));
  let distanceKm = between(r, p.distanceKm);
  const speedKmh = between(r, p.speedKmh);
  let idleMinutes = 5 + r() * 25 * (0.5 + season);
  if (kind === 'distance') {
    distanceKm *= f;
    idleMinutes += 10;
  } else if (kind === 'load') distanceKm *= f / 1.6;
  const stops = Math.max(0, Math.round((between(r, p.stopsPer100Km) * distanceKm) / 100));
  // net climb over a whole trip is small; per-stop acceleration to cruise speed as the CMEM `a` term averaged per metre
  const gradientPct = round(gauss(r) * 0.25, 2);
  const v = speedKmh / 3.6;
  const d = distanceKm * 1000;
  const accel = (stops * v * v) / 2 / Math.max(d, 1); // kinetic energy per stop spread over the trip
  const M = phys.curbKg + loadKg;
  const noise = 1 + 0.04 * gauss(r); // driver behaviour, weather
  const ev: MockEvent = {
    ...base,
    eventType: 'TRANSPORT',
    distanceKm: round(distanceKm, 1),
    loadKg,
    speedKmh: Math.round(speedKmh),
    vehicleType: p.vehicleType,
    fuelType: p.fuelType,
    gradientPct,
    idleMinutes: round(idleMinutes, 1),
    stops,
    refrigerated: !!p.refrigerated,
    route: `${s.location.city}-R${1 + Math.floor(r() * p.routes)}`,
  };
  const hours = distanceKm / speedKmh;
  if (p.fuelType === 'electric') {
    ev.energyKwh = round(
      (bevEnergyKwh(d, v, M, accel, Math.atan(gradientPct / 100), phys) + EV_AUX_KW * hours) * noise,
      2,
    );
  } else if (p.fuelRecords) {
    let fuel = cmemFuelLitres(d, v, M, accel, Math.atan(gradientPct / 100), phys);
    fuel += (idleMinutes / 60) * IDLE_L_PER_H;
    if (p.refrigerated) fuel += (hours + idleMinutes / 60) * REEFER_L_PER_H;
    ev.fuelL = round(fuel * noise, 2);
  }
  return ev;
}

function deliveryEvent(s: MockSupplier, r: () => number, base: MockEvent, spike: PlannedSpike | null): MockEvent {
  const dl = s.delivery!;
  const drops = Math.round(between(r, dl.drops));
  const distanceKm = drops * between(r, dl.kmPerDrop) * (spike?.kind === 'distance' ? spike.factor : 1);
  const ev: MockEvent = {
    ...base,
    eventType: 'DELIVERY',
    distanceKm: round(distanceKm, 1),
    stops: drops,
    parcels: drops * (1 + Math.floor(r() * 3)),
    vehicleType: dl.vehicleType,
    fuelType: dl.fuelType,
    route: `${s.location.city}-Z${1 + Math.floor(r() * 8)}`,
  };
  if (dl.fuelType === 'electric') ev.energyKwh = round(distanceKm * EV_VAN_KWH_PER_KM * (1 + 0.06 * gauss(r)), 2);
  return ev;
}

function meterEvent(
  s: MockSupplier,
  r: () => number,
  base: MockEvent,
  season: number,
  spike: PlannedSpike | null,
): MockEvent {
  const hours = slotMinutes(s) / 60;
  const f = spike?.kind === 'energy' ? spike.factor : 1;
  const noise = () => 1 + 0.04 * gauss(r);
  if (s.factory) {
    const fc = s.factory;
    const productionUnits = Math.max(0, Math.round(fc.unitsPerHour * hours * season * noise()));
    const energyKwh = round((fc.baseKw * hours + productionUnits * fc.kwhPerUnit) * noise() * f, 1);
    // periodHours: the reading covers one meter interval, not a plant-day (models scale by it).
    const ev: MockEvent = {
      ...base,
      eventType: 'FACTORY',
      energyKwh,
      productionUnits,
      facilityId: `${s.externalId}-plant`,
      attributes: { periodHours: hours },
    };
    if (fc.gasShare) ev.gasKwh = round(energyKwh * fc.gasShare * noise(), 1);
    return ev;
  }
  const w = s.warehouse!;
  // Lighting, handling and (cold stores) refrigeration follow activity only partly: 60–100 % of the average draw.
  const kwhPerHour = (w.areaM2 * w.kwhPerM2Year) / 8760;
  const energyKwh = round(kwhPerHour * hours * (0.6 + 0.4 * season) * noise() * f, 1);
  return {
    ...base,
    eventType: 'WAREHOUSE',
    energyKwh,
    areaM2: w.areaM2,
    refrigerated: w.refrigerated,
    facilityId: `${s.externalId}-dc`,
    attributes: { periodHours: hours },
  };
}

/** Slot `index`'s share of a steady rate of `perSlot` events per slot: whole events, `perSlot` on average. */
const evenShare = (perSlot: number, index: number) => Math.floor((index + 1) * perSlot) - Math.floor(index * perSlot);

/** The events supplier `s` reports for the slot ending at `slotMs` (possibly none), in time order. */
export function eventsForSlot(s: MockSupplier, slotMs: number, o: MockOptions): MockEvent[] {
  const season = seasonality(s, new Date(slotMs));
  const slotLen = slotMinutes(s) * 60_000;
  const event = (i: number, r: () => number, forceSpike?: PlannedSpike): MockEvent => {
    // trips end anywhere within the slot; meter readings at its end. The spike applies by the event's own time.
    let t = s.meterMinutes ? slotMs : slotMs - Math.floor(r() * (slotLen / 1000)) * 1000;
    if (forceSpike) t = Math.max(t, forceSpike.from);
    const spike = forceSpike ?? spikeAt(o, s, t);
    const base: MockEvent = {
      externalId: `mock-${s.externalId}-${slotMs / 60000}${i ? `-${i}` : ''}`,
      supplierExternalId: s.externalId,
      timestamp: new Date(t).toISOString(),
      dataSource: 'MOCK',
    };
    const e = s.meterMinutes
      ? meterEvent(s, r, base, season, spike)
      : s.trips
        ? tripEvent(s, s.trips, r, base, season, spike)
        : deliveryEvent(s, r, base, spike);
    return spike
      ? { ...e, attributes: { ...((e.attributes as object) ?? {}), scenario: 'hotspot', spike: spike.kind } }
      : e;
  };
  if (s.meterMinutes) return [event(0, mulberry32(hash(o.seed, s.externalId, slotMs)))];
  // Trip completions / rounds in the slot: Poisson around the supplier's rate at this time. The normal events are the
  // same with or without a spike; a volume spike adds more after them.
  const perHour = s.trips ? s.trips.peakTripsPerHour : s.delivery!.peakRoundsPerHour;
  const mean = perHour * season * (slotLen / 3_600_000);
  const slotSpike = spikeAt(o, s, slotMs);
  const drawn = poisson(mulberry32(hash(o.seed, s.externalId, slotMs, 'n')), mean);
  const n = slotSpike?.steadyRate
    ? Math.max(drawn, evenShare(perHour * (slotLen / 3_600_000), slotMs / slotLen))
    : drawn;
  const extra =
    slotSpike?.kind === 'volume'
      ? poisson(mulberry32(hash(o.seed, s.externalId, slotMs, 'extra')), mean * (slotSpike.factor - 1))
      : 0;
  const out: MockEvent[] = [];
  for (let i = 0; i < n + extra; i++)
    out.push(event(i, mulberry32(hash(o.seed, s.externalId, slotMs, i)), i >= n ? slotSpike! : undefined));
  return out.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
}

/** All events of slots ending in (fromMs, toMs] (slots aligned to each supplier's slot length), in time order. */
export function eventsBetween(fromMs: number, toMs: number, o: MockOptions, suppliers = MOCK_SUPPLIERS): MockEvent[] {
  const out: MockEvent[] = [];
  for (const s of suppliers) {
    const step = slotMinutes(s) * 60_000;
    for (let t = Math.floor(fromMs / step) * step + step; t <= toMs; t += step) out.push(...eventsForSlot(s, t, o));
  }
  return out.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
}
