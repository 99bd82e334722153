// Seeded synthetic supplier activity with KNOWN injected anomalies and gaps (ground truth for the tests).
import { mulberry32 } from '@carbon-nexus/plugin-sdk';

const H = 3_600_000;

export interface SupplierSpec {
  name: string;
  category: 'TRANSPORT' | 'FACTORY' | 'DELIVERY';
  country: string;
  /** events per active hour (mean) */
  perHour: number;
  /** active hours of day (UTC) */
  active: (hod: number) => boolean;
  distanceKm: number;
  loadKg: number;
  energyKwh: number;
}

export const SUPPLIERS: SupplierSpec[] = [
  {
    name: 'North Haul',
    category: 'TRANSPORT',
    country: 'GB',
    perHour: 8,
    active: () => true,
    distanceKm: 220,
    loadKg: 12000,
    energyKwh: 0,
  },
  {
    name: 'Rhine Freight',
    category: 'TRANSPORT',
    country: 'DE',
    perHour: 10,
    active: (h) => h >= 4 && h <= 21,
    distanceKm: 480,
    loadKg: 18000,
    energyKwh: 0,
  },
  {
    name: 'Coastal Lines',
    category: 'TRANSPORT',
    country: 'FR',
    perHour: 6,
    active: (h) => h >= 6 && h <= 19,
    distanceKm: 140,
    loadKg: 8000,
    energyKwh: 0,
  },
  {
    name: 'Midlands Works',
    category: 'FACTORY',
    country: 'GB',
    perHour: 6,
    active: (h) => h >= 6 && h <= 21,
    distanceKm: 0,
    loadKg: 0,
    energyKwh: 900,
  },
];

/**
 * fuel_spike: litres ×1.8–3 (co2e per event and per t·km high); distance_absurd: distance ×2–4 with matching fuel;
 * near_empty: load 20–35 % of usual (co2e per t·km high); energy_spike: factory kWh ×2.5–4;
 * inconsistent: each feature inside (or near) its own range but the combination is not: heavier load, shorter trip
 * and 16–22 % more fuel — the load says co2e per t·km should be low, it is high (what DBSCAN is for).
 */
export type AnomalyKind = 'fuel_spike' | 'distance_absurd' | 'near_empty' | 'energy_spike' | 'inconsistent';

export interface SeedEvent {
  input: Record<string, unknown>;
  supplier: number;
  hour: number;
  anomaly: AnomalyKind | null;
}

export interface Seed {
  events: SeedEvent[];
  /** supplier index -> withheld (gap) hours */
  gaps: Map<number, number[]>;
}

/** Uniform noise ±w around 1. */
const u = (rand: () => number, w: number) => 1 + (rand() * 2 - 1) * w;
/** Gaussian noise with standard deviation s around 1, truncated at ±2.5 s (operational data is bounded: fixed routes, vehicle capacity). */
/** Truncation of the Gaussian noise, in standard deviations. */
export let TRUNC = 2;
/** Share of real events turned into anomalies. */
export let ANOMALY_RATE = 0.03;
/** Fuel factor of the 'inconsistent' kind. */
export let INCONSISTENT_FUEL: [number, number] = [1.16, 1.22];
/** For exploring the generator (scratch simulations); tests use the defaults. */
export const setNoise = (o: { trunc?: number; rate?: number; fuel?: [number, number] }) => {
  INCONSISTENT_FUEL = o.fuel ?? INCONSISTENT_FUEL;
  TRUNC = o.trunc ?? TRUNC;
  ANOMALY_RATE = o.rate ?? ANOMALY_RATE;
};
function g(rand: () => number, s: number): number {
  for (;;) {
    const z = Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
    if (Math.abs(z) <= TRUNC) return 1 + z * s;
  }
}
const between = (rand: () => number, a: number, b: number) => a + rand() * (b - a);

/**
 * `hours` of activity ending at `end` (exclusive, on the hour). Per supplier: ~3 % anomalous events (never in gap
 * hours), 6 withheld single hours plus one withheld run of 3 consecutive hours, all in active hours, away from the ends.
 */
