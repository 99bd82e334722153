/**
 * 7-day hourly forecast with 80 % / 95 % bands.
 *
 * Model (multiplicative seasonal decomposition, robust for a few weeks of history):
 *   ŷ(o + h) = level(o + h) × S[hour-of-week(o + h)] × (1 + e₀·φ^h)
 *   - weekly means m₁..m_W of the last W ≤ 6 full weeks; level = m_W + b·(h + 84)/168 with b the least-squares
 *     slope of the weekly means (used when W ≥ 3, shrunk by W/(W+2));
 *   - S = exponentially weighted (0.8 per week back) mean of value / week-mean per hour-of-week (168 indices, UTC);
 *   - short-term correction: e₀ = relative residual of the last observed hour, decaying with the lag-1
 *     autocorrelation φ of in-sample relative residuals.
 * Bands: empirical quantiles of relative errors (actual/forecast − 1) from a rolling-origin backtest *inside the
 * supplied history* (origins every 24 h over the last ≤ 3 weeks, each forecasting up to 168 h), per horizon day;
 * mean × (1 + q). Because the bands are calibrated only on past data, `backtest()` measures honest coverage.
 */

export interface HistoryPoint {
  t: Date | string;
  value: number;
}

export interface ForecastPoint {
  t: string;
  mean: number;
  lo80: number;
  hi80: number;
  lo95: number;
  hi95: number;
}

export interface ForecastOptions {
  horizonHours?: number;
  /** Max weeks used to estimate the profile (default 6). */
  maxWeeks?: number;
}

export interface BacktestOptions extends ForecastOptions {
  /** Number of rolling origins (each one week apart, latest last). Default 4. */
  folds?: number;
}

export interface BacktestResult {
  folds: number;
  hours: number;
  cvRmseHourly: number;
  nmbeHourly: number;
  cvRmseDaily: number;
  nmbeDaily: number;
  coverage80: number;
  coverage95: number;
}

const H = 3600_000;
const WEEK = 168;

interface Series {
  t0: number;
  values: Float64Array;
}

function toSeries(history: HistoryPoint[]): Series {
  if (history.length === 0) throw new Error('history is empty');
  const pts = history.map((p, i) => {
    const t = p.t instanceof Date ? p.t.getTime() : Date.parse(p.t);
    if (!Number.isFinite(t)) throw new Error(`history[${i}].t is not a valid date: ${String(p.t)}`);
    if (!Number.isFinite(p.value)) throw new Error(`history[${i}].value is not a finite number`);
    return { t, v: p.value };
  });
  pts.sort((a, b) => a.t - b.t);
  for (let i = 1; i < pts.length; i++) {
    if (pts[i]!.t - pts[i - 1]!.t !== H) {
      throw new Error(`history must be hourly and contiguous: gap between ${new Date(pts[i - 1]!.t).toISOString()} and ${new Date(pts[i]!.t).toISOString()}`);
    }
  }
  return { t0: pts[0]!.t, values: Float64Array.from(pts, (p) => p.v) };
}

