// Expected cadence (events per hour) and completeness per supplier × hour/day window.
import { median } from './iqr.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const floorHour = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS;
export const floorDay = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;
export const hourOfDay = (t: number) => new Date(t).getUTCHours();

/** One supplier-hour of counts (real = primary events including SUSPECT; predicted = gap fills). */
export interface HourCounts {
  hour: number;
  real: number;
  predicted: number;
  co2eKg: number;
}

export interface LearnedCadence {
  /** Median real events per hour over active hours (≥ 1 real event); null without history. */
  learnedPerHour: number | null;
  learnedFromHours: number;
  /** Hours of day (UTC) with activity on at least `minActiveFraction` of the observed days. */
  activeHoursOfDay: number[];
  /** First hour with real data in the history (ms), null if none. */
  firstSeen: number | null;
  lastSeen: number | null;
}

/**
 * Learns a supplier's cadence from its hourly counts in [from, to). An hour of day is "active" when the
 * supplier sent real data in it on at least `minActiveFraction` of the days it could have (days after first seen).
 */
export function learnCadence(
  hours: readonly HourCounts[],
  from: number,
  to: number,
  minActiveFraction = 0.5,
): LearnedCadence {
  const active = hours.filter((h) => h.hour >= from && h.hour < to && h.real > 0);
  if (!active.length)
    return { learnedPerHour: null, learnedFromHours: 0, activeHoursOfDay: [], firstSeen: null, lastSeen: null };
  const firstSeen = Math.min(...active.map((h) => h.hour));
  const lastSeen = Math.max(...active.map((h) => h.hour));
  const hits = new Array<number>(24).fill(0);
  for (const h of active) hits[hourOfDay(h.hour)]++;
  const opportunities = new Array<number>(24).fill(0);
  for (let t = firstSeen; t < to; t += HOUR_MS) opportunities[hourOfDay(t)]++;
  const activeHoursOfDay: number[] = [];
  for (let h = 0; h < 24; h++)
    if (opportunities[h] > 0 && hits[h] / opportunities[h] >= minActiveFraction) activeHoursOfDay.push(h);
  return {
    learnedPerHour: median(active.map((h) => h.real)),
    learnedFromHours: active.length,
    activeHoursOfDay,
    firstSeen,
    lastSeen,
  };
}

export interface CadenceProfile {
  /** Effective events per hour (override ?? learned), null = unknown. */
  perHour: number | null;
  activeHoursOfDay: readonly number[];
  firstSeen: number | null;
}

/** Events expected in one hour: the cadence in the supplier's active hours of day, after it was first seen. */
export function expectedInHour(profile: CadenceProfile, hour: number): number {
  if (profile.perHour == null || profile.perHour <= 0) return 0;
  if (profile.firstSeen == null || hour < profile.firstSeen) return 0;
  // An override without a learned profile expects data every hour.
  if (profile.activeHoursOfDay.length && !profile.activeHoursOfDay.includes(hourOfDay(hour))) return 0;
  return profile.perHour;
}

export interface Window {
  granularity: 'hour' | 'day';
  windowStart: number;
  expectedCount: number;
  realCount: number;
  predictedCount: number;
  completenessPct: number;
  predictedPct: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function windowOf(
  granularity: 'hour' | 'day',
  windowStart: number,
  expected: number,
  real: number,
  predicted: number,
): Window {
  const completeness = expected > 0 ? Math.min(100, (real / expected) * 100) : real > 0 ? 100 : 0;
  const total = real + predicted;
  return {
    granularity,
    windowStart,
    expectedCount: round2(expected),
    realCount: real,
    predictedCount: predicted,
    completenessPct: round2(completeness),
    predictedPct: total > 0 ? round2((predicted / total) * 100) : 0,
  };
}

/**
 * Hour and day windows for one supplier over hours [from, to) (to is exclusive and should be ≤ now's hour).
 * Day windows cover every day touching [from, to) and use all hours of that day that are < to and present in `byHour`.
 * Windows where nothing was expected and nothing arrived are skipped.
 */
export function completenessWindows(
  byHour: ReadonlyMap<number, HourCounts>,
  profile: CadenceProfile,
  from: number,
  to: number,
): Window[] {
  const out: Window[] = [];
  const first = profile.firstSeen == null ? from : Math.max(from, floorHour(profile.firstSeen));
  for (let h = floorHour(first); h < to; h += HOUR_MS) {
    const c = byHour.get(h);
    const exp = expectedInHour(profile, h);
    if (exp === 0 && !c?.real && !c?.predicted) continue;
    out.push(windowOf('hour', h, exp, c?.real ?? 0, c?.predicted ?? 0));
  }
  for (let d = floorDay(from); d < to; d += DAY_MS) {
    let exp = 0;
    let real = 0;
    let pred = 0;
    for (let h = d; h < Math.min(d + DAY_MS, to); h += HOUR_MS) {
      exp += expectedInHour(profile, h);
      const c = byHour.get(h);
      real += c?.real ?? 0;
      pred += c?.predicted ?? 0;
    }
    if (exp === 0 && real === 0 && pred === 0) continue;
    out.push(windowOf('day', d, exp, real, pred));
  }
  return out;
}
