/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent Individualized Feature Attribution for
 * Tree Ensembles", Algorithm 2) — polynomial time O(T·L·D²) over the exported tree JSON.
 *
 * For each row x it returns φ (one value per feature) and the expected value E[f] (cover-weighted mean of the
 * leaves plus the base value) such that  E[f] + Σφ = raw ensemble output  (exactly, up to float rounding).
 * "Path-dependent" = missing features are integrated out using the training-data cover of each node.
 *
 * Splits follow the ONNX semantics: go left when float32(x[f]) <= threshold.
 */
import type { EnsembleJson, TreeJson } from '../train/gbt.js';

interface Path {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
}

function newPath(size: number): Path {
  return {
    feature: new Int32Array(size),
    zero: new Float64Array(size),
    one: new Float64Array(size),
    weight: new Float64Array(size),
  };
}

function copyPath(src: Path, dst: Path, len: number): void {
  for (let i = 0; i < len; i++) {
    dst.feature[i] = src.feature[i]!;
    dst.zero[i] = src.zero[i]!;
    dst.one[i] = src.one[i]!;
    dst.weight[i] = src.weight[i]!;
  }
}

/** EXTEND: add a feature with zero/one fractions to the path of current length `depth` (0-based slot `depth`). */
function extend(p: Path, depth: number, zero: number, one: number, feature: number): void {
  p.feature[depth] = feature;
  p.zero[depth] = zero;
  p.one[depth] = one;
  p.weight[depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    p.weight[i + 1]! += (one * p.weight[i]! * (i + 1)) / (depth + 1);
    p.weight[i] = (zero * p.weight[i]! * (depth - i)) / (depth + 1);
  }
}

/** UNWIND: remove element `idx` from a path whose last slot is `depth`. */
function unwind(p: Path, depth: number, idx: number): void {
  const one = p.one[idx]!;
  const zero = p.zero[idx]!;
  let next = p.weight[depth]!;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = p.weight[i]!;
      p.weight[i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (p.weight[i]! * zero * (depth - i)) / (depth + 1);
    } else {
      p.weight[i] = (p.weight[i]! * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = idx; i < depth; i++) {
    p.feature[i] = p.feature[i + 1]!;
    p.zero[i] = p.zero[i + 1]!;
    p.one[i] = p.one[i + 1]!;
  }
}

/** Sum of the weights the path would have after unwinding element `idx` (without modifying it). */
function unwoundSum(p: Path, depth: number, idx: number): number {
  const one = p.one[idx]!;
  const zero = p.zero[idx]!;
  let next = p.weight[depth]!;
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      next = p.weight[i]! - tmp * zero * ((depth - i) / (depth + 1));
    } else if (zero !== 0) {
      total += p.weight[i]! / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

function maxDepthOf(t: TreeJson, node = 0): number {
  if (t.feature[node]! < 0) return 0;
  return 1 + Math.max(maxDepthOf(t, t.left[node]!), maxDepthOf(t, t.right[node]!));
}

/**
 * Direct implementation: each recursion level owns its path buffer; a child copies the parent's buffer
 * (after any unwind) into its own, as in the reference C++ implementation.
 */
function recurseImpl(t: TreeJson, x: ArrayLike<number>, phi: Float64Array, paths: Path[]): void {
  const rec = (
    node: number,
    level: number,
    parent: Path | null,
    parentLen: number,
    zero: number,
    one: number,
    feature: number,
  ): void => {
    const p = paths[level]!;
    if (parent) copyPath(parent, p, parentLen);
    let depth = parentLen; // slot index for the new element
    extend(p, depth, zero, one, feature);
    const f = t.feature[node]!;
    if (f < 0) {
      const v = t.value[node]!;
      for (let i = 1; i <= depth; i++) {
        const w = unwoundSum(p, depth, i);
        phi[p.feature[i]!]! += w * (p.one[i]! - p.zero[i]!) * v;
      }
      return;
    }
    const goLeft = Math.fround(x[f]!) <= t.threshold[node]!;
    const hot = goLeft ? t.left[node]! : t.right[node]!;
    const cold = goLeft ? t.right[node]! : t.left[node]!;
    const w = t.cover[node]!;
    let inZero = 1;
    let inOne = 1;
    let k = 1;
    for (; k <= depth; k++) if (p.feature[k] === f) break;
    if (k <= depth) {
      inZero = p.zero[k]!;
      inOne = p.one[k]!;
      unwind(p, depth, k);
      depth -= 1;
    }
    rec(hot, level + 1, p, depth + 1, (t.cover[hot]! / w) * inZero, inOne, f);
    rec(cold, level + 1, p, depth + 1, (t.cover[cold]! / w) * inZero, 0, f);
  };
  rec(0, 0, null, 0, 1, 1, -1);
}

export interface ShapResult {
  /** E[f] in the raw (pre-transform) output space. */
  expectedValue: number;
  /** φ per feature, raw output space. expectedValue + Σφ = raw output. */
  phi: Float64Array;
}

export class TreeExplainer {
  private readonly paths: Path[];
  readonly expectedValue: number;

  constructor(private readonly ens: EnsembleJson) {
    let maxD = 0;
    let ev = ens.baseValue;
    for (const t of ens.trees) {
      maxD = Math.max(maxD, maxDepthOf(t));
      ev += expectedTreeValue(t);
    }
    const size = maxD + 2;
    this.paths = Array.from({ length: size + 1 }, () => newPath(size + 1));
    this.expectedValue = ev;
  }

  shap(x: ArrayLike<number>): ShapResult {
    const phi = new Float64Array(this.ens.nFeatures);
    for (const t of this.ens.trees) recurseImpl(t, x, phi, this.paths);
    return { expectedValue: this.expectedValue, phi };
  }
}

/** Cover-weighted mean leaf value of a tree (its expectation over the training distribution). */
export function expectedTreeValue(t: TreeJson): number {
  let s = 0;
  const root = t.cover[0]!;
  for (let k = 0; k < t.feature.length; k++) if (t.feature[k]! < 0) s += (t.value[k]! * t.cover[k]!) / root;
  return s;
}
