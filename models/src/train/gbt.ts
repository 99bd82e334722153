/**
 * Gradient-boosted regression trees, XGBoost-style, in plain TypeScript.
 *
 *  - squared loss (gradient g = ŷ − y, hessian h = 1, so "min child weight" = min rows per child)
 *  - histogram split finding on per-feature quantile bins (≤ 256 bins; bin edges are data values, so the
 *    split "bin ≤ b" is exactly "x ≤ edge[b]" in float32 — identical to ONNX `BRANCH_LEQ`)
 *  - histogram subtraction (smaller child scanned, larger = parent − smaller), depth-first growth
 *  - gain = G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) > γ, leaf = −η·G/(H+λ)
 *  - optional row subsampling and column subsampling per tree, driven by the seeded PRNG
 */
import { Rng } from '../synth/random.js';

export interface GbtParams {
  nTrees: number;
  maxDepth: number;
  learningRate: number;
  minChildWeight: number;
  /** L2 regularisation on leaf values. */
  lambda: number;
  /** Minimum gain to split. */
  gamma: number;
  subsample: number;
  colsample: number;
  maxBins: number;
  seed: number;
}

export const DEFAULT_PARAMS: GbtParams = {
  nTrees: 300,
  maxDepth: 6,
  learningRate: 0.1,
  minChildWeight: 20,
  lambda: 1,
  gamma: 0,
  subsample: 0.8,
  colsample: 1,
  maxBins: 255,
  seed: 1,
};

/** One tree in flat arrays. Leaves have feature = −1. `cover` = training rows reaching the node (TreeSHAP). */
export interface TreeJson {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
  cover: number[];
}

export interface EnsembleJson {
  baseValue: number;
  nFeatures: number;
  featureNames: string[];
  /** Output transform applied after summing trees: 'identity' or 'exp' (model trained on ln target). */
  transform: 'identity' | 'exp';
  trees: TreeJson[];
}

interface Binned {
  /** column-major bins: bins[f * n + i] */
  bins: Uint8Array;
  /** edges[f][b] = largest value in bin b */
  edges: Float32Array[];
  n: number;
  F: number;
}

export function buildBins(X: Float32Array, n: number, F: number, maxBins: number): Binned {
  const edges: Float32Array[] = [];
  const bins = new Uint8Array(F * n);
  const col = new Float32Array(n);
  for (let f = 0; f < F; f++) {
    for (let i = 0; i < n; i++) col[i] = X[i * F + f]!;
    const sorted = Float32Array.from(col).sort();
    const uniq: number[] = [];
    for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) uniq.push(sorted[i]!);
    let e: number[];
    if (uniq.length <= maxBins) e = uniq;
    else {
      e = [];
      for (let b = 1; b <= maxBins; b++) {
        const v = sorted[Math.min(n - 1, Math.floor((b * n) / maxBins) - 1)]!;
        if (e.length === 0 || v > e[e.length - 1]!) e.push(v);
      }
      if (e[e.length - 1]! < sorted[n - 1]!) e.push(sorted[n - 1]!);
    }
    const ef = Float32Array.from(e);
    edges.push(ef);
    for (let i = 0; i < n; i++) bins[f * n + i] = binOf(ef, col[i]!);
  }
  return { bins, edges, n, F };
}

