import { generate } from '../src/synth/dataset.js';
import type { Dataset, Generator, Sample } from '../src/synth/types.js';

/** Seeds used by tests only (never used for training, calibration or the report). */
export const FRESH_SEED = 987_654;

export function rows(ds: Dataset): Sample[] {
  const F = ds.features.length;
  return Array.from({ length: ds.n }, (_, i) =>
    Object.fromEntries(ds.features.map((f, j) => [f.name, ds.X[i * F + j]!])),
  );
}

export function fresh(gen: Generator, n: number, seed = FRESH_SEED): { ds: Dataset; rows: Sample[] } {
  const ds = generate(gen, n, seed);
  return { ds, rows: rows(ds) };
}

export function mape(pred: ArrayLike<number>, actual: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(pred[i]! - actual[i]!) / actual[i]!;
  return s / actual.length;
}

export function mae(pred: ArrayLike<number>, actual: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(pred[i]! - actual[i]!);
  return s / actual.length;
}
