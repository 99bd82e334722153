/**
 * Hourly forecast (default 7 days) with 80 % / 95 % bands.
 *
 * Model (multiplicative seasonal decomposition, robust for a few days to a few weeks of history):
 *   ŷ(o + h) = level(o + h) × S[season(o + h)] × (1 + e₀·φ^h)
 *   - season = hour of week when at least one full week is available, else hour of day (histories ≥ 24 h);
 *   - S = exponentially weighted (0.8 per period back) mean of value / period-mean per season index;
 *   - level change: the most recent shift of the (day-of-week adjusted) daily totals is detected (largest two-sample
 *     statistic over day boundaries, |shift| ≥ 15 % and t ≥ 4.5). After a shift the level is re-estimated from the
 *     data since the shift alone (deseasonalised mean) and the seasonal shape comes from the post-shift data when a
 *     full period is available (else from the whole window); without a shift the level is the last period's mean
 *     plus a shrunk linear trend over the weekly means (W ≥ 3);
 *   - short-term correction: e₀ = relative residual of the last observed hour, decaying with the lag-1
 *     autocorrelation φ of in-sample relative residuals since the shift.
 * Bands: empirical quantiles of scaled errors (actual − forecast) / max(forecast, floor) from a rolling-origin
 * backtest inside the supplied history (origins every 24 h over the last ≤ 3 weeks, after any detected shift), per
 * horizon day; floor = 10 % of the recent mean level, so hours forecast at zero still get an upper band. Quantiles
 * are made monotone and to straddle zero, so the bands are always ordered lo95 ≤ lo80 ≤ mean ≤ hi80 ≤ hi95, and
 * lower bounds are clamped at 0. With too few backtest errors (< 48), in-sample residual quantiles widened by
 * √(1 + d) per horizon day d are used; with less than a week of errors the bands are never narrower than ±25 % (80 %)
 * and ±50 % (95 %) of the forecast (a day or two of history cannot promise more). Because the bands are calibrated only on past data, `backtest()` measures honest
 * coverage.
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
  /** Number of rolling origins (each one horizon apart, latest last). Default 4. */
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
const DAY = 24;
/** A level shift must move the (day-of-week adjusted) daily totals by at least this factor and this many standard
 *  errors to count: 15 % and t ≥ 4.5 catch a supplier joining or leaving a total, not a steady trend or weekly patterns. */
const MIN_SHIFT = 1.15;
const MIN_SHIFT_T = 4.5;
/** Shortest history a forecast is made from (hours). */
export const MIN_HISTORY_HOURS = DAY;

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
    if (p.value < 0) throw new Error(`history[${i}].value is negative (${p.value}); emissions per hour are ≥ 0`);
    return { t, v: p.value };
  });
  pts.sort((a, b) => a.t - b.t);
  for (let i = 1; i < pts.length; i++) {
    if (pts[i]!.t - pts[i - 1]!.t !== H) {
      throw new Error(
        `history must be hourly and contiguous: gap between ${new Date(pts[i - 1]!.t).toISOString()} and ${new Date(pts[i]!.t).toISOString()}`,
      );
    }
  }
  return { t0: pts[0]!.t, values: Float64Array.from(pts, (p) => p.v) };
}

