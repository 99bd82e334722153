// Interquartile-range fences (Tukey): a value is an outlier when it lies below Q1 − k·IQR or above Q3 + k·IQR.

/** Quantile by linear interpolation between order statistics (type 7, as R and numpy default). `sorted` ascending. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  if (q <= 0) return sorted[0];
  if (q >= 1) return sorted[sorted.length - 1];
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface Fences {
  q1: number;
  q3: number;
  iqr: number;
  lower: number;
  upper: number;
}

/**
 * Tukey fences. `minIqr` floors the spread the fences are built from: data computed as activity × one factor have
 * an IQR of (almost) zero, and without a floor floating-point noise would sit outside the fences.
 */
export function iqrFences(values: readonly number[], k = 1.5, minIqr = 0): Fences {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const iqr = Math.max(q3 - q1, minIqr);
  return { q1, q3, iqr, lower: q1 - k * iqr, upper: q3 + k * iqr };
}

export interface IqrOutlier {
  index: number;
  value: number;
  side: 'above' | 'below';
}

/** Indices of values outside the fences (non-finite values are ignored). */
export function iqrOutliers(
  values: readonly number[],
  k = 1.5,
  minIqr = 0,
): { fences: Fences; outliers: IqrOutlier[] } {
  const fences = iqrFences(values, k, minIqr);
  const outliers: IqrOutlier[] = [];
  values.forEach((v, index) => {
    if (!Number.isFinite(v)) return;
    if (v > fences.upper) outliers.push({ index, value: v, side: 'above' });
    else if (v < fences.lower) outliers.push({ index, value: v, side: 'below' });
  });
  return { fences, outliers };
}

export function median(values: readonly number[]): number {
  return quantileSorted(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}
