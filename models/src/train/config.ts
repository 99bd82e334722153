import { factory } from '../synth/factory.js';
import { lastmile } from '../synth/lastmile.js';
import { logistics } from '../synth/logistics.js';
import type { Generator } from '../synth/types.js';
import { warehouse } from '../synth/warehouse.js';
import type { GbtParams } from './gbt.js';
import { DEFAULT_PARAMS } from './gbt.js';

export interface ModelConfig {
  name: string;
  version: string;
  generator: Generator;
  /** Exposure feature: the model learns ln(kg / feature) and the ONNX graph adds ln(feature) back. */
  offsetFeature?: string;
  nTrain: number;
  nCalibration: number;
  nTest: number;
  seeds: { train: number; calibration: number; test: number };
  params: GbtParams;
}

export const MODEL_CONFIGS: ModelConfig[] = [
  {
    name: 'logistics',
    version: '1.0.0',
    generator: logistics,
    offsetFeature: 'distance_km',
    nTrain: 200_000,
    nCalibration: 20_000,
    nTest: 20_000,
    seeds: { train: 1001, calibration: 2001, test: 3001 },
    params: { ...DEFAULT_PARAMS, nTrees: 600, maxDepth: 6, learningRate: 0.1, minChildWeight: 50, subsample: 0.8, seed: 11 },
  },
  {
    name: 'factory',
    version: '1.0.0',
    generator: factory,
    nTrain: 120_000,
    nCalibration: 10_000,
    nTest: 10_000,
    seeds: { train: 1002, calibration: 2002, test: 3002 },
    params: { ...DEFAULT_PARAMS, nTrees: 500, maxDepth: 6, learningRate: 0.1, minChildWeight: 30, subsample: 0.8, seed: 12 },
  },
  {
    name: 'warehouse',
    version: '1.0.0',
    generator: warehouse,
    offsetFeature: 'area_m2',
    nTrain: 60_000,
    nCalibration: 10_000,
    nTest: 10_000,
    seeds: { train: 1003, calibration: 2003, test: 3003 },
    params: { ...DEFAULT_PARAMS, nTrees: 400, maxDepth: 6, learningRate: 0.1, minChildWeight: 30, subsample: 0.8, seed: 13 },
  },
  {
    name: 'lastmile',
    version: '1.0.0',
    generator: lastmile,
    offsetFeature: 'distance_km',
    nTrain: 60_000,
    nCalibration: 10_000,
    nTest: 10_000,
    seeds: { train: 1004, calibration: 2004, test: 3004 },
    params: { ...DEFAULT_PARAMS, nTrees: 250, maxDepth: 6, learningRate: 0.1, minChildWeight: 30, subsample: 0.8, seed: 14 },
  },
];

/** Seed-derived series used for the forecast section of the report. */
export const FORECAST_EVAL = { seeds: Array.from({ length: 20 }, (_, i) => 5000 + i), weeks: 8, folds: 4 };
