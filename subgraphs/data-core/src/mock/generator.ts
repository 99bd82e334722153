// Seeded, reproducible synthetic activity for ~10 suppliers. Every event is a pure function of
// (seed, supplier, time slot): the same run re-sends the same events (same externalIds, deduplicated).
// Transport fuel follows the Comprehensive Modal Emissions Model (Bektaş & Laporte 2011; Demir et al.) as given
// in shared/reference/carbon-domain.md, plus idling, refrigeration, empty running and noise.

export interface MockSupplier {
  externalId: string;
  name: string;
  category: 'transport' | 'factory' | 'warehouse' | 'delivery';
  country: string;
  location: { lat: number; lon: number; city: string };
  fleetInfo: Record<string, unknown>;
  /** Declared baseline, kg CO2e per hour (rough). */
  baselineEmissionKgPerHour: number;
  /** Minutes between events. */
  cadenceMin: number;
  /** Scale of activity. */
  scale: number;
  vehicleType?: string;
  fuelType?: string;
  refrigerated?: boolean;
}

export const MOCK_SUPPLIERS: MockSupplier[] = [
  { externalId: 'MOCK-T1', name: 'Northline Haulage', category: 'transport', country: 'GB', location: { lat: 53.48, lon: -2.24, city: 'Manchester' }, fleetInfo: { vehicles: 40, vehicleTypes: ['rigid_truck'], fuelTypes: ['diesel'] }, baselineEmissionKgPerHour: 180, cadenceMin: 15, scale: 1, vehicleType: 'rigid_truck', fuelType: 'diesel' },
  { externalId: 'MOCK-T2', name: 'Rhein Freight', category: 'transport', country: 'DE', location: { lat: 50.94, lon: 6.96, city: 'Cologne' }, fleetInfo: { vehicles: 25, vehicleTypes: ['articulated_truck'], fuelTypes: ['diesel'] }, baselineEmissionKgPerHour: 150, cadenceMin: 15, scale: 1.2, vehicleType: 'articulated_truck', fuelType: 'diesel' },
  { externalId: 'MOCK-T3', name: 'Pacific Cold Chain', category: 'transport', country: 'US', location: { lat: 34.05, lon: -118.24, city: 'Los Angeles' }, fleetInfo: { vehicles: 18, vehicleTypes: ['rigid_truck'], refrigerated: true }, baselineEmissionKgPerHour: 160, cadenceMin: 20, scale: 1, vehicleType: 'rigid_truck', fuelType: 'diesel', refrigerated: true },
  { externalId: 'MOCK-T4', name: 'Volta E-Trucks', category: 'transport', country: 'GB', location: { lat: 51.45, lon: -2.59, city: 'Bristol' }, fleetInfo: { vehicles: 12, vehicleTypes: ['ev_truck'], fuelTypes: ['electric'] }, baselineEmissionKgPerHour: 25, cadenceMin: 20, scale: 0.8, vehicleType: 'ev_truck', fuelType: 'electric' },
  { externalId: 'MOCK-F1', name: 'Midlands Components', category: 'factory', country: 'GB', location: { lat: 52.49, lon: -1.89, city: 'Birmingham' }, fleetInfo: {}, baselineEmissionKgPerHour: 120, cadenceMin: 15, scale: 1 },
  { externalId: 'MOCK-F2', name: 'Shenzhen Assembly', category: 'factory', country: 'CN', location: { lat: 22.54, lon: 114.06, city: 'Shenzhen' }, fleetInfo: {}, baselineEmissionKgPerHour: 400, cadenceMin: 15, scale: 1.6 },
  { externalId: 'MOCK-W1', name: 'Rotterdam DC', category: 'warehouse', country: 'NL', location: { lat: 51.92, lon: 4.48, city: 'Rotterdam' }, fleetInfo: { areaM2: 40000 }, baselineEmissionKgPerHour: 60, cadenceMin: 15, scale: 1, refrigerated: false },
  { externalId: 'MOCK-W2', name: 'Chennai Cold Store', category: 'warehouse', country: 'IN', location: { lat: 13.08, lon: 80.27, city: 'Chennai' }, fleetInfo: { areaM2: 15000, refrigerated: true }, baselineEmissionKgPerHour: 140, cadenceMin: 15, scale: 0.7, refrigerated: true },
  { externalId: 'MOCK-D1', name: 'CityDrop Couriers', category: 'delivery', country: 'GB', location: { lat: 51.51, lon: -0.13, city: 'London' }, fleetInfo: { vehicles: 60, vehicleTypes: ['van'] }, baselineEmissionKgPerHour: 35, cadenceMin: 30, scale: 1, vehicleType: 'van', fuelType: 'diesel' },
  { externalId: 'MOCK-D2', name: 'Mumbai Last Mile', category: 'delivery', country: 'IN', location: { lat: 19.08, lon: 72.88, city: 'Mumbai' }, fleetInfo: { vehicles: 80, vehicleTypes: ['ev_van'] }, baselineEmissionKgPerHour: 20, cadenceMin: 30, scale: 1, vehicleType: 'ev_van', fuelType: 'electric' },
];

