import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { HeldOutMetrics, ModelCard } from '../card.js';
import { expectedTreeValue } from '../explain/treeshap.js';
import { ensembleToOnnx } from '../onnx/export.js';
import { generate, rowToSample } from '../synth/dataset.js';
import type { Dataset } from '../synth/types.js';
import type { ModelConfig } from './config.js';
import { countNodes, normalizeEnsemble, trainGbt, type EnsembleJson } from './gbt.js';
import { fitIntervals, interval, intervalToJson, type IntervalParams } from './interval.js';
import { compileOffset, exposureOffset, type OffsetSpec } from './offset.js';

/** Round leaf values and thresholds to float32 (what ONNX stores) and to ≤ 9 significant digits in JSON. */
export function quantizeEnsemble(ens: EnsembleJson): EnsembleJson {
  const f32 = (v: number) => Number(Math.fround(v).toPrecision(9));
  return {
    ...ens,
    baseValue: f32(ens.baseValue),
    trees: ens.trees.map((t) => ({
      feature: t.feature,
      threshold: t.threshold.map((v, k) => (t.feature[k]! < 0 ? 0 : f32(v))),
      left: t.left,
      right: t.right,
      value: t.value.map((v, k) => (t.feature[k]! < 0 ? f32(v) : 0)),
      cover: t.cover,
    })),
  };
}

export async function onnxPredict(
  session: ort.InferenceSession,
  X: Float32Array,
  n: number,
  F: number,
): Promise<Float64Array> {
  const out = await session.run({ features: new ort.Tensor('float32', X, [n, F]) });
  return Float64Array.from(out.co2e_kg!.data as Float32Array);
}

export function heldOutMetrics(
  cfg: ModelConfig,
  test: Dataset,
  pred: Float64Array,
  iv: IntervalParams,
): HeldOutMetrics {
  const n = test.n;
  let ae = 0;
  let ape = 0;
  let se = 0;
  let apeTrue = 0;
  let bae = 0;
  let bape = 0;
  let cov = 0;
  let width = 0;
  const apes: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = test.y[i]!;
    const p = pred[i]!;
    const b = cfg.generator.factorOnlyBaseline(rowToSample(cfg.generator, test.X, i));
    ae += Math.abs(p - y);
    se += (p - y) ** 2;
    bae += Math.abs(b - y);
    // percentages only where the observation is not ~0 (an idle day makes them meaningless)
    if (y >= 0.5 && test.yTrue[i]! >= 0.5) {
      apes.push(Math.abs(p - y) / y);
      ape += Math.abs(p - y) / y;
      apeTrue += Math.abs(p - test.yTrue[i]!) / test.yTrue[i]!;
      bape += Math.abs(b - y) / y;
    }
    const { lower, upper } = interval(iv, p);
    if (y >= lower && y <= upper) cov++;
    width += (upper - lower) / p;
  }
  apes.sort((a, b) => a - b);
  const m = Math.max(1, apes.length);
  return {
    rows: n,
    mae: ae / n,
    mape: ape / m,
    rmse: Math.sqrt(se / n),
    medianApe: apes[Math.floor(apes.length / 2)] ?? 0,
    p90Ape: apes[Math.floor(apes.length * 0.9)] ?? 0,
    mapeVsPhysics: apeTrue / m,
    baselineMae: bae / n,
    baselineMape: bape / m,
    maeImprovement: bae / ae,
    intervalCoverage: cov / n,
    intervalMeanRelWidth: width / n,
  };
}

export interface TrainResult {
  card: ModelCard;
  ensemble: EnsembleJson;
}