function hourOfWeek(ms: number): number {
  const d = new Date(ms);
  return ((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours();
}

function mean(xs: ArrayLike<number>, from = 0, to = xs.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += xs[i]!;
  return to > from ? s / (to - from) : 0;
}

/**
 * Start index (hour, on a day boundary counted back from `end`) of the most recent level shift in values[from, end),
 * or null. Daily totals are adjusted by day-of-week factors (when ≥ 2 weeks are available) and compared on a log
 * scale; a split needs |Δ| ≥ ln MIN_SHIFT and a two-sample statistic ≥ MIN_SHIFT_T (pooled spread floored at 0.05).
 */
export function detectLevelShift(values: ArrayLike<number>, from: number, end: number, t0 = 0): number | null {
  const days = Math.floor((end - from) / DAY);
  if (days < 3) return null;
  const start = end - days * DAY;
  const totals = Array.from({ length: days }, (_, d) => {
    let s = 0;
    for (let k = 0; k < DAY; k++) s += values[start + d * DAY + k]!;
    return s;
  });
  const positive = totals.filter((x) => x > 0).sort((a, b) => a - b);
  if (!positive.length) return null;
  const eps = 0.01 * positive[Math.floor(positive.length / 2)]!;
  const dow = (d: number) => new Date(t0 + (start + d * DAY) * H).getUTCDay();
  const factor = new Array(7).fill(1);
  if (days >= 14) {
    const all = mean(totals);
    for (let w = 0; w < 7; w++) {
      const ds = totals.filter((_, d) => dow(d) === w);
      if (ds.length && all > 0) factor[w] = Math.max(0.05, mean(ds) / all);
    }
  }
  const a = totals.map((x, d) => Math.log(Math.max(x, eps) / factor[dow(d)]));
  // binary segmentation: the strongest split, then the strongest one after it, … — the last one found is the
  // most recent shift (an older one is history before it)
  let lo = 0;
  let found: number | null = null;
  for (;;) {
    const k = strongestSplit(a, lo);
    if (k === null) break;
    found = k;
    lo = k;
  }
  return found === null ? null : start + found * DAY;
}

/** Index k (lo + 2 ≤ k < n) of the strongest convincing split of a[lo..n), or null. */
function strongestSplit(a: number[], lo: number): number | null {
  const n = a.length;
  let best: { t: number; k: number } | null = null;
  for (let k = lo + 2; k < n; k++) {
    const pre = a.slice(lo, k);
    const post = a.slice(k);
    const mPre = mean(pre);
    const mPost = mean(post);
    const ss = pre.reduce((acc, x) => acc + (x - mPre) ** 2, 0) + post.reduce((acc, x) => acc + (x - mPost) ** 2, 0);
    const sd = Math.max(0.05, Math.sqrt(ss / Math.max(1, n - lo - 2)));
    const diff = Math.abs(mPost - mPre);
    const t = diff / (sd * Math.sqrt(1 / pre.length + 1 / post.length));
    if (diff >= Math.log(MIN_SHIFT) && t >= MIN_SHIFT_T && (!best || t > best.t)) best = { t, k };
  }
  return best?.k ?? null;
}

interface Fit {
  predict(h: number): number; // h = 1..horizon hours after the last observation
  /** First index of the data the level was estimated from (after a detected shift). */
  since: number;
  /** Mean level of the data since `since` (scale of the band floor). */
  scale: number;
}

/** Fit on values[0, end) of a series. */
function fit(s: Series, end: number, maxWeeks: number): Fit {
  if (end < MIN_HISTORY_HOURS)
    throw new Error(`at least ${MIN_HISTORY_HOURS} hourly points (one day) of history are needed, got ${end}`);
  let weekly = end >= WEEK;
  let P = weekly ? WEEK : DAY;
  const W = weekly ? Math.min(maxWeeks, Math.floor(end / WEEK)) : Math.floor(end / DAY);
  const windowStart = end - W * P;
  const shift = detectLevelShift(s.values, windowStart, end, s.t0);
  const since = shift ?? windowStart;
  // a shift less than a week old: the weekly shape from before it may not hold (a supplier joining a total adds,
  // it does not multiply) — use the hour-of-day shape of the days since the shift instead
  if (weekly && shift !== null && end - shift < WEEK && end - shift >= DAY) {
    weekly = false;
    P = DAY;
  }
  const season = (i: number) => (weekly ? hourOfWeek(s.t0 + i * H) : new Date(s.t0 + i * H).getUTCHours());

  // seasonal index from whole periods: after the shift when a full period is there, else the whole window
  const profileStart =
    end - since >= P ? end - Math.floor((end - since) / P) * P : end - Math.floor((end - windowStart) / P) * P;
  const periods = Math.floor((end - profileStart) / P);
  const S = new Float64Array(P);
  const Sw = new Float64Array(P);
  const means: number[] = [];
  for (let w = 0; w < periods; w++) {
    const m = mean(s.values, profileStart + w * P, profileStart + (w + 1) * P);
    means.push(m);
    if (!(m > 0)) continue;
    const wt = 0.8 ** (periods - 1 - w);
    for (let k = 0; k < P; k++) {
      const i = profileStart + w * P + k;
      S[season(i)]! += (wt * s.values[i]!) / m;
      Sw[season(i)]! += wt;
    }
  }
  for (let k = 0; k < P; k++) S[k] = Sw[k]! > 0 ? S[k]! / Sw[k]! : 1;

  // level: deseasonalised mean since the shift, else the last period's mean (+ trend over ≥ 3 weeks)
  let level: number;
  let b = 0;
  if (shift !== null) {
    let num = 0;
    let den = 0;
    for (let i = shift; i < end; i++) {
      num += s.values[i]!;
      den += S[season(i)]!;
    }
    level = den > 0 ? num / den : mean(s.values, shift, end);
  } else {
    level = means.length ? means[means.length - 1]! : mean(s.values, windowStart, end);
    if (weekly && means.length >= 3) {
      const n = means.length;
      const xm = (n - 1) / 2;
      const ym = mean(means);
      let num = 0;
      let den = 0;
      for (let w = 0; w < n; w++) {
        num += (w - xm) * (means[w]! - ym);
        den += (w - xm) ** 2;
      }
      b = (num / den) * (n / (n + 2));
    }
  }
  const half = P / 2;
  const levelAt = (hAfterEnd: number): number => Math.max(0, level + (b * (hAfterEnd + half)) / P);
  // in-sample relative residuals over the last period since the shift (AR(1) correction)
  const res: number[] = [];
  for (let i = Math.max(since, end - P); i < end; i++) {
    const fitted = (level + (b * (i - end + half)) / P) * S[season(i)]!;
    res.push(fitted > 0 ? s.values[i]! / fitted - 1 : 0);
  }
  let num = 0;
  let den = 0;
  for (let i = 1; i < res.length; i++) {
    num += res[i]! * res[i - 1]!;
    den += res[i - 1]! ** 2;
  }
  const phi = den > 0 ? Math.max(0, Math.min(0.98, num / den)) : 0;
  // a single wild last hour (a spike) must not drag the whole week: the correction is capped at ±50 %
  const e0 = Math.max(-0.5, Math.min(0.5, res[res.length - 1] ?? 0));
  return {
    since,
    scale: mean(s.values, since, end),
    predict(h: number): number {
      const i = end - 1 + h;
      const v = levelAt(h) * S[season(i)]! * (1 + e0 * phi ** h);
      return Number.isFinite(v) && v > 0 ? v : 0;
    },
  };
}

function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

type Quad = [number, number, number, number]; // q2.5, q10, q90, q97.5 of scaled errors

/** Monotone, straddling zero, finite: what makes the bands ordered whatever the errors looked like. */
function orderQuad([a, b, c, d]: Quad): Quad {
  const f = (x: number, dflt: number) => (Number.isFinite(x) ? x : dflt);
  const q10 = Math.min(0, f(b, 0));
  const q025 = Math.min(q10, f(a, q10));
  const q90 = Math.max(0, f(c, 0));
  const q975 = Math.max(q90, f(d, q90));
  return [q025, q10, q90, q975];
}

const quad = (sorted: number[]): Quad => [
  quantile(sorted, 0.025),
  quantile(sorted, 0.1),
  quantile(sorted, 0.9),
  quantile(sorted, 0.975),
];

interface Bands {
  q: Quad[]; // per horizon day
  floor: number;
}

/** Scaled-error quantiles from a rolling-origin backtest inside values[0, end) (see the module comment). */
function calibrate(s: Series, end: number, maxWeeks: number, horizon: number, f: Fit): Bands {
  const days = Math.ceil(horizon / DAY);
  const floor = Math.max(1e-9, 0.1 * f.scale);
  const byDay: number[][] = Array.from({ length: days }, () => []);
  const first = Math.max(MIN_HISTORY_HOURS, f.since + DAY, end - 3 * WEEK, Math.min(2 * WEEK, end - WEEK));
  for (let origin = end - DAY; origin >= first; origin -= DAY) {
    const g = fit(s, origin, maxWeeks);
    for (let h = 1; h <= horizon && origin - 1 + h < end; h++) {
      const p = g.predict(h);
      byDay[Math.min(days - 1, Math.floor((h - 1) / DAY))]!.push((s.values[origin - 1 + h]! - p) / Math.max(p, floor));
    }
  }
  const all = byDay.flat().sort((a, b) => a - b);
  let fallback: Quad;
  if (all.length >= 48) fallback = quad(all);
  else {
    // in-sample residuals since the shift, widened with the horizon below
    const res: number[] = [];
    const P = end >= WEEK ? WEEK : DAY;
    for (let i = Math.max(f.since, end - P); i < end; i++) {
      // fitted value of hour i: the forecast one period earlier would need a refit; the level×season shape is the
      // same, so predict(h) at the matching season (h = i − end + 1 + P) is the in-sample fit
      const p = f.predict(i - end + 1 + P);
      res.push((s.values[i]! - p) / Math.max(p, floor));
    }
    res.sort((a, b) => a - b);
    // in-sample residuals understate what a day or two of history cannot tell: at least ±25 % (80 %) and ±50 % (95 %)
    const r = res.length >= 12 ? quad(res) : [0, 0, 0, 0];
    fallback = [Math.min(r[0], -0.5), Math.min(r[1], -0.25), Math.max(r[2], 0.25), Math.max(r[3], 0.5)];
  }
  // fewer than a week of backtest errors: too few to trust alone — never narrower than ±25 % / ±50 %
  const few = all.length < WEEK;
  const atLeast = ([a, b, c, d]: Quad): Quad =>
    few ? [Math.min(a, -0.5), Math.min(b, -0.25), Math.max(c, 0.25), Math.max(d, 0.5)] : [a, b, c, d];
  const q: Quad[] = [];
  for (let d = 0; d < days; d++) {
    const r = byDay[d]!.sort((a, b) => a - b);
    if (r.length >= 100) q.push(orderQuad(quad(r)));
    else {
      const widen = all.length >= 48 ? 1 : Math.sqrt(1 + d);
      q.push(orderQuad(atLeast(fallback.map((x) => x * widen) as Quad)));
    }
  }
  return { q, floor };
}

function forecastSeries(s: Series, end: number, opts: ForecastOptions): ForecastPoint[] {
  const horizon = opts.horizonHours ?? 168;
  if (!Number.isInteger(horizon) || horizon < 1)
    throw new Error(`horizonHours must be a positive integer, got ${horizon}`);
  const maxWeeks = opts.maxWeeks ?? 6;
  const f = fit(s, end, maxWeeks);
  const bands = calibrate(s, end, maxWeeks, horizon, f);
  const out: ForecastPoint[] = [];
  for (let h = 1; h <= horizon; h++) {
    const mean = f.predict(h);
    const w = Math.max(mean, bands.floor);
    const [q025, q10, q90, q975] = bands.q[Math.min(bands.q.length - 1, Math.floor((h - 1) / DAY))]!;
    const lo80 = Math.min(mean, Math.max(0, mean + q10 * w));
    const lo95 = Math.min(lo80, Math.max(0, mean + q025 * w));
    const hi80 = Math.max(mean, mean + q90 * w);
    const hi95 = Math.max(hi80, mean + q975 * w);
    out.push({ t: new Date(s.t0 + (end - 1 + h) * H).toISOString(), mean, lo80, hi80, lo95, hi95 });
  }
  return out;
}

/** Forecast the next `horizonHours` (default 168) hours after the last history point (≥ 24 hourly points). */
export function forecast(history: HistoryPoint[], opts: ForecastOptions = {}): ForecastPoint[] {
  const s = toSeries(history);
  return forecastSeries(s, s.values.length, opts);
}

/**
 * Rolling-origin backtest: for each of `folds` origins (one horizon apart, the last one a horizon before the end),
 * forecast `horizonHours` using only data before the origin (bands included) and score against the actuals.
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
    const m = act.reduce((x, y) => x + y, 0) / act.length;
    let se = 0;
    let bias = 0;
    for (let i = 0; i < act.length; i++) {
      se += (act[i]! - pr[i]!) ** 2;
      bias += act[i]! - pr[i]!;
    }
    return { cv: m > 0 ? Math.sqrt(se / act.length) / m : 0, nmbe: m > 0 ? bias / (act.length * m) : 0 };
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