export const DEFAULT_HOTSPOT_SUPPLIER = 'MOCK-T1';

/** mulberry32: small, fast, seeded PRNG. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(...parts: (string | number)[]): number {
  let h = 2166136261;
  for (const ch of parts.join('|')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

/** Activity multiplier by hour of day and day of week (UTC + supplier's rough offset). */
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

/** CMEM fuel use (litres) for a segment: d metres at v m/s, mass M kg, acceleration a, gradient θ (rad). */
export function cmemFuelLitres(d: number, v: number, M: number, a = 0, theta = 0): number {
  const lambda = 1 / (44 * 737);
  const k = 0.2, N = 33, V = 5;
  const gamma = 1 / (1000 * 0.4 * 0.9);
  const beta = 0.5 * 0.7 * 1.2041 * 3.912;
  const g = 9.81;
  const alpha = a + g * Math.sin(theta) + g * 0.01 * Math.cos(theta);
  return lambda * ((k * N * V * d) / v + gamma * alpha * M * d + gamma * beta * d * v * v);
}

export const CURB_KG = 6350;
/** Assumptions beyond the reference (documented): idle diesel burn and reefer unit consumption, L/h; BEV truck kWh/km. */
export const IDLE_L_PER_H = 2.5;
export const REEFER_L_PER_H = 2.0;
export const EV_TRUCK_KWH_PER_KM = 1.25;
export const EV_VAN_KWH_PER_KM = 0.25;

export interface MockOptions {
  seed: number;
  /** Events at or after this instant (simulated time) for the hotspot supplier are ×3. */
  hotspotFrom: number | null;
  hotspotSupplier: string;
  hotspotFactor?: number;
}

export type MockEvent = Record<string, unknown> & { externalId: string; supplierExternalId: string; timestamp: string };

