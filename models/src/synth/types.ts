export type FeatureKind = 'continuous' | 'integer' | 'binary' | 'categorical';

export interface UnitHint {
  /** value × scale would be in range if the caller used `unit` instead of the expected one. */
  scale: number;
  unit: string;
}

export interface FeatureSpec {
  name: string;
  unit: string;
  min: number;
  max: number;
  description: string;
  kind: FeatureKind;
  /** For categorical features: code → label. */
  categories?: Record<string, string>;
  unitHints?: UnitHint[];
}

export type Sample = Record<string, number>;

export interface Dataset {
  features: FeatureSpec[];
  /** Row-major n × F float32 matrix (float32 so that training sees exactly what ONNX Runtime sees). */
  X: Float32Array;
  /** Target, kg CO2e (noisy observation). */
  y: Float64Array;
  /** Noise-free physics value, kg CO2e. */
  yTrue: Float64Array;
  n: number;
  seed: number;
}

export interface Generator {
  name: string;
  description: string;
  /** Emission boundary of the target. */
  boundary: string;
  /** Multiplicative observation noise (1 σ) applied to the physics value. */
  noiseSigma: number;
  features: FeatureSpec[];
  /** Draw one sample (feature values are float32-representable). */
  sample(r: import('./random.js').Rng): Sample;
  /** Noise-free kg CO2e for a sample. */
  physics(s: Sample): number;
  /** What a REST carbon-factor API returns for the same activity (kg CO2e). */
  factorOnlyBaseline(s: Sample): number;
  /** Human description of the baseline. */
  baselineDescription: string;
}
