/**
 * Seasonal hourly emissions series (kg CO2e/h) for forecasting: level × slow trend × daily profile (different on
 * weekends) × day-of-week factor × AR(1) multiplicative noise. Seeded and reproducible.
 */
import { Rng } from './random.js';

export interface SeriesPoint {
  t: string;
  value: number;
}

export interface SeriesOptions {
  weeks?: number;
  seed?: number;
  /** Mean level, kg CO2e/h. */
  level?: number;
  /** Relative trend per week (e.g. 0.01 = +1 %/week). */
  trendPerWeek?: number;
  /** AR(1) noise: coefficient and innovation σ (relative). */
  arPhi?: number;
  noiseSigma?: number;
  /** ISO start (a Monday 00:00 UTC by default). */
  start?: string;
}

const DOW_FACTOR = [1.0, 1.04, 1.06, 1.05, 0.98, 0.7, 0.55]; // Mon..Sun

function dailyShape(hour: number, weekend: boolean): number {
  // business-hours bump centred ~13:00 plus an evening shoulder; weekends flatter
  const day = Math.exp(-((hour - 13) ** 2) / (2 * 3.2 ** 2));
  const evening = Math.exp(-((hour - 19) ** 2) / (2 * 1.5 ** 2));
  return weekend ? 0.7 + 0.35 * day + 0.1 * evening : 0.55 + 0.85 * day + 0.2 * evening;
}

export function seasonalSeries(opts: SeriesOptions = {}): SeriesPoint[] {
  const weeks = opts.weeks ?? 8;
  const r = new Rng(opts.seed ?? 7);
  const level = opts.level ?? 200 * (0.5 + r.next());
  const trend = opts.trendPerWeek ?? r.uniform(-0.01, 0.015);
  const phi = opts.arPhi ?? 0.7;
  const sigma = opts.noiseSigma ?? 0.05;
  const start = Date.parse(opts.start ?? '2025-01-06T00:00:00Z'); // a Monday
  const out: SeriesPoint[] = [];
  let ar = 0;
  const innov = sigma * Math.sqrt(1 - phi * phi);
  for (let h = 0; h < weeks * 168; h++) {
    const t = start + h * 3600_000;
    const d = new Date(t);
    const dow = (d.getUTCDay() + 6) % 7; // Mon = 0
    const hour = d.getUTCHours();
    ar = phi * ar + innov * r.clippedNormal(4);
    const mean = level * (1 + (trend * h) / 168) * DOW_FACTOR[dow]! * dailyShape(hour, dow >= 5);
    out.push({ t: d.toISOString(), value: Math.max(0, mean * (1 + ar)) });
  }
  return out;
}
