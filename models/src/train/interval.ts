/**
 * Prediction intervals: Mondrian split-conformal on log residuals.
 *
 * On a calibration set that the trees never saw, r = ln(y) − ln(ŷ). Calibration rows are grouped into `bins`
 * equal-count bins of ln(ŷ) (so heteroscedastic regions get their own widths); per bin we take the finite-sample
 * conformal quantiles at levels α/2 and 1 − α/2 (rank ⌈(n+1)·q⌉). A prediction ŷ in bin b gets
 * [ŷ·exp(qLo_b), ŷ·exp(qHi_b)]. Nominal coverage 1 − α (80 % by default); measured on the held-out test set.
 */
export interface IntervalParams {
  method: 'mondrian-split-conformal-log-residuals';
  coverage: number;
  /** Upper edges of ln(ŷ) bins (last bin open-ended). */
  binUpperLog: number[];
  qLo: number[];
  qHi: number[];
  calibrationRows: number;
}

function conformalQuantile(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const rank = Math.min(n, Math.max(1, Math.ceil((n + 1) * q)));
  return sorted[rank - 1]!;
}

export function fitIntervals(yCal: Float64Array, predCal: Float64Array, coverage = 0.8, bins = 8): IntervalParams {
  const n = yCal.length;
  const idx = Array.from({ length: n }, (_, i) => i).filter((i) => yCal[i]! > 0 && predCal[i]! > 0);
  idx.sort((a, b) => predCal[a]! - predCal[b]!);
  const alpha = 1 - coverage;
  const binUpperLog: number[] = [];
  const qLo: number[] = [];
  const qHi: number[] = [];
  for (let b = 0; b < bins; b++) {
    const part = idx.slice(Math.floor((b * idx.length) / bins), Math.floor(((b + 1) * idx.length) / bins));
    const r = Float64Array.from(part, (i) => Math.log(yCal[i]!) - Math.log(predCal[i]!)).sort();
    qLo.push(conformalQuantile(r, alpha / 2));
    qHi.push(conformalQuantile(r, 1 - alpha / 2));
    binUpperLog.push(b === bins - 1 ? Number.POSITIVE_INFINITY : Math.log(predCal[part[part.length - 1]!]!));
  }
  return {
    method: 'mondrian-split-conformal-log-residuals',
    coverage,
    binUpperLog,
    qLo,
    qHi,
    calibrationRows: idx.length,
  };
}

export function interval(p: IntervalParams, pred: number): { lower: number; upper: number } {
  if (!(pred > 0)) return { lower: 0, upper: 0 };
  const lp = Math.log(pred);
  let b = 0;
  while (b < p.binUpperLog.length - 1 && lp > p.binUpperLog[b]!) b++;
  return { lower: pred * Math.exp(p.qLo[b]!), upper: pred * Math.exp(p.qHi[b]!) };
}

/** JSON cannot hold Infinity: serialise the open last edge as null. */
export function intervalToJson(
  p: IntervalParams,
): Omit<IntervalParams, 'binUpperLog'> & { binUpperLog: (number | null)[] } {
  return { ...p, binUpperLog: p.binUpperLog.map((v) => (Number.isFinite(v) ? v : null)) };
}

export function intervalFromJson(
  j: Omit<IntervalParams, 'binUpperLog'> & { binUpperLog: (number | null)[] },
): IntervalParams {
  return { ...j, binUpperLog: j.binUpperLog.map((v) => (v === null ? Number.POSITIVE_INFINITY : v)) };
}
