// Seeded synthetic hourly activity of suppliers (training/validation data for the gap-fill regression).
// Each supplier: a category-specific hour-of-day profile with a random phase shift, a weekend factor,
// Poisson event counts and log-normal per-event kg CO2e, so hourly totals are noisy like real feeds.
import { mulberry32 } from '@carbon-nexus/plugin-sdk/kit';

// The SDK's seeded PRNG (train.ts draws its suppliers from it; same sequence as the copy that was here).
export { mulberry32 };

export function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export function poisson(rand: () => number, lambda: number): number {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(rand)));
  const L = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > L);
  return k - 1;
}

export type Category = 'transport' | 'factory' | 'warehouse' | 'delivery';
export const CATEGORIES: Category[] = ['transport', 'factory', 'warehouse', 'delivery'];

/** Relative activity by hour of day (0 = inactive). */
export function profileOf(category: Category, hod: number, shift: number): number {
  const h = (hod - shift + 24) % 24;
  switch (category) {
    case 'transport':
      return h >= 5 && h <= 22 ? 1 + 0.35 * Math.sin((Math.PI * (h - 5)) / 8.5) : 0;
    case 'factory':
      return h >= 6 && h <= 21 ? (h === 14 ? 0.7 : 1) : 0;
    case 'warehouse':
      return 0.6 + 0.6 * Math.max(0, Math.sin((Math.PI * (h - 6)) / 14));
    case 'delivery':
      return h >= 8 && h <= 20 ? 0.5 + Math.exp(-((h - 13) ** 2) / 12) : 0;
  }
}

export interface SynthSupplier {
  category: Category;
  shift: number;
  eventsPerHour: number;
  kgPerEvent: number;
  weekendFactor: number;
  /** hourly kg CO2e (0 = no activity) */
  co2e: number[];
  counts: number[];
  /** ms of hour 0 */
  start: number;
}

export function synthSupplier(rand: () => number, start: number, hours: number): SynthSupplier {
  const category = CATEGORIES[Math.floor(rand() * 4)];
  const shift = Math.floor(rand() * 5) - 2;
  const eventsPerHour = 3 + rand() * 12;
  const kgPerEvent = 5 + rand() * 60;
  const weekendFactor = 0.5 + rand() * 0.5;
  const trend = (rand() - 0.5) * 0.2;
  const co2e: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < hours; i++) {
    const t = start + i * 3_600_000;
    const d = new Date(t);
    const dow = d.getUTCDay();
    const w = dow === 0 || dow === 6 ? weekendFactor : 1;
    const lam = eventsPerHour * profileOf(category, d.getUTCHours(), shift) * w * (1 + (trend * i) / hours);
    const n = lam > 0 ? poisson(rand, lam) : 0;
    let kg = 0;
    for (let e = 0; e < n; e++) kg += kgPerEvent * Math.exp(0.35 * normal(rand) - 0.06125);
    co2e.push(kg);
    counts.push(n);
  }
  return { category, shift, eventsPerHour, kgPerEvent, weekendFactor, co2e, counts, start };
}
