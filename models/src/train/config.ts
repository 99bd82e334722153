import { NATURAL_GAS_KG_PER_M3 } from '../synth/constants.js';
import { factory, OFF_SHIFT_BASE_SHARE } from '../synth/factory.js';
import { lastmile } from '../synth/lastmile.js';
import { logistics } from '../synth/logistics.js';
import type { Generator } from '../synth/types.js';
import { warehouse } from '../synth/warehouse.js';
import type { GbtParams } from './gbt.js';
import type { OffsetTerm } from './offset.js';
import { DEFAULT_PARAMS } from './gbt.js';

export interface ModelConfig {
  name: string;
  version: string;
  generator: Generator;
  /** Exposure feature: the model learns ln(kg / feature) and the ONNX graph adds ln(feature) back. */
  offsetFeature?: string;
  /** Or a physics-informed offset Σ coef·Πfeatures + constant (see train/offset.ts). */
  offsetTerms?: { constant: number; terms: OffsetTerm[] };
  nTrain: number;
  nCalibration: number;
  nTest: number;
  seeds: { train: number; calibration: number; test: number };
  params: GbtParams;
}

export const MODEL_CONFIGS: ModelConfig[] = [
  {
    name: 'logistics',
    version: '2.0.0',
    generator: logistics,
    offsetFeature: 'distance_km',
    nTrain: 200_000,
    nCalibration: 20_000,
    nTest: 20_000,
    seeds: { train: 1001, calibration: 2001, test: 3001 },
    params: {
      ...DEFAULT_PARAMS,
      nTrees: 600,
      maxDepth: 6,
      learningRate: 0.1,
      minChildWeight: 50,
      subsample: 0.8,
      seed: 11,
    },
  },
  {
    name: 'factory',
    version: '2.0.0',
    generator: factory,
    // the structural part the trees need not learn: production electricity, gas, base load at the off-shift share
    // of a two-shift day (1 kg keeps ln() finite on an idle day with no gas)
    offsetTerms: {
      constant: 1,
      terms: [
        { coef: 1, features: ['production_units', 'kwh_per_unit', 'grid_factor_kg_per_kwh'] },
        { coef: NATURAL_GAS_KG_PER_M3, features: ['gas_m3'] },
        { coef: OFF_SHIFT_BASE_SHARE * 8, features: ['base_load_kw', 'grid_factor_kg_per_kwh'] },
      ],
    },
    nTrain: 120_000,
    nCalibration: 10_000,
    nTest: 10_000,
    seeds: { train: 1002, calibration: 2002, test: 3002 },
    params: {
      ...DEFAULT_PARAMS,
      nTrees: 500,
      maxDepth: 6,
      learningRate: 0.1,
      minChildWeight: 30,
      subsample: 0.8,
      seed: 12,
    },
  },
  {
    name: 'warehouse',
    version: '2.0.0',
    generator: warehouse,
    offsetFeature: 'area_m2',
    nTrain: 60_000,
    nCalibration: 10_000,
    nTest: 10_000,
    seeds: { train: 1003, calibration: 2003, test: 3003 },
    params: {
      ...DEFAULT_PARAMS,
      nTrees: 400,
      maxDepth: 6,
      learningRate: 0.1,
      minChildWeight: 30,
      subsample: 0.8,
      seed: 13,
    },
  },
  {
    name: 'lastmile',
    version: '2.0.0',
    generator: lastmile,
    offsetFeature: 'distance_km',
    nTrain: 60_000,
    nCalibration: 10_000,
    nTest: 10_000,
    seeds: { train: 1004, calibration: 2004, test: 3004 },
    params: {
      ...DEFAULT_PARAMS,
      nTrees: 250,
      maxDepth: 6,
      learningRate: 0.1,
      minChildWeight: 30,
      subsample: 0.8,
      seed: 14,
    },
  },
];

/** Seed-derived series used for the forecast section of the report. */
export const FORECAST_EVAL = { seeds: Array.from({ length: 20 }, (_, i) => 5000 + i), weeks: 8, folds: 4 };
