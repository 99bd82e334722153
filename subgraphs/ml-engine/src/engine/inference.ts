// Inference over the loaded models: validation → one session.run per batch → interval, confidence and
// per-feature contributions (kg CO2e). Rows travel as one row-major Float32Array (what ONNX Runtime takes), so the
// API adds little over a raw session. Latency lands in model_inference_seconds{model, batch}.
import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Metrics } from '@carbon-nexus/plugin-sdk';
import { ModelInputError, type EngineModel, type StoredModelName, type ValidationError } from './models-adapter.ts';

export type FeatureRow = Record<string, number>;
export type ExplainMode = 'exact' | 'path' | 'none';

export interface Contribution {
  feature: string;
  value: number;
  contributionKg: number;
}

export interface RowAdjustment {
  /** Output multiplier (e.g. the distance ratio when the distance was clamped into the model's range). */
  scale?: number;
  /** Features filled with a documented default (each lowers confidence). */
  defaulted?: string[];
  /** Features clamped into the validity range (each lowers confidence). */
  clamped?: string[];
}

/** n rows × F features in the card's feature order; NaN = missing. */
export interface Batch {
  X: Float32Array;
  n: number;
}

export interface InferenceResult {
  model: StoredModelName;
  modelVersion: string;
  /** sha256 (hex) of model, version and inputs — empty when not requested. */
  inputHash: string;
  co2eKg: number;
  lowerKg: number;
  upperKg: number;
  confidence: number;
  expectedKg: number;
  contributions: Contribution[];
  contributionMethod: 'treeshap' | 'saabas-path' | 'none';
  defaulted: string[];
  clamped: string[];
  /** Row index in the batch (to read the features back with featuresOf). */
  index: number;
}

export function batchBucket(n: number): string {
  if (n <= 1) return '1';
  if (n <= 10) return '<=10';
  if (n <= 100) return '<=100';
  if (n <= 1000) return '<=1000';
  return '>1000';
}

/** Feature rows (objects) → a batch; absent features become NaN (reported as missing). */
export function rowsToBatch(m: EngineModel, rows: FeatureRow[]): Batch {
  const F = m.featureNames.length;
  const X = new Float32Array(rows.length * F);
  rows.forEach((r, i) => m.featureNames.forEach((f, j) => (X[i * F + j] = typeof r[f] === 'number' ? r[f]! : NaN)));
  return { X, n: rows.length };
}

/** The features of row i as an object (card order), e.g. for storage or exact TreeSHAP. */
export function featuresOf(m: EngineModel, b: Batch, i: number): FeatureRow {
  const F = m.featureNames.length;
  const row: FeatureRow = {};
  for (let j = 0; j < F; j++) row[m.featureNames[j]!] = b.X[i * F + j]!;
  return row;
}

/** A float32 input shown with the 7 significant digits it carries (0.28099998831748962 → 0.281). */
export const shown = (v: number): number => Number(v.toPrecision(7));

/** The features of row i for storage and display (values rounded to float32 precision). */
export function shownFeaturesOf(m: EngineModel, b: Batch, i: number): FeatureRow {
  const F = m.featureNames.length;
  const row: FeatureRow = {};
  for (let j = 0; j < F; j++) row[m.featureNames[j]!] = shown(b.X[i * F + j]!);
  return row;
}

/** BAD_USER_INPUT naming the feature (and row) for every validation problem. */
export function inputError(model: string, errors: ValidationError[]): GraphQLError {
  const first = errors[0];
  const msg = errors
    .slice(0, 10)
    .map(
      (e) =>
        (e.row !== undefined ? `rows[${e.row}].` : '') +
        (e.message.startsWith(e.feature) ? e.message : `${e.feature}: ${e.message}`),
    )
    .join('; ');
  return new GraphQLError(
    `invalid input for model ${model}: ${msg}${errors.length > 10 ? ` (+${errors.length - 10} more)` : ''}`,
    {
      extensions: {
        code: 'BAD_USER_INPUT',
        field: first ? (first.row !== undefined ? `rows[${first.row}].${first.feature}` : first.feature) : 'features',
        errors: errors
          .slice(0, 50)
          .map((e) => ({ row: e.row ?? null, feature: e.feature, code: e.code, message: e.message })),
      },
    },
  );
}

export interface RunOptions {
  explain?: ExplainMode;
  adjust?: (RowAdjustment | undefined)[];
  /** Compute input hashes (needed to persist); `salt[i]` is mixed in (event id for event predictions). */
  hash?: boolean;
  salt?: (string | undefined)[];
  source?: string;
}

export interface InferenceEngine {
  models: Map<StoredModelName, EngineModel>;
  get(name: StoredModelName): EngineModel;
  /** Validates then predicts a batch of one model in one session.run. Throws ModelInputError naming row and feature. */
  run(name: StoredModelName, batch: Batch, opts?: RunOptions): Promise<InferenceResult[]>;
}

interface FastSpec {
  min: number;
  max: number;
  integer: boolean;
  codes: Set<number> | null;
}

