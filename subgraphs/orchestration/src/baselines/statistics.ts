// Baseline statistics (pure): from an entity's hourly kg CO2e history, the expected kg per hour-of-week and a robust
// spread of it. Medians and MAD keep a past spike from becoming "normal" (one odd week out of three moves neither).
//
// Per hour-of-week (Monday 00:00 UTC = 0), the first tier with at least `minSamples` samples:
//   1. hour_of_week_median — the same hour of the week over the past weeks;
//   2. hour_of_day_median  — the same hour of the day on days of the same type (Mon–Fri or Sat–Sun, UTC), for short
//                            histories (two weeks give 10 weekday samples per hour but only 2 per hour-of-week);
//   3. none                — the flat median of all hours applies (the lookup falls back to the flat row).
// Spread = 1.4826 × MAD of the same samples (a standard deviation for normal data, unmoved by outliers), floored at
// the entity's pooled relative spread × value: a median of few samples can sit on two equal values (MAD 0) by chance.
import { HOUR_MS, hourOfWeek, median } from '../domain/time.ts';

export const MAD_TO_SIGMA = 1.4826;

export type BaselineMethod = 'hour_of_week_median' | 'hour_of_day_median' | 'flat_median';

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
  method: BaselineMethod;
}

export interface HourlyPoint {
  bucketStart: string;
  key: string;
  co2eKg: number;
}

export function robustSigma(values: number[]): number {
  if (values.length < 2) return 0;
  const m = median(values);
  return MAD_TO_SIGMA * median(values.map((v) => Math.abs(v - m)));
}

/** 0..47: hour of day on a weekday (0..23) or a weekend day (24..47), UTC. */
const dayTypeHour = (how: number) => (how >= 120 ? 24 : 0) + (how % 24);

/**
 * Hourly series per entity -> baseline rows. Hours between an entity's first sample and `end` without events count
 * as 0 kg (the entity was idle); hours before its first sample are not history.
 */
export function computeBaselines(rows: HourlyPoint[], end: Date, minSamples: number): BaselineStat[] {
  const byEntity = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const t = Math.floor(Date.parse(r.bucketStart) / HOUR_MS) * HOUR_MS;
    if (t >= end.getTime()) continue;
    let m = byEntity.get(r.key);
    if (!m) byEntity.set(r.key, (m = new Map()));
    m.set(t, (m.get(t) ?? 0) + r.co2eKg);
  }
  const out: BaselineStat[] = [];
  for (const [entityId, hours] of byEntity) {
    let first = Infinity;
    for (const t of hours.keys()) first = Math.min(first, t);
    const byHow = new Map<number, number[]>();
    const byDayHour = new Map<number, number[]>();
    const all: number[] = [];
    for (let t = first; t < end.getTime(); t += HOUR_MS) {
      const v = hours.get(t) ?? 0;
      const how = hourOfWeek(new Date(t));
      all.push(v);
      push(byHow, how, v);
      push(byDayHour, dayTypeHour(how), v);
    }
    if (!all.length) continue;
    const flat: BaselineStat = { entityId, how: -1, value: median(all), spread: robustSigma(all), samples: all.length, method: 'flat_median' };
    const perHour: BaselineStat[] = [];
    for (const how of byHow.keys()) {
      const own = byHow.get(how)!;
      const pooled = byDayHour.get(dayTypeHour(how))!;
      const [samples, method]: [number[], BaselineMethod] | [null, null] =
        own.length >= minSamples ? [own, 'hour_of_week_median'] : pooled.length >= minSamples ? [pooled, 'hour_of_day_median'] : [null, null];
      if (!samples) continue;
      perHour.push({ entityId, how, value: median(samples), spread: robustSigma(samples), samples: samples.length, method });
    }
    // Pooled relative spread of the entity (median over its active hours) as a floor for every hour's spread.
    const rel = perHour.filter((b) => b.value > 0).map((b) => b.spread / b.value);
    const floor = rel.length ? median(rel) : 0;
    for (const b of perHour) b.spread = Math.max(b.spread, floor * b.value);
    out.push(flat, ...perHour.sort((a, b) => a.how - b.how));
  }
  return out;
}

function push(m: Map<number, number[]>, k: number, v: number) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
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
export function windowBaseline(hours: { how: number; weight: number }[], byHow: Map<number, HourBaseline>): HourBaseline | null {
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
