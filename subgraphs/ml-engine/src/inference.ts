// Inference over the loaded models: validation → one session.run per batch → interval, confidence and
// per-feature contributions (kg CO2e) → rows ready to persist. Latency lands in model_inference_seconds.
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

export interface InferenceResult {
  model: StoredModelName;
  modelVersion: string;
  inputHash: string;
  features: FeatureRow;
  co2eKg: number;
  lowerKg: number;
  upperKg: number;
  confidence: number;
  expectedKg: number;
  contributions: Contribution[];
  contributionMethod: 'treeshap' | 'saabas-path' | 'none';
  defaulted: string[];
  clamped: string[];
}

export function batchBucket(n: number): string {
  if (n <= 1) return '1';
  if (n <= 10) return '<=10';
  if (n <= 100) return '<=100';
  if (n <= 1000) return '<=1000';
  return '>1000';
}

/** sha256 over model, version and the feature vector in card order (+ the event id for event predictions). */
export function inputHash(m: EngineModel, row: FeatureRow, salt?: string): string {
  const h = createHash('sha256');
  h.update(`${m.stored}|${m.version}|`);
  for (const f of m.featureNames) h.update(`${f}=${Math.fround(row[f]!)};`);
  if (salt) h.update(`|${salt}`);
  return h.digest('hex');
}

/** BAD_USER_INPUT naming the feature (and row) for every validation problem. */
export function inputError(model: string, errors: ValidationError[]): GraphQLError {
  const first = errors[0];
  const msg = errors
    .slice(0, 10)
    .map((e) => (e.row !== undefined ? `rows[${e.row}].` : '') + (e.message.startsWith(e.feature) ? e.message : `${e.feature}: ${e.message}`))
    .join('; ');
  return new GraphQLError(`invalid input for model ${model}: ${msg}${errors.length > 10 ? ` (+${errors.length - 10} more)` : ''}`, {
    extensions: {
      code: 'BAD_USER_INPUT',
      field: first ? (first.row !== undefined ? `rows[${first.row}].${first.feature}` : first.feature) : 'features',
      errors: errors.slice(0, 50).map((e) => ({ row: e.row ?? null, feature: e.feature, code: e.code, message: e.message })),
    },
  });
}

export interface InferenceEngine {
  models: Map<StoredModelName, EngineModel>;
  get(name: StoredModelName): EngineModel;
  /** Predicts rows of one model in one session.run. Throws ModelInputError (validation) or Error. */
  run(
    name: StoredModelName,
    rows: FeatureRow[],
    opts?: { explain?: ExplainMode; validate?: boolean; adjust?: (RowAdjustment | undefined)[]; salt?: (string | undefined)[]; source?: string },
  ): Promise<InferenceResult[]>;
}

export function createInferenceEngine(models: Map<StoredModelName, EngineModel>, metrics: Metrics): InferenceEngine {
  const latency = metrics.histogram(
    'model_inference_seconds',
    'ONNX inference latency per call (one session.run), by model and batch-size bucket',
    ['model', 'batch'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  const predictions = metrics.counter('predictions_total', 'Predictions made, by model and source (api | pipeline)', ['model', 'source']);
  const phiBuf = new Map<StoredModelName, Float64Array>();

  const engine: InferenceEngine = {
    models,
    get(name) {
      const m = models.get(name);
      if (!m) {
        throw new GraphQLError(`model ${name} is not available (loaded: ${[...models.keys()].join(', ') || 'none'}); train it with npm run train -w models`, {
          extensions: { code: 'MODEL_UNAVAILABLE', field: 'model' },
        });
      }
      return m;
    },

    async run(name, rows, opts = {}) {
      const m = engine.get(name);
      const explain = opts.explain ?? 'path';
      if (rows.length === 0) return [];
      const t0 = performance.now();
      const preds = await m.lib.predictBatch(rows, undefined, { validate: opts.validate ?? true });
      latency.observe({ model: m.stored, batch: batchBucket(rows.length) }, (performance.now() - t0) / 1000);
      predictions.inc({ model: m.stored, source: opts.source ?? 'api' }, rows.length);
      const F = m.featureNames.length;
      const x = new Float32Array(F);
      let phi = phiBuf.get(name);
      if (!phi) phiBuf.set(name, (phi = new Float64Array(F)));
      const out: InferenceResult[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        const adj = opts.adjust?.[i];
        const scale = adj?.scale ?? 1;
        const p = preds[i]!;
        let contributions: Contribution[] = [];
        let method: InferenceResult['contributionMethod'] = 'none';
        if (explain === 'exact') {
          const e = m.lib.explainFull(row);
          // The library evaluates the trees in TypeScript; rescale so Σ = ONNX prediction − expected exactly.
          const target = p.co2eKg - e.expectedKg;
          const sum = e.contributions.reduce((a, c) => a + c.contribution, 0);
          const k = Math.abs(sum) > 1e-12 ? target / sum : 1;
          contributions = e.contributions.map((c) => ({ feature: c.feature, value: c.value, contributionKg: c.contribution * k * scale }));
          method = 'treeshap';
        } else if (explain === 'path') {
          for (let j = 0; j < F; j++) x[j] = row[m.featureNames[j]!]!;
          m.path.phi(x, phi);
          if (m.offsetIndex >= 0) phi[m.offsetIndex]! += Math.log(x[m.offsetIndex]!) - m.offsetMeanLog;
          // Log-scale φ → kg with the logarithmic mean, normalised so Σ = prediction − expectedKg exactly.
          const rawOut = Math.log(Math.max(p.co2eKg, 1e-12));
          const dl = rawOut - m.expectedRaw;
          let s = 0;
          for (let j = 0; j < F; j++) s += phi[j]!;
          const L = Math.abs(dl) < 1e-12 ? p.co2eKg : (p.co2eKg - m.expectedKg) / dl;
          const norm = Math.abs(s) > 1e-12 ? dl / s : 1;
          contributions = m.featureNames.map((feature, j) => ({ feature, value: row[feature]!, contributionKg: phi![j]! * norm * L * scale }));
          contributions.sort((a, b) => Math.abs(b.contributionKg) - Math.abs(a.contributionKg));
          method = 'saabas-path';
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
          inputHash: inputHash(m, row, opts.salt?.[i]),
          features: row,
          co2eKg,
          lowerKg,
          upperKg,
          confidence: Math.round(confidence * 10000) / 10000,
          expectedKg: m.expectedKg * scale,
          contributions,
          contributionMethod: method,
          defaulted,
          clamped,
        };
      }
      return out;
    },
  };
  return engine;
}

export { ModelInputError };
