// The one place ml-engine touches @carbon-nexus/models: model names, loading (one ONNX session per model at init)
// and a fast additive explainer for bulk predictions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  artifactsDir,
  listModels,
  loadModel,
  type CompiledOffset,
  type LoadedModel,
  type ModelCard,
} from '@carbon-nexus/models';

export { ModelInputError, forecast as forecastSeries, backtest as backtestSeries } from '@carbon-nexus/models';
export type { ModelCard, ValidationError, ForecastPoint, BacktestResult, HistoryPoint } from '@carbon-nexus/models';

/** GraphQL enum value ↔ stored model name (contract) ↔ artifact name in models/artifacts. */
export const MODEL_NAMES = {
  LOGISTICS: 'logistics',
  FACTORY: 'factory',
  WAREHOUSE: 'warehouse',
  LAST_MILE: 'last-mile',
} as const;
export type GraphModelName = keyof typeof MODEL_NAMES;
export type StoredModelName = (typeof MODEL_NAMES)[GraphModelName];

export const toGraphName = (stored: string): GraphModelName =>
  (Object.entries(MODEL_NAMES).find(([, v]) => v === stored)?.[0] as GraphModelName) ?? 'LOGISTICS';

/** Artifact names are written without the dash by the trainer ("lastmile"); accept either spelling. */
function artifactName(stored: StoredModelName, available: string[]): string | undefined {
  return available.find((a) => a === stored || a === stored.replace(/-/g, ''));
}

interface Tree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
  cover: number[];
}

/**
 * Saabas path attribution ("treeinterpreter"): for each tree, walk the row's decision path and credit the change of
 * the node expectation (cover-weighted mean leaf value below the node) to the split feature. O(trees × depth) per
 * row (µs, vs tens of ms for exact TreeSHAP on these ensembles); additive and exact in sum:
 *   expectedRaw + Σφ = raw output (log scale).
 * Used for bulk predictions (pipeline, predictBatch); `predict` uses the library's exact TreeSHAP.
 */
export class PathExplainer {
  // All trees flattened into typed arrays (monomorphic, cache-friendly): node k of tree t is at roots[t] + k.
  private readonly roots: Int32Array;
  private readonly feature: Int32Array;
  private readonly threshold: Float32Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly exp: Float64Array;
  readonly nFeatures: number;
  readonly expectedTrees: number;

  constructor(ens: { baseValue: number; nFeatures: number; trees: Tree[] }) {
    this.nFeatures = ens.nFeatures;
    const total = ens.trees.reduce((a, t) => a + t.feature.length, 0);
    this.roots = new Int32Array(ens.trees.length);
    this.feature = new Int32Array(total);
    this.threshold = new Float32Array(total);
    this.left = new Int32Array(total);
    this.right = new Int32Array(total);
    this.exp = new Float64Array(total);
    let ev = ens.baseValue;
    let off = 0;
    ens.trees.forEach((t, ti) => {
      this.roots[ti] = off;
      for (let k = 0; k < t.feature.length; k++) {
        this.feature[off + k] = t.feature[k]!;
        this.threshold[off + k] = t.threshold[k]!;
        this.left[off + k] = off + t.left[k]!;
        this.right[off + k] = off + t.right[k]!;
      }
      const visit = (n: number): number => {
        if (t.feature[n]! < 0) return (this.exp[off + n] = t.value[n]!);
        const l = t.left[n]!;
        const r = t.right[n]!;
        const vl = visit(l);
        const vr = visit(r);
        const c = t.cover[l]! + t.cover[r]!;
        return (this.exp[off + n] = c > 0 ? (vl * t.cover[l]! + vr * t.cover[r]!) / c : (vl + vr) / 2);
      };
      ev += visit(0);
      off += t.feature.length;
    });
    this.expectedTrees = ev;
  }

  /** φ on the raw (log) scale for the row at x[base .. base + nFeatures) (feature order of the card). */
  phi(
    x: ArrayLike<number>,
    out: Float64Array<ArrayBufferLike> = new Float64Array(this.nFeatures),
    base = 0,
  ): Float64Array<ArrayBufferLike> {
    out.fill(0);
    const { roots, feature, threshold, left, right, exp } = this;
    for (let t = 0; t < roots.length; t++) {
      let n = roots[t]!;
      let f = feature[n]!;
      while (f >= 0) {
        // float32 comparison, as ONNX BRANCH_LEQ (x is a Float32Array in the engine)
        const next = x[base + f]! <= threshold[n]! ? left[n]! : right[n]!;
        out[f]! += exp[next]! - exp[n]!;
        n = next;
        f = feature[n]!;
      }
    }
    return out;
  }
}

export interface EngineModel {
  stored: StoredModelName;
  graph: GraphModelName;
  lib: LoadedModel;
  card: ModelCard;
  version: string;
  featureNames: string[];
  /** feature name → column index */
  nameIndex: Map<string, number>;
  /** exp(expectedRaw): the reference prediction contributions move away from, kg CO2e. */
  expectedKg: number;
  expectedRaw: number;
  /** The model's offset (exposure or physics sum of products): its log is split over features in explanations. */
  offset: CompiledOffset | null;
  path: PathExplainer;
}

/** Loads every model the library has (one ONNX session each). Missing artifacts are reported, not fatal. */
export async function loadAllModels(): Promise<{
  models: Map<StoredModelName, EngineModel>;
  missing: StoredModelName[];
}> {
  const available = listModels().map((c) => c.name);
  const models = new Map<StoredModelName, EngineModel>();
  const missing: StoredModelName[] = [];
  for (const [graph, stored] of Object.entries(MODEL_NAMES) as [GraphModelName, StoredModelName][]) {
    const art = artifactName(stored, available);
    if (!art) {
      missing.push(stored);
      continue;
    }
    const lib = await loadModel(art);
    const card = lib.card;
    const ens = JSON.parse(readFileSync(join(artifactsDir, card.explain.treesFile), 'utf8'));
    const path = new PathExplainer(ens);
    const offset = lib.offset;
    const expectedRaw = path.expectedTrees + (offset?.refLog ?? 0);
    models.set(stored, {
      stored,
      graph,
      lib,
      card,
      version: card.version,
      featureNames: lib.featureNames,
      nameIndex: new Map(lib.featureNames.map((f, j) => [f, j])),
      expectedRaw,
      expectedKg: Math.exp(expectedRaw),
      offset,
      path,
    });
  }
  return { models, missing };
}
