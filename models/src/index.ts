/**
 * @carbon-nexus/models — public API used by the ml-engine subgraph.
 *
 *   listModels()            → cards of the committed models (models/artifacts/*.json)
 *   loadModel(name)         → { card, session, predictBatch, explain, explainFull, validate, predictLocal }
 *   forecast / backtest     → 7-day hourly forecasts with calibrated 80 % / 95 % bands
 *   artifactsDir            → absolute path of models/artifacts
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { ModelCard } from './card.js';
import { TreeExplainer } from './explain/treeshap.js';
import type { FeatureSpec } from './synth/types.js';
import { normalizeEnsemble, predictRaw, type EnsembleJson } from './train/gbt.js';
import { interval, intervalFromJson, type IntervalParams } from './train/interval.js';
import { compileOffset, exposureOffset, type CompiledOffset } from './train/offset.js';

export type { ModelCard, HeldOutMetrics } from './card.js';
export type { FeatureSpec } from './synth/types.js';
export type { CompiledOffset, OffsetSpec } from './train/offset.js';
export { forecast, backtest } from './forecast/index.js';
export type {
  ForecastPoint,
  HistoryPoint,
  ForecastOptions,
  BacktestOptions,
  BacktestResult,
} from './forecast/index.js';
export { factorOnlyBaseline, GENERATORS } from './synth/index.js';
/** Logistics vehicle classes (code → label) and their parameters (rated payload, …), for feature mappers. */
export { VEHICLE_CLASSES, VEHICLES as LOGISTICS_VEHICLES } from './synth/logistics.js';

export const artifactsDir: string = fileURLToPath(new URL('../artifacts/', import.meta.url));

export type FeatureRow = Record<string, number>;

export interface Prediction {
  /** Point estimate, kg CO2e. */
  co2eKg: number;
  /** Lower / upper bound of the 80 % interval, kg CO2e. */
  lower: number;
  upper: number;
}

export interface Contribution {
  feature: string;
  value: number;
  /** kg CO2e attributed to this feature (Σ over features = prediction − expectedKg). */
  contribution: number;
  /** Exact SHAP value on the model's log scale (Σ = ln(prediction) − expectedRaw). */
  logContribution: number;
}

export interface Explanation {
  prediction: number;
  /** exp(E[ln output]) — the reference prediction the contributions move away from, kg CO2e. */
  expectedKg: number;
  expectedRaw: number;
  contributions: Contribution[];
}

export interface ValidationError {
  feature: string;
  code: 'missing' | 'not_a_number' | 'out_of_range' | 'not_integer' | 'unknown_category' | 'unknown_feature';
  message: string;
  /** Row index (batch validation only). */
  row?: number;
}

export class ModelInputError extends Error {
  constructor(
    readonly model: string,
    readonly errors: ValidationError[],
  ) {
    super(
      `invalid input for model "${model}": ` +
        errors
          .slice(0, 5)
          .map((e) => (e.row !== undefined ? `row ${e.row}: ` : '') + e.message)
          .join('; ') +
        (errors.length > 5 ? ` (+${errors.length - 5} more)` : ''),
    );
    this.name = 'ModelInputError';
  }
}

export interface PredictOptions {
  /** Validate ranges/categories before inference (default true; missing/NaN are always rejected). */
  validate?: boolean;
}

export interface LoadedModel {
  card: ModelCard;
  session: ort.InferenceSession;
  featureNames: string[];
  /** Batch inference: one Float32Array and one session.run per call. `n` is required for a Float32Array input. */
  predictBatch(rows: FeatureRow[] | Float32Array, n?: number, opts?: PredictOptions): Promise<Prediction[]>;
  /** Per-feature contributions (TreeSHAP), sorted by |contribution| descending. */
  explain(row: FeatureRow): Contribution[];
  explainFull(row: FeatureRow): Explanation;
  validate(row: FeatureRow): ValidationError[];
  /** Same model evaluated in TypeScript from the trees JSON (no ONNX) — used for parity checks. */
  predictLocal(row: FeatureRow | ArrayLike<number>): number;
  /** The model's offset (exposure or physics sum of products), null without one: `offset.phi(x)` splits
   *  ln(offset(x)) − offset.refLog over the features (exact), for explanations of fast path attributions. */
  offset: CompiledOffset | null;
}

/** The compiled offset a card declares (cards written before general offsets carry only offsetFeature). */
export function cardOffset(card: ModelCard): CompiledOffset | null {
  const names = card.features.map((f) => f.name);
  if (card.model.offset) return compileOffset(card.model.offset, names);
  if (card.model.offsetFeature)
    return compileOffset(exposureOffset(card.model.offsetFeature, card.explain.offsetMeanLog), names);
  return null;
}

function readCard(file: string): ModelCard {
  return JSON.parse(readFileSync(file, 'utf8')) as ModelCard;
}

function isEstimatorCard(c: unknown): c is ModelCard {
  const card = c as Partial<ModelCard> | null;
  return (
    !!card &&
    typeof card.name === 'string' &&
    typeof card.onnx?.file === 'string' &&
    Array.isArray(card.features) &&
    card.features.every((f) => typeof f === 'object' && f !== null && typeof f.name === 'string') &&
    existsSync(join(artifactsDir, card.onnx.file))
  );
}