export function makeSeed(supplierIds: string[], end: number, hours: number, seed = 42): Seed {
  const rand = mulberry32(seed);
  const start = end - hours * H;
  const events: SeedEvent[] = [];
  const gaps = new Map<number, number[]>();
  SUPPLIERS.forEach((sp, si) => {
    const activeHours: number[] = [];
    for (let t = start; t < end; t += H) if (sp.active(new Date(t).getUTCHours())) activeHours.push(t);
    // Gaps: avoid the first 3 days (history for the fill) and the last day; keep them apart.
    const candidates = activeHours.filter((t) => t >= start + 3 * 24 * H && t < end - 24 * H);
    const chosen = new Set<number>();
    const runStart = candidates[Math.floor(rand() * (candidates.length / 2))];
    for (let k = 0; k < 3; k++) if (sp.active(new Date(runStart + k * H).getUTCHours())) chosen.add(runStart + k * H);
    while (chosen.size < 9) {
      const t = candidates[Math.floor(rand() * candidates.length)];
      if ([...chosen].some((c) => Math.abs(c - t) <= 2 * H)) continue;
      chosen.add(t);
    }
    gaps.set(
      si,
      [...chosen].sort((a, b) => a - b),
    );
    let n = 0;
    for (const t of activeHours) {
      const count = Math.max(3, Math.round(sp.perHour * u(rand, 0.25)));
      for (let k = 0; k < count; k++) {
        const ts = t + Math.floor(((k + rand() * 0.9) / count) * H);
        const isGap = chosen.has(t);
        let anomaly: AnomalyKind | null = null;
        if (!isGap && rand() < ANOMALY_RATE) {
          anomaly =
            sp.category === 'FACTORY'
              ? 'energy_spike'
              : (['fuel_spike', 'distance_absurd', 'near_empty', 'inconsistent'] as const)[Math.floor(rand() * 4)];
        }
        const input: Record<string, unknown> = {
          externalId: `${sp.name}-${n++}`,
          supplierId: supplierIds[si],
          eventType: sp.category,
          timestamp: new Date(ts).toISOString(),
        };
        if (sp.category === 'FACTORY') {
          input.energyKwh =
            Math.round(sp.energyKwh * g(rand, 0.06) * (anomaly === 'energy_spike' ? between(rand, 2.5, 4) : 1) * 100) /
            100;
          input.productionUnits = Math.round(100 * u(rand, 0.1));
          input.region = 'UK';
        } else {
          let distance = sp.distanceKm * g(rand, 0.06);
          let load = sp.loadKg * g(rand, 0.06);
          if (anomaly === 'distance_absurd') distance *= between(rand, 2, 4);
          if (anomaly === 'near_empty') load = sp.loadKg * between(rand, 0.2, 0.35);
          if (anomaly === 'inconsistent') {
            load = sp.loadKg * between(rand, 1.08, 1.12);
            distance = sp.distanceKm * between(rand, 0.9, 0.94);
          }
          // Litres: empty-vehicle consumption plus a load-dependent part (≈ 0.25 L/km + 0.012 L/km per tonne), σ 4 %.
          let fuel = distance * (0.25 + (0.012 * load) / 1000) * g(rand, 0.04);
          if (anomaly === 'fuel_spike') fuel *= between(rand, 1.8, 3);
          if (anomaly === 'inconsistent') fuel *= between(rand, INCONSISTENT_FUEL[0], INCONSISTENT_FUEL[1]);
          input.distanceKm = Math.round(distance * 10) / 10;
          input.loadKg = Math.round(load);
          input.fuelL = Math.round(fuel * 100) / 100;
          input.vehicleType = 'rigid_truck';
          input.fuelType = 'diesel';
          input.route = `${sp.name} R${Math.floor(rand() * 5)}`;
        }
        events.push({ input, supplier: si, hour: t, anomaly });
      }
    }
  });
  return { events, gaps };
}
