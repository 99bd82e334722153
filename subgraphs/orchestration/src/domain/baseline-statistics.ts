// Baseline statistics (pure): from an entity's hourly history (kg CO2e and event counts), the expected kg per
// hour-of-week, its robust spread and the events it usually holds. Medians and MAD keep a past spike from becoming
// "normal" (one odd sample out of eight moves neither).
//
// Per hour-of-week (Monday 00:00 UTC = 0), the first tier with at least `minSamples` samples:
//   1. hour_of_week_median          — the same hour of the week over the past weeks (needs minSamples weeks);
//   2. hour_of_day_median           — the same hour of the day on days of the same type (Mon–Fri or Sat–Sun, UTC):
//                                     four weeks give 20 weekday and 8 weekend samples per hour;
//   3. hour_of_day_all_days_median  — the same hour of the day on any day (short histories);
//   4. none                         — the flat median of all hours applies (the lookup falls back to the flat row).
// A median of few samples is itself noisy (three samples of a supplier with four trips an hour can sit at two
// trips), so the default minimum is 8 samples: with 4 weeks of history the day-type hours are the working tier.
//
// Spread = 1.4826 × MAD of the same samples (a standard deviation for normal data, unmoved by outliers), and never
// less than the Poisson spread of the events behind it when they arrive at random (their hourly count varies:
// MAD of counts > 0): value / √(median events) — a sum of n events varies at least by one event-size × √n.
// Regular meter readings (a constant count) get no such floor: their noise is what MAD measures.
import { HOUR_MS, hourOfWeek, median } from './time.ts';

export const MAD_TO_SIGMA = 1.4826;

export type BaselineMethod =
  | 'hour_of_week_median'
  | 'hour_of_day_median'
  | 'hour_of_day_all_days_median'
  | 'flat_median';

export interface BaselineStat {
  entityId: string;
  /** 0..167, or -1 for the flat (all hours) row. */
  how: number;
  /** kg CO2e per hour. */
  value: number;
  /** Robust standard deviation of the hourly kg CO2e, kg per hour. */
  spread: number;
  /** Hourly samples the value and spread come from. */
  samples: number;
  /** Median events per hour in those samples. */
  events: number;
  method: BaselineMethod;
}

export interface HourlyPoint {
  bucketStart: string;
  key: string;
  co2eKg: number;
  eventCount: number;
}

export function robustSigma(values: number[]): number {
  if (values.length < 2) return 0;
  const m = median(values);
  return MAD_TO_SIGMA * median(values.map((v) => Math.abs(v - m)));
}

/** 0..47: hour of day on a weekday (0..23) or a weekend day (24..47), UTC. */
const dayTypeHour = (how: number) => (how >= 120 ? 24 : 0) + (how % 24);

interface Samples {
  kg: number[];
  events: number[];
}

/** Value, spread and events of one set of hourly samples (see the header for the Poisson floor). */
function summarize(s: Samples): { value: number; spread: number; events: number } {
  const value = median(s.kg);
  const events = median(s.events);
  const arrivalsVary = robustSigma(s.events) > 0;
  const poisson = arrivalsVary && events > 0 ? value / Math.sqrt(events) : 0;
  return { value, spread: Math.max(robustSigma(s.kg), poisson), events };
}

/**
 * Hourly series per entity -> baseline rows. Hours between an entity's first event and `end` without events count
 * as 0 kg and 0 events (the entity was idle); hours before its first event are not history.
 */