/** Cards of all committed ONNX emission estimators (other JSON files in artifacts/ are ignored). */
export function listModels(): ModelCard[] {
  if (!existsSync(artifactsDir)) return [];
  const cards: ModelCard[] = [];
  for (const f of readdirSync(artifactsDir).sort()) {
    if (!f.endsWith('.json') || f.endsWith('.trees.json')) continue;
    try {
      const c: unknown = readCard(join(artifactsDir, f));
      if (isEstimatorCard(c)) cards.push(c);
    } catch {
      // not a JSON card of ours
    }
  }
  return cards;
}

const fmt = (v: number) =>
  Math.abs(v) >= 1000 || Math.abs(v) < 0.01 ? v.toPrecision(4) : String(Math.round(v * 1000) / 1000);

/** Validate a single feature value against its spec. */
function validateValue(spec: FeatureSpec, v: unknown): ValidationError | null {
  const f = spec.name;
  if (v === undefined || v === null)
    return { feature: f, code: 'missing', message: `${f} is missing (expected ${spec.unit}, ${spec.description})` };
  if (typeof v !== 'number' || Number.isNaN(v) || !Number.isFinite(v)) {
    return {
      feature: f,
      code: 'not_a_number',
      message: `${f} must be a finite number in ${spec.unit}, got ${String(v)}`,
    };
  }
  if (spec.kind === 'categorical' || spec.kind === 'binary') {
    const cats = spec.kind === 'binary' ? { '0': 'no', '1': 'yes' } : (spec.categories ?? {});
    if (!(String(v) in cats)) {
      const list = Object.entries(cats)
        .map(([k, l]) => `${k} = ${l}`)
        .join(', ');
      return { feature: f, code: 'unknown_category', message: `${f} = ${v} is not a known code (${list})` };
    }
    return null;
  }
  if (spec.kind === 'integer' && !Number.isInteger(v)) {
    return { feature: f, code: 'not_integer', message: `${f} must be an integer (${spec.unit}), got ${v}` };
  }
  if (v < spec.min || v > spec.max) {
    let hint = '';
    for (const h of spec.unitHints ?? []) {
      const conv = v * h.scale;
      if (conv >= spec.min && conv <= spec.max) {
        hint = ` — did you pass ${h.unit}? ${fmt(v)} ${h.unit} = ${fmt(conv)} ${spec.unit}`;
        break;
      }
    }
    return {
      feature: f,
      code: 'out_of_range',
      message: `${f} = ${fmt(v)} ${spec.unit} is outside the model's validity range [${fmt(spec.min)}, ${fmt(spec.max)}] ${spec.unit}${hint}`,
    };
  }
  return null;
}

export function validateRow(card: ModelCard, row: FeatureRow, rowIndex?: number): ValidationError[] {
  const errors: ValidationError[] = [];
  if (row === null || typeof row !== 'object') {
    return [
      { feature: '*', code: 'missing', message: 'row must be an object of feature name → number', row: rowIndex },
    ];
  }
  for (const spec of card.features) {
    const e = validateValue(spec, (row as Record<string, unknown>)[spec.name]);
    if (e) errors.push(rowIndex === undefined ? e : { ...e, row: rowIndex });
  }
  const known = new Set(card.features.map((f) => f.name));
  for (const k of Object.keys(row)) {
    if (!known.has(k)) {
      errors.push({
        feature: k,
        code: 'unknown_feature',
        message: `${k} is not a feature of model "${card.name}" (expected: ${[...known].join(', ')})`,
        ...(rowIndex === undefined ? {} : { row: rowIndex }),
      });
    }
  }
  return errors;
}

const cache = new Map<string, Promise<LoadedModel>>();

/** Load a committed model (cached per name). */
export function loadModel(name: string): Promise<LoadedModel> {
  let p = cache.get(name);
  if (!p) {
    p = createModel(name);
    cache.set(name, p);
    p.catch(() => cache.delete(name));
  }
  return p;
}