/** The event of supplier `s` for the slot starting at `slotMs` (null when the supplier is idle then). */
export function eventFor(s: MockSupplier, slotMs: number, o: MockOptions): MockEvent | null {
  const r = prng(hash(o.seed, s.externalId, slotMs));
  const at = new Date(slotMs);
  const season = seasonality(s, at);
  const hot = o.hotspotFrom !== null && slotMs >= o.hotspotFrom && s.externalId === o.hotspotSupplier ? (o.hotspotFactor ?? 3) : 1;
  // fewer events when activity is low (deterministic given the slot)
  if (r() > Math.min(1, 0.25 + season)) return null;
  const noise = () => 1 + 0.05 * gauss(r);
  const base = {
    externalId: `mock-${s.externalId}-${slotMs / 60000}`,
    supplierExternalId: s.externalId,
    timestamp: at.toISOString(),
    dataSource: 'MOCK',
  };
  const hours = s.cadenceMin / 60;
  switch (s.category) {
    case 'transport': {
      const empty = r() < 0.15;
      const loadKg = empty ? 0 : Math.round((4000 + r() * 18000) * s.scale);
      const speedKmh = Math.round(45 + r() * 40);
      const distanceKm = Math.round(speedKmh * hours * (0.6 + 0.4 * r()) * 10) / 10;
      const gradientPct = Math.round(gauss(r) * 1.5 * 10) / 10;
      const idleMinutes = Math.round(r() * 6 * season * 10) / 10;
      const accel = 0.05 * r();
      const ev: MockEvent = {
        ...base,
        eventType: 'TRANSPORT',
        distanceKm,
        loadKg,
        speedKmh,
        vehicleType: s.vehicleType,
        fuelType: s.fuelType,
        gradientPct,
        idleMinutes,
        refrigerated: !!s.refrigerated,
        route: `${s.location.city}-R${1 + Math.floor(r() * 5)}`,
      };
      if (s.fuelType === 'electric') {
        ev.energyKwh = Math.round(distanceKm * EV_TRUCK_KWH_PER_KM * (1 + loadKg / 40000) * noise() * hot * 100) / 100;
      } else {
        let fuel = cmemFuelLitres(distanceKm * 1000, speedKmh / 3.6, CURB_KG + loadKg, accel, Math.atan(gradientPct / 100));
        fuel += (idleMinutes / 60) * IDLE_L_PER_H;
        if (s.refrigerated) fuel += hours * REEFER_L_PER_H;
        ev.fuelL = Math.round(Math.max(0, fuel * noise()) * hot * 1000) / 1000;
      }
      if (hot > 1) ev.attributes = { scenario: 'hotspot' };
      return ev;
    }
    case 'factory': {
      const productionUnits = Math.round(200 * s.scale * season * noise());
      const energyKwh = Math.round((150 + productionUnits * 2.2) * hours * 4 * noise() * hot * 10) / 10;
      // periodHours: the event covers one cadence interval, not a plant-day (models scale by it).
      const ev: MockEvent = { ...base, eventType: 'FACTORY', energyKwh, productionUnits, facilityId: `${s.externalId}-plant`, attributes: { periodHours: hours } };
      if (s.country === 'GB') ev.gasKwh = Math.round(energyKwh * 0.4 * noise() * 10) / 10;
      if (hot > 1) ev.attributes = { periodHours: hours, scenario: 'hotspot' };
      return ev;
    }
    case 'warehouse': {
      const area = Number((s.fleetInfo as any).areaM2 ?? 20000);
      const perM2 = s.refrigerated ? 0.045 : 0.012; // kWh per m² per hour
      const energyKwh = Math.round(area * perM2 * hours * (0.7 + 0.3 * season) * noise() * hot * 10) / 10;
      const ev: MockEvent = { ...base, eventType: 'WAREHOUSE', energyKwh, areaM2: area, refrigerated: !!s.refrigerated, facilityId: `${s.externalId}-dc`, attributes: { periodHours: hours } };
      if (hot > 1) ev.attributes = { periodHours: hours, scenario: 'hotspot' };
      return ev;
    }
    case 'delivery': {
      const stops = Math.max(1, Math.round(12 * season * noise()));
      const distanceKm = Math.round(stops * (2 + r() * 2) * hot * 10) / 10;
      const ev: MockEvent = { ...base, eventType: 'DELIVERY', distanceKm, stops, parcels: stops * (1 + Math.floor(r() * 3)), vehicleType: s.vehicleType, fuelType: s.fuelType };
      if (s.fuelType === 'electric') ev.energyKwh = Math.round(distanceKm * EV_VAN_KWH_PER_KM * noise() * 100) / 100;
      if (hot > 1) ev.attributes = { scenario: 'hotspot' };
      return ev;
    }
  }
}

/** All events with fromMs < timestamp <= toMs (slots aligned to each supplier's cadence), in time order. */
export function eventsBetween(fromMs: number, toMs: number, o: MockOptions, suppliers = MOCK_SUPPLIERS): MockEvent[] {
  const out: MockEvent[] = [];
  for (const s of suppliers) {
    const step = s.cadenceMin * 60_000;
    for (let t = Math.floor(fromMs / step) * step + step; t <= toMs; t += step) {
      const e = eventFor(s, t, o);
      if (e) out.push(e);
    }
  }
  return out.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
}
