import type { FeatureSpec } from './synth/types.js';
import type { GbtParams } from './train/gbt.js';
import type { IntervalParams } from './train/interval.js';
import type { OffsetSpec } from './train/offset.js';

export interface HeldOutMetrics {
  rows: number;
  /** kg CO2e */
  mae: number;
  /** fraction (0.035 = 3.5 %) */
  mape: number;
  rmse: number;
  medianApe: number;
  p90Ape: number;
  /** MAPE against the noise-free physics value (how close the model is to the ground truth). */
  mapeVsPhysics: number;
  baselineMae: number;
  baselineMape: number;
  /** baselineMae / mae */
  maeImprovement: number;
  /** share of held-out actuals inside the 80 % interval */
  intervalCoverage: number;
  /** mean (upper − lower) / prediction */
  intervalMeanRelWidth: number;
}

export interface ModelCard {
  name: string;
  version: string;
  description: string;
  targetUnit: 'kg CO2e';
  boundary: string;
  features: FeatureSpec[];
  onnx: {
    file: string;
    bytes: number;
    sha256: string;
    input: 'features';
    output: 'co2e_kg';
    irVersion: 8;
    opset: 13;
    mlOpset: 3;
    trees: number;
    nodes: number;
  };
  model: {
    type: 'gradient-boosted regression trees (squared loss, histogram splits)';
    /** What the trees predict. */
    rawTarget: string;
    transform: 'exp' | 'identity';
    offsetFeature: string | null;
    /** The offset in general form (exposure or sum of products with its reference point); absent on old cards. */
    offset?: OffsetSpec | null;
    params: GbtParams;
  };
  training: {
    generator: string;
    generatorDescription: string;
    noiseSigma: number;
    seed: number;
    rows: number;
    calibrationSeed: number;
    calibrationRows: number;
    testSeed: number;
    testRows: number;
    trainSeconds: number;
  };
  baseline: { description: string };
  metrics: { heldOut: HeldOutMetrics };
  interval: Omit<IntervalParams, 'binUpperLog'> & { binUpperLog: (number | null)[]; description: string };
  explain: {
    treesFile: string;
    method: string;
    /** E[raw output] over the training distribution, including the offset term. */
    expectedRaw: number;
    /** ln(offset(reference)): for an exposure the mean of ln(feature) over the training rows (0 without offset). */
    offsetMeanLog: number;
    reporting: string;
  };
}