async function createModel(name: string): Promise<LoadedModel> {
  if (!/^[a-z0-9_-]+$/i.test(name)) throw new Error(`invalid model name "${name}"`);
  const cardFile = join(artifactsDir, `${name}.json`);
  if (!existsSync(cardFile)) {
    throw new Error(
      `unknown model "${name}" (available: ${
        listModels()
          .map((c) => c.name)
          .join(', ') || 'none'
      })`,
    );
  }
  const card: unknown = readCard(cardFile);
  if (!isEstimatorCard(card))
    throw new Error(
      `"${name}" in ${artifactsDir} is not an ONNX emission estimator card (available: ${listModels()
        .map((c) => c.name)
        .join(', ')})`,
    );
  const session = await ort.InferenceSession.create(join(artifactsDir, card.onnx.file), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const names = card.features.map((f) => f.name);
  const F = names.length;
  const iv: IntervalParams = intervalFromJson(card.interval);
  const offset = cardOffset(card);

  let ens: EnsembleJson | null = null;
  let explainer: TreeExplainer | null = null;
  const trees = (): { ens: EnsembleJson; explainer: TreeExplainer } => {
    if (!ens || !explainer) {
      ens = normalizeEnsemble(
        JSON.parse(readFileSync(join(artifactsDir, card.explain.treesFile), 'utf8')) as EnsembleJson,
      );
      explainer = new TreeExplainer(ens);
    }
    return { ens, explainer };
  };

  const toVector = (row: FeatureRow | ArrayLike<number>): Float32Array => {
    if (isFeatureRow(row)) return Float32Array.from(names, (k) => row[k]!);
    return Float32Array.from(row as ArrayLike<number>);
  };

  const checkRow = (row: FeatureRow): void => {
    const errs = validateRow(card, row);
    if (errs.length) throw new ModelInputError(name, errs);
  };

  const model: LoadedModel = {
    card,
    session,
    featureNames: names,
    offset,

    async predictBatch(rows, n, opts = {}) {
      const doValidate = opts.validate ?? true;
      let X: Float32Array;
      let count: number;
      if (rows instanceof Float32Array) {
        count = n ?? rows.length / F;
        if (!Number.isInteger(count) || rows.length < count * F) {
          throw new Error(
            `Float32Array input must hold n × ${F} values (${names.join(', ')}), got length ${rows.length} for n = ${n}`,
          );
        }
        X = count * F === rows.length ? rows : rows.subarray(0, count * F);
        const errors: ValidationError[] = [];
        for (let i = 0; i < count && errors.length < 50; i++) {
          for (let j = 0; j < F; j++) {
            const v = X[i * F + j]!;
            const spec = card.features[j]!;
            if (Number.isNaN(v) || !Number.isFinite(v) || (doValidate && (v < spec.min || v > spec.max))) {
              const e = validateValue(spec, v) ?? {
                feature: spec.name,
                code: 'out_of_range' as const,
                message: `${spec.name} invalid`,
              };
              errors.push({ ...e, row: i });
            }
          }
        }
        if (errors.length) throw new ModelInputError(name, errors);
      } else {
        count = rows.length;
        X = new Float32Array(count * F);
        const errors: ValidationError[] = [];
        for (let i = 0; i < count; i++) {
          const r = rows[i]!;
          if (doValidate) {
            const e = validateRow(card, r, i);
            if (e.length) {
              errors.push(...e);
              if (errors.length >= 50) break;
              continue;
            }
          }
          for (let j = 0; j < F; j++) {
            const v = r?.[names[j]!];
            if (typeof v !== 'number' || !Number.isFinite(v)) {
              errors.push({
                ...(validateValue(card.features[j]!, v) ?? {
                  feature: names[j]!,
                  code: 'not_a_number' as const,
                  message: `${names[j]} invalid`,
                }),
                row: i,
              });
            } else X[i * F + j] = v;
          }
        }
        if (errors.length) throw new ModelInputError(name, errors);
      }
      if (count === 0) return [];
      const out = await session.run({ features: new ort.Tensor('float32', X, [count, F]) });
      const y = out.co2e_kg!.data as Float32Array;
      const res: Prediction[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const p = y[i]!;
        const { lower, upper } = interval(iv, p);
        res[i] = { co2eKg: p, lower, upper };
      }
      return res;
    },

    explainFull(row) {
      checkRow(row);
      const { ens: e, explainer: ex } = trees();
      const x = toVector(row);
      const { expectedValue, phi } = ex.shap(x);
      const log = Array.from(phi);
      let expectedRaw = expectedValue;
      if (offset) {
        const op = offset.phi(x);
        for (let j = 0; j < F; j++) log[j]! += op[j]!;
        expectedRaw += offset.refLog;
      }
      const rawOut = predictRaw(e, x) + (offset ? Math.log(offset.value(x)) : 0);
      const prediction = Math.exp(rawOut);
      const expectedKg = Math.exp(expectedRaw);
      const dl = rawOut - expectedRaw;
      // logarithmic mean L(a, b) = (a − b)/(ln a − ln b); → a when a ≈ b
      const L = Math.abs(dl) < 1e-12 ? prediction : (prediction - expectedKg) / dl;
      const contributions = names.map((feature, j) => ({
        feature,
        value: row[feature]!,
        contribution: log[j]! * L,
        logContribution: log[j]!,
      }));
      contributions.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
      return { prediction, expectedKg, expectedRaw, contributions };
    },

    explain(row) {
      return model.explainFull(row).contributions;
    },

    validate(row) {
      return validateRow(card, row);
    },

    predictLocal(row) {
      const { ens: e } = trees();
      const x = toVector(row);
      const raw = predictRaw(e, x) + (offset ? Math.log(offset.value(x)) : 0);
      return e.transform === 'exp' ? Math.exp(raw) : raw;
    },
  };
  return model;
}

function isFeatureRow(r: unknown): r is FeatureRow {
  return typeof r === 'object' && r !== null && !ArrayBuffer.isView(r) && !Array.isArray(r);
}