function binOf(edges: Float32Array, x: number): number {
  let lo = 0;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface TrainOptions {
  /** Called every `every` trees with the running training RMSE (for progress logs). */
  onProgress?: (tree: number, trainRmse: number) => void;
  every?: number;
}

export function trainGbt(
  X: Float32Array,
  y: Float64Array,
  n: number,
  F: number,
  p: GbtParams,
  featureNames: string[],
  transform: 'identity' | 'exp',
  opts: TrainOptions = {},
): EnsembleJson {
  const rng = new Rng(p.seed);
  const { bins, edges } = buildBins(X, n, F, p.maxBins);
  const NB = 256;
  let base = 0;
  for (let i = 0; i < n; i++) base += y[i]!;
  base /= n;
  const pred = new Float64Array(n).fill(base);
  const grad = new Float64Array(n);
  const idxAll = new Int32Array(n);
  const tmp = new Int32Array(n);
  const trees: TreeJson[] = [];
  const featMask = new Uint8Array(F);

  for (let t = 0; t < p.nTrees; t++) {
    for (let i = 0; i < n; i++) grad[i] = pred[i]! - y[i]!;
    let m = 0;
    if (p.subsample < 1) {
      for (let i = 0; i < n; i++) if (rng.next() < p.subsample) idxAll[m++] = i;
    } else {
      for (let i = 0; i < n; i++) idxAll[m++] = i;
    }
    featMask.fill(1);
    if (p.colsample < 1) {
      for (let f = 0; f < F; f++) featMask[f] = rng.next() < p.colsample ? 1 : 0;
      if (!featMask.some((v) => v === 1)) featMask[Math.floor(rng.next() * F)] = 1;
    }
    const tree: TreeJson = { feature: [], threshold: [], left: [], right: [], value: [], cover: [] };
    const binThr: number[] = [];

    const histOf = (start: number, end: number): Float64Array => {
      const h = new Float64Array(F * NB * 2);
      for (let f = 0; f < F; f++) {
        if (!featMask[f]) continue;
        const off = f * n;
        const hb = f * NB * 2;
        for (let k = start; k < end; k++) {
          const i = idxAll[k]!;
          const b = hb + bins[off + i]! * 2;
          h[b]! += grad[i]!;
          h[b + 1]! += 1;
        }
      }
      return h;
    };

    const build = (start: number, end: number, depth: number, hist: Float64Array, G: number, H: number): number => {
      const node = tree.feature.length;
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.value.push((-G / (H + p.lambda)) * p.learningRate);
      tree.cover.push(H);
      binThr.push(-1);
      if (depth >= p.maxDepth || H < 2 * p.minChildWeight) return node;
      const parentScore = (G * G) / (H + p.lambda);
      let bestGain = p.gamma;
      let bestF = -1;
      let bestB = -1;
      let bestGL = 0;
      let bestHL = 0;
      for (let f = 0; f < F; f++) {
        if (!featMask[f]) continue;
        const nb = edges[f]!.length;
        const hb = f * NB * 2;
        let GL = 0;
        let HL = 0;
        for (let b = 0; b < nb - 1; b++) {
          GL += hist[hb + b * 2]!;
          HL += hist[hb + b * 2 + 1]!;
          if (HL < p.minChildWeight) continue;
          const HR = H - HL;
          if (HR < p.minChildWeight) break;
          const GR = G - GL;
          const gain = (GL * GL) / (HL + p.lambda) + (GR * GR) / (HR + p.lambda) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            bestF = f;
            bestB = b;
            bestGL = GL;
            bestHL = HL;
          }
        }
      }
      if (bestF < 0) return node;
      // partition idxAll[start, end) by bin <= bestB (stable, via tmp)
      const off = bestF * n;
      let l = start;
      let r = 0;
      for (let k = start; k < end; k++) {
        const i = idxAll[k]!;
        if (bins[off + i]! <= bestB) idxAll[l++] = i;
        else tmp[r++] = i;
      }
      for (let k = 0; k < r; k++) idxAll[l + k] = tmp[k]!;
      const mid = l;
      let histL: Float64Array;
      let histR: Float64Array;
      if (mid - start <= end - mid) {
        histL = histOf(start, mid);
        histR = hist;
        for (let k = 0; k < histR.length; k++) histR[k] = histR[k]! - histL[k]!;
      } else {
        histR = histOf(mid, end);
        histL = hist;
        for (let k = 0; k < histL.length; k++) histL[k] = histL[k]! - histR[k]!;
      }
      tree.feature[node] = bestF;
      tree.threshold[node] = edges[bestF]![bestB]!;
      binThr[node] = bestB;
      const leftId = build(start, mid, depth + 1, histL, bestGL, bestHL);
      tree.left[node] = leftId;
      const rightId = build(mid, end, depth + 1, histR, G - bestGL, H - bestHL);
      tree.right[node] = rightId;
      return node;
    };

    let G0 = 0;
    for (let k = 0; k < m; k++) G0 += grad[idxAll[k]!]!;
    build(0, m, 0, histOf(0, m), G0, m);

    // update predictions of all rows using bins (identical to x <= threshold)
    for (let i = 0; i < n; i++) {
      let nd = 0;
      while (tree.feature[nd]! >= 0) {
        const f = tree.feature[nd]!;
        nd = bins[f * n + i]! <= binThr[nd]! ? tree.left[nd]! : tree.right[nd]!;
      }
      pred[i]! += tree.value[nd]!;
    }
    trees.push(tree);
    if (opts.onProgress && (t + 1) % (opts.every ?? 50) === 0) {
      let se = 0;
      for (let i = 0; i < n; i++) se += (pred[i]! - y[i]!) ** 2;
      opts.onProgress(t + 1, Math.sqrt(se / n));
    }
  }
  return { baseValue: base, nFeatures: F, featureNames, transform, trees };
}

/** Raw (pre-transform) ensemble output for one row of float32 features. Float32 comparisons as in ONNX. */
export function predictRaw(ens: EnsembleJson, x: ArrayLike<number>): number {
  let s = ens.baseValue;
  for (const t of ens.trees) {
    let nd = 0;
    while (t.feature[nd]! >= 0) {
      nd = Math.fround(x[t.feature[nd]!]!) <= t.threshold[nd]! ? t.left[nd]! : t.right[nd]!;
    }
    s += t.value[nd]!;
  }
  return s;
}

export function predict(ens: EnsembleJson, x: ArrayLike<number>): number {
  const r = predictRaw(ens, x);
  return ens.transform === 'exp' ? Math.exp(r) : r;
}

export function predictMatrix(ens: EnsembleJson, X: Float32Array, n: number): Float64Array {
  const F = ens.nFeatures;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = predict(ens, X.subarray(i * F, (i + 1) * F));
  return out;
}

/**
 * Make thresholds exact float32 values after a JSON round trip (JSON stores ≤ 9 significant digits, which
 * identifies a float32 uniquely but parses to a nearby double) so that `x <= threshold` matches ONNX Runtime.
 */
export function normalizeEnsemble(ens: EnsembleJson): EnsembleJson {
  for (const t of ens.trees) {
    for (let k = 0; k < t.threshold.length; k++) t.threshold[k] = Math.fround(t.threshold[k]!);
  }
  ens.baseValue = Math.fround(ens.baseValue);
  return ens;
}

export function countNodes(ens: EnsembleJson): number {
  return ens.trees.reduce((a, t) => a + t.feature.length, 0);
}