export function computeBaselines(rows: HourlyPoint[], end: Date, minSamples: number): BaselineStat[] {
  const byEntity = new Map<string, Map<number, { kg: number; n: number }>>();
  for (const r of rows) {
    const t = Math.floor(Date.parse(r.bucketStart) / HOUR_MS) * HOUR_MS;
    if (t >= end.getTime()) continue;
    let m = byEntity.get(r.key);
    if (!m) byEntity.set(r.key, (m = new Map()));
    const h = m.get(t) ?? { kg: 0, n: 0 };
    h.kg += r.co2eKg;
    h.n += r.eventCount;
    m.set(t, h);
  }
  const out: BaselineStat[] = [];
  for (const [entityId, hours] of byEntity) {
    let first = Infinity;
    for (const t of hours.keys()) first = Math.min(first, t);
    const byHow = new Map<number, Samples>();
    const byDayType = new Map<number, Samples>();
    const byHourOfDay = new Map<number, Samples>();
    const all: Samples = { kg: [], events: [] };
    for (let t = first; t < end.getTime(); t += HOUR_MS) {
      const v = hours.get(t) ?? { kg: 0, n: 0 };
      const how = hourOfWeek(new Date(t));
      for (const s of [all, at(byHow, how), at(byDayType, dayTypeHour(how)), at(byHourOfDay, how % 24)]) {
        s.kg.push(v.kg);
        s.events.push(v.n);
      }
    }
    if (!all.kg.length) continue;
    out.push({ entityId, how: -1, ...summarize(all), samples: all.kg.length, method: 'flat_median' });
    const perHour: BaselineStat[] = [];
    for (const [how, own] of byHow) {
      const tiers: [Samples, BaselineMethod][] = [
        [own, 'hour_of_week_median'],
        [byDayType.get(dayTypeHour(how))!, 'hour_of_day_median'],
        [byHourOfDay.get(how % 24)!, 'hour_of_day_all_days_median'],
      ];
      const tier = tiers.find(([s]) => s.kg.length >= minSamples);
      if (tier) perHour.push({ entityId, how, ...summarize(tier[0]), samples: tier[0].kg.length, method: tier[1] });
    }
    out.push(...perHour.sort((a, b) => a.how - b.how));
  }
  return out;
}

function at(m: Map<number, Samples>, k: number): Samples {
  let s = m.get(k);
  if (!s) m.set(k, (s = { kg: [], events: [] }));
  return s;
}

/** The expected kg and its spread for one hour: the value first, the spread from computed data. */
export interface HourBaseline {
  value: number;
  spread: number;
}

/**
 * A window's baseline from the hours it overlaps: expected = Σ weight × value; spread = √(Σ weight × spread²).
 * Hourly deviations are taken as independent and a fraction w of an hour as having w of its variance (events arrive
 * independently), so a 5-minute window has 1/12 of the expected kg but √(1/12) of the spread: short windows are
 * relatively noisier and need a larger relative excess to count.
 */
/** How an hour's baseline was reached: its method (override, or the computed tier) and usual events per hour. */
export interface HourBasis {
  method: string;
  /** Median events per hour behind a computed baseline (null: an override without computed data, or older rows). */
  events: number | null;
}

/**
 * What a window's baseline rests on: the method of its hours (`mixed` when they differ) and the usual events in the
 * window (Σ weight × events per hour; null when an hour does not know it). null without a baseline for every hour.
 */
export function windowBasis(hours: { how: number; weight: number }[], byHow: Map<number, HourBasis>): HourBasis | null {
  const methods = new Set<string>();
  let events: number | null = 0;
  for (const h of hours) {
    const b = byHow.get(h.how);
    if (!b) return null;
    methods.add(b.method);
    events = events === null || b.events === null ? null : events + h.weight * b.events;
  }
  if (!methods.size) return null;
  return { method: methods.size === 1 ? [...methods][0] : 'mixed', events };
}

export function windowBaseline(
  hours: { how: number; weight: number }[],
  byHow: Map<number, HourBaseline>,
): HourBaseline | null {
  let value = 0;
  let variance = 0;
  for (const h of hours) {
    const b = byHow.get(h.how);
    if (!b) return null;
    value += h.weight * b.value;
    variance += h.weight * b.spread * b.spread;
  }
  return { value, spread: Math.sqrt(variance) };
}