export function createInferenceEngine(models: Map<StoredModelName, EngineModel>, metrics: Metrics): InferenceEngine {
  const latency = metrics.histogram(
    'model_inference_seconds',
    'ONNX inference latency per call (one session.run), by model and batch-size bucket',
    ['model', 'batch'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  const predictions = metrics.counter('predictions_total', 'Predictions made, by model and source (api | pipeline)', [
    'model',
    'source',
  ]);
  const fast = new Map<StoredModelName, FastSpec[]>();
  for (const [name, m] of models) {
    fast.set(
      name,
      m.card.features.map((f) => ({
        min: f.min,
        max: f.max,
        integer: f.kind !== 'continuous',
        codes:
          f.kind === 'categorical' && f.categories
            ? new Set(Object.keys(f.categories).map(Number))
            : f.kind === 'binary'
              ? new Set([0, 1])
              : null,
      })),
    );
  }

  /** Fast per-value checks; rows that fail are re-validated by the library for its precise messages. */
  function validate(m: EngineModel, b: Batch): ValidationError[] {
    const specs = fast.get(m.stored)!;
    const F = specs.length;
    const errors: ValidationError[] = [];
    for (let i = 0; i < b.n && errors.length < 50; i++) {
      let bad = false;
      for (let j = 0; j < F; j++) {
        const v = b.X[i * F + j]!;
        const s = specs[j]!;
        if (
          !(v >= s.min && v <= s.max) ||
          (s.integer && !Number.isInteger(v)) ||
          (s.codes !== null && !s.codes.has(v))
        ) {
          bad = true;
          break;
        }
      }
      if (!bad) continue;
      const row: Record<string, number | undefined> = featuresOf(m, b, i);
      for (const k of Object.keys(row)) if (Number.isNaN(row[k])) row[k] = undefined;
      const e = m.lib.validate(row as FeatureRow);
      errors.push(
        ...(e.length ? e : [{ feature: '*', code: 'out_of_range' as const, message: 'invalid row' }]).map((x) => ({
          ...x,
          row: i,
        })),
      );
    }
    return errors;
  }

  const engine: InferenceEngine = {
    models,
    get(name) {
      const m = models.get(name);
      if (!m) {
        throw new GraphQLError(
          `model ${name} is not available (loaded: ${[...models.keys()].join(', ') || 'none'}); train it with npm run train -w models`,
          {
            extensions: { code: 'MODEL_UNAVAILABLE', field: 'model' },
          },
        );
      }
      return m;
    },

    async run(name, batch, opts = {}) {
      const m = engine.get(name);
      const explain = opts.explain ?? 'path';
      const n = batch.n;
      if (n === 0) return [];
      const errors = validate(m, batch);
      if (errors.length) throw new ModelInputError(m.card.name, errors);
      const F = m.featureNames.length;
      const t0 = performance.now();
      const preds = await m.lib.predictBatch(batch.X, n, { validate: false });
      latency.observe({ model: m.stored, batch: batchBucket(n) }, (performance.now() - t0) / 1000);
      predictions.inc({ model: m.stored, source: opts.source ?? 'api' }, n);
      const phi = new Float64Array(F);
      const offPhi = new Float64Array(F);
      const out: InferenceResult[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const adj = opts.adjust?.[i];
        const scale = adj?.scale ?? 1;
        const p = preds[i]!;
        let contributions: Contribution[] = [];
        let method: InferenceResult['contributionMethod'] = 'none';
        if (explain === 'exact') {
          const e = m.lib.explainFull(featuresOf(m, batch, i));
          // The library evaluates the trees in TypeScript; rescale so Σ = ONNX prediction − expected exactly.
          const target = p.co2eKg - e.expectedKg;
          const sum = e.contributions.reduce((a, c) => a + c.contribution, 0);
          const k = Math.abs(sum) > 1e-12 ? target / sum : 1;
          contributions = e.contributions.map((c) => ({
            feature: c.feature,
            value: shown(c.value),
            contributionKg: c.contribution * k * scale,
          }));
          method = 'treeshap';
        } else if (explain === 'path') {
          m.path.phi(batch.X, phi, i * F);
          if (m.offset) {
            m.offset.phi(batch.X, i * F, offPhi);
            for (let j = 0; j < F; j++) phi[j]! += offPhi[j]!;
          }
          // Log-scale φ → kg with the logarithmic mean, normalised so Σ = prediction − expectedKg exactly.
          const rawOut = Math.log(Math.max(p.co2eKg, 1e-12));
          const dl = rawOut - m.expectedRaw;
          let s = 0;
          for (let j = 0; j < F; j++) s += phi[j]!;
          const L = Math.abs(dl) < 1e-12 ? p.co2eKg : (p.co2eKg - m.expectedKg) / dl;
          const norm = Math.abs(s) > 1e-12 ? dl / s : 1;
          contributions = new Array(F);
          for (let j = 0; j < F; j++)
            contributions[j] = {
              feature: m.featureNames[j]!,
              value: shown(batch.X[i * F + j]!),
              contributionKg: phi[j]! * norm * L * scale,
            };
          contributions.sort((a, b) => Math.abs(b.contributionKg) - Math.abs(a.contributionKg));
          method = 'saabas-path';
        }
        let hash = '';
        if (opts.hash) {
          const h = createHash('sha256');
          h.update(`${m.stored}|${m.version}|`);
          h.update(Buffer.from(batch.X.buffer, batch.X.byteOffset + i * F * 4, F * 4));
          const salt = opts.salt?.[i];
          if (salt) h.update(`|${salt}`);
          hash = h.digest('hex');
        }
        const co2eKg = p.co2eKg * scale;
        const lowerKg = p.lower * scale;
        const upperKg = p.upper * scale;
        const defaulted = adj?.defaulted ?? [];
        const clamped = adj?.clamped ?? [];
        const relHalf = co2eKg > 0 ? (upperKg - lowerKg) / (2 * co2eKg) : 1;
        const confidence = (1 / (1 + relHalf)) * 0.95 ** defaulted.length * 0.85 ** clamped.length;
        out[i] = {
          model: m.stored,
          modelVersion: m.version,
          inputHash: hash,
          co2eKg,
          lowerKg,
          upperKg,
          confidence: Math.round(confidence * 10000) / 10000,
          expectedKg: m.expectedKg * scale,
          contributions,
          contributionMethod: method,
          defaulted,
          clamped,
          index: i,
        };
      }
      return out;
    },
  };
  return engine;
}

export { ModelInputError };