function hourOfWeek(ms: number): number {
  const d = new Date(ms);
  return ((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours();
}

interface Fit {
  predict(h: number): number; // h = 1..horizon hours after the last observation
}

/** Fit on values[0, end) of a series. */
function fit(s: Series, end: number, maxWeeks: number): Fit {
  const W = Math.min(maxWeeks, Math.floor(end / WEEK));
  if (W < 1) throw new Error(`at least ${WEEK} hourly points (one week) of history are needed, got ${end}`);
  const startIdx = end - W * WEEK;
  const means: number[] = [];
  for (let w = 0; w < W; w++) {
    let m = 0;
    for (let k = 0; k < WEEK; k++) m += s.values[startIdx + w * WEEK + k]!;
    means.push(m / WEEK);
  }
  // seasonal index per hour-of-week (exponentially weighted across weeks)
  const S = new Float64Array(WEEK);
  const Sw = new Float64Array(WEEK);
  for (let w = 0; w < W; w++) {
    const wt = 0.8 ** (W - 1 - w);
    const m = means[w]! || 1e-9;
    for (let k = 0; k < WEEK; k++) {
      const i = startIdx + w * WEEK + k;
      const how = hourOfWeek(s.t0 + i * H);
      S[how]! += (wt * s.values[i]!) / m;
      Sw[how]! += wt;
    }
  }
  for (let k = 0; k < WEEK; k++) S[k] = Sw[k]! > 0 ? S[k]! / Sw[k]! : 1;
  // trend on weekly means
  let b = 0;
  if (W >= 3) {
    const xm = (W - 1) / 2;
    const ym = means.reduce((a, c) => a + c, 0) / W;
    let num = 0;
    let den = 0;
    for (let w = 0; w < W; w++) {
      num += (w - xm) * (means[w]! - ym);
      den += (w - xm) ** 2;
    }
    b = (num / den) * (W / (W + 2));
  }
  const last = means[W - 1]!;
  const levelAt = (hAfterEnd: number): number => Math.max(0, last + (b * (hAfterEnd + 84)) / WEEK);
  // in-sample relative residuals over the last week (for AR(1) correction)
  const res: number[] = [];
  for (let i = end - WEEK; i < end; i++) {
    const fitted = (last + (b * (i - end + 84)) / WEEK) * S[hourOfWeek(s.t0 + i * H)]!;
    res.push(fitted > 0 ? s.values[i]! / fitted - 1 : 0);
  }
  let num = 0;
  let den = 0;
  for (let i = 1; i < res.length; i++) {
    num += res[i]! * res[i - 1]!;
    den += res[i - 1]! ** 2;
  }
  const phi = den > 0 ? Math.max(0, Math.min(0.98, num / den)) : 0;
  const e0 = res[res.length - 1]!;
  return {
    predict(h: number): number {
      const i = end - 1 + h;
      return levelAt(h) * S[hourOfWeek(s.t0 + i * H)]! * (1 + e0 * phi ** h);
    },
  };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

interface BandQuantiles {
  q: Array<[number, number, number, number]>; // per horizon day: q2.5, q10, q90, q97.5 of relative error
}

/** Relative-error quantiles from a rolling-origin backtest inside values[0, end). */
function calibrate(s: Series, end: number, maxWeeks: number, horizon: number): BandQuantiles {
  const days = Math.ceil(horizon / 24);
  const byDay: number[][] = Array.from({ length: days }, () => []);
  const minTrain = Math.min(2 * WEEK, Math.max(WEEK, end - WEEK));
  for (let origin = end - 24; origin >= Math.max(minTrain, end - 3 * WEEK); origin -= 24) {
    const f = fit(s, origin, maxWeeks);
    for (let h = 1; h <= horizon && origin - 1 + h < end; h++) {
      const p = f.predict(h);
      if (p > 0) byDay[Math.min(days - 1, Math.floor((h - 1) / 24))]!.push(s.values[origin - 1 + h]! / p - 1);
    }
  }
  const all = byDay.flat().sort((a, b) => a - b);
  const fallback: [number, number, number, number] = all.length
    ? [quantile(all, 0.025), quantile(all, 0.1), quantile(all, 0.9), quantile(all, 0.975)]
    : [-0.3, -0.15, 0.15, 0.3];
  // per-day quantiles where there are enough samples, pooled otherwise
  const q: Array<[number, number, number, number]> = [];
  for (let d = 0; d < days; d++) {
    const r = byDay[d]!.sort((a, b) => a - b);
    q.push(r.length >= 100 ? [quantile(r, 0.025), quantile(r, 0.1), quantile(r, 0.9), quantile(r, 0.975)] : fallback);
  }
  return { q };
}

function forecastSeries(s: Series, end: number, opts: ForecastOptions): ForecastPoint[] {
  const horizon = opts.horizonHours ?? 168;
  const maxWeeks = opts.maxWeeks ?? 6;
  const f = fit(s, end, maxWeeks);
  const bands = calibrate(s, end, maxWeeks, horizon);
  const out: ForecastPoint[] = [];
  for (let h = 1; h <= horizon; h++) {
    const mean = Math.max(0, f.predict(h));
    const [q025, q10, q90, q975] = bands.q[Math.min(bands.q.length - 1, Math.floor((h - 1) / 24))]!;
    out.push({
      t: new Date(s.t0 + (end - 1 + h) * H).toISOString(),
      mean,
      lo80: Math.max(0, mean * (1 + q10)),
      hi80: mean * (1 + q90),
      lo95: Math.max(0, mean * (1 + q025)),
      hi95: mean * (1 + q975),
    });
  }
  return out;
}

/** Forecast the next `horizonHours` (default 168) hours after the last history point. */
export function forecast(history: HistoryPoint[], opts: ForecastOptions = {}): ForecastPoint[] {
  const s = toSeries(history);
  return forecastSeries(s, s.values.length, opts);
}

/**
 * Rolling-origin backtest: for each of `folds` origins (one week apart, the last one a week before the end),
 * forecast 168 h using only data before the origin (bands included) and score against the actuals.
 * CV(RMSE) = RMSE / mean(actual); NMBE = Σ(actual − forecast) / (n · mean(actual)) (ASHRAE Guideline 14 form, p = 0).
 */
export function backtest(history: HistoryPoint[], opts: BacktestOptions = {}): BacktestResult {
  const s = toSeries(history);
  const horizon = opts.horizonHours ?? 168;
  const folds = opts.folds ?? 4;
  const n = s.values.length;
  if (n - folds * horizon < WEEK) {
    throw new Error(`backtest needs at least ${WEEK + folds * horizon} hours of history for ${folds} folds, got ${n}`);
  }
  const a: number[] = [];
  const p: number[] = [];
  const dA: number[] = [];
  const dP: number[] = [];
  let in80 = 0;
  let in95 = 0;
  for (let k = folds; k >= 1; k--) {
    const origin = n - k * horizon;
    const fc = forecastSeries(s, origin, opts);
    let da = 0;
    let dp = 0;
    for (let h = 0; h < horizon; h++) {
      const y = s.values[origin + h]!;
      const f = fc[h]!;
      a.push(y);
      p.push(f.mean);
      if (y >= f.lo80 && y <= f.hi80) in80++;
      if (y >= f.lo95 && y <= f.hi95) in95++;
      da += y;
      dp += f.mean;
      if ((h + 1) % 24 === 0 || h === horizon - 1) {
        dA.push(da);
        dP.push(dp);
        da = 0;
        dp = 0;
      }
    }
  }
  const metrics = (act: number[], pr: number[]) => {
    const mean = act.reduce((x, y) => x + y, 0) / act.length;
    let se = 0;
    let bias = 0;
    for (let i = 0; i < act.length; i++) {
      se += (act[i]! - pr[i]!) ** 2;
      bias += act[i]! - pr[i]!;
    }
    return { cv: Math.sqrt(se / act.length) / mean, nmbe: bias / (act.length * mean) };
  };
  const hm = metrics(a, p);
  const dm = metrics(dA, dP);
  return {
    folds,
    hours: a.length,
    cvRmseHourly: hm.cv,
    nmbeHourly: hm.nmbe,
    cvRmseDaily: dm.cv,
    nmbeDaily: dm.nmbe,
    coverage80: in80 / a.length,
    coverage95: in95 / a.length,
  };
}