export async function trainModel(
  cfg: ModelConfig,
  artifactsDir: string,
  log: (s: string) => void = () => {},
): Promise<TrainResult> {
  const gen = cfg.generator;
  const F = gen.features.length;
  const names = gen.features.map((f) => f.name);
  const offIdx = cfg.offsetFeature ? names.indexOf(cfg.offsetFeature) : -1;
  if (cfg.offsetFeature && offIdx < 0) throw new Error(`offset feature ${cfg.offsetFeature} not in ${cfg.name}`);

  const train = generate(gen, cfg.nTrain, cfg.seeds.train);
  const cal = generate(gen, cfg.nCalibration, cfg.seeds.calibration);
  const test = generate(gen, cfg.nTest, cfg.seeds.test);

  // offset: ln(exposure) (reference = its mean over the training rows) or a sum of products (reference = medians)
  let spec: OffsetSpec | null = null;
  if (offIdx >= 0) {
    let meanLog = 0;
    for (let i = 0; i < train.n; i++) meanLog += Math.log(train.X[i * F + offIdx]!);
    spec = exposureOffset(cfg.offsetFeature!, meanLog / train.n);
  } else if (cfg.offsetTerms) {
    const reference: Record<string, number> = {};
    for (const f of new Set(cfg.offsetTerms.terms.flatMap((t) => t.features))) {
      const j = names.indexOf(f);
      const col = Float64Array.from({ length: train.n }, (_, i) => train.X[i * F + j]!).sort();
      reference[f] = col[Math.floor(train.n / 2)]!;
    }
    spec = { ...cfg.offsetTerms, reference };
  }
  const offset = spec ? compileOffset(spec, names) : null;
  const offsetMeanLog = offset?.refLog ?? 0;

  // raw target: ln(kg) − ln(offset)
  const z = new Float64Array(train.n);
  for (let i = 0; i < train.n; i++) {
    z[i] = Math.log(Math.max(train.y[i]!, 1e-6)) - (offset ? Math.log(offset.value(train.X, i * F)) : 0);
  }

  const t0 = performance.now();
  const raw = trainGbt(train.X, z, train.n, F, cfg.params, names, 'exp', {
    every: 100,
    onProgress: (t, rmse) => log(`  [${cfg.name}] tree ${t}/${cfg.params.nTrees} train RMSE(ln) ${rmse.toFixed(4)}`),
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  // what ships: float32 thresholds/leaves (JSON with ≤ 9 significant digits, re-normalised to float32 on load)
  const treesJson = JSON.stringify(quantizeEnsemble(raw));
  const ens = normalizeEnsemble(JSON.parse(treesJson) as EnsembleJson);

  const bytes = ensembleToOnnx(ens, {
    offset: offset
      ? {
          constant: spec!.constant,
          terms: spec!.terms.map((t) => ({ coef: t.coef, features: t.features.map((f) => names.indexOf(f)) })),
        }
      : undefined,
    docString: `${cfg.name} ${cfg.version}: ${gen.description}. Output kg CO2e (${gen.boundary}).`,
  });
  mkdirSync(artifactsDir, { recursive: true });
  const onnxFile = `${cfg.name}.onnx`;
  const treesFile = `${cfg.name}.trees.json`;
  writeFileSync(join(artifactsDir, onnxFile), bytes);
  writeFileSync(join(artifactsDir, treesFile), treesJson);

  // metrics and intervals are computed with the shipped ONNX artifact
  const session = await ort.InferenceSession.create(bytes);
  const predCal = await onnxPredict(session, cal.X, cal.n, F);
  const iv = fitIntervals(cal.y, predCal, 0.8, 8);
  const predTest = await onnxPredict(session, test.X, test.n, F);
  const metrics = heldOutMetrics(cfg, test, predTest, iv);
  await session.release();

  const expectedRaw = ens.baseValue + ens.trees.reduce((a, t) => a + expectedTreeValue(t), 0) + offsetMeanLog;
  const card: ModelCard = {
    name: cfg.name,
    version: cfg.version,
    description: gen.description,
    targetUnit: 'kg CO2e',
    boundary: gen.boundary,
    features: gen.features,
    onnx: {
      file: onnxFile,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      input: 'features',
      output: 'co2e_kg',
      irVersion: 8,
      opset: 13,
      mlOpset: 3,
      trees: ens.trees.length,
      nodes: countNodes(ens),
    },
    model: {
      type: 'gradient-boosted regression trees (squared loss, histogram splits)',
      rawTarget: cfg.offsetFeature
        ? `ln(kg CO2e / ${cfg.offsetFeature})`
        : spec
          ? 'ln(kg CO2e / offset)'
          : 'ln(kg CO2e)',
      transform: 'exp',
      offsetFeature: cfg.offsetFeature ?? null,
      offset: spec,
      params: cfg.params,
    },
    training: {
      generator: `src/synth/${cfg.name}.ts`,
      generatorDescription: gen.description,
      noiseSigma: gen.noiseSigma,
      seed: cfg.seeds.train,
      rows: cfg.nTrain,
      calibrationSeed: cfg.seeds.calibration,
      calibrationRows: cfg.nCalibration,
      testSeed: cfg.seeds.test,
      testRows: cfg.nTest,
      trainSeconds: Math.round(trainSeconds * 10) / 10,
    },
    baseline: { description: gen.baselineDescription },
    metrics: { heldOut: metrics },
    interval: {
      ...intervalToJson(iv),
      description:
        'Mondrian split-conformal: quantiles (α/2, 1−α/2 with finite-sample rank ⌈(n+1)q⌉) of ln(y) − ln(ŷ) on a separate calibration set, per equal-count bin of ln(ŷ); interval = ŷ·exp(q).',
    },
    explain: {
      treesFile,
      method: 'exact path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2) on the raw (log) output',
      expectedRaw,
      offsetMeanLog,
      reporting:
        'logContribution: SHAP values of the log-scale output (exact: expectedRaw + Σ logContribution = ln(prediction)); the offset term ln(offset(x)) − ln(offset(reference)) is split over its features with exact Shapley values (one feature: all of it). contribution (kg): logContribution × L(prediction, exp(expectedRaw)) where L(a,b) = (a−b)/(ln a − ln b) is the logarithmic mean, so kg contributions sum exactly to prediction − exp(expectedRaw) and keep the sign and proportions of the log contributions.',
    },
  };
  writeFileSync(join(artifactsDir, `${cfg.name}.json`), JSON.stringify(card, null, 2) + '\n');
  return { card, ensemble: ens };
}
