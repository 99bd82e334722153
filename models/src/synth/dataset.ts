import { Rng } from './random.js';
import type { Dataset, Generator, Sample } from './types.js';

/** Round every feature to float32 so that physics, training and ONNX inference all see identical inputs. */
export function toFloat32Sample(s: Sample): Sample {
  const out: Sample = {};
  for (const [k, v] of Object.entries(s)) out[k] = Math.fround(v);
  return out;
}

export function generate(gen: Generator, n: number, seed: number): Dataset {
  const r = new Rng(seed);
  const F = gen.features.length;
  const X = new Float32Array(n * F);
  const y = new Float64Array(n);
  const yTrue = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = toFloat32Sample(gen.sample(r));
    for (let j = 0; j < F; j++) X[i * F + j] = s[gen.features[j]!.name]!;
    const p = gen.physics(s);
    yTrue[i] = p;
    y[i] = p * (1 + gen.noiseSigma * r.clippedNormal(3));
  }
  return { features: gen.features, X, y, yTrue, n, seed };
}

export function rowToSample(gen: Pick<Generator, 'features'>, X: Float32Array, i: number): Sample {
  const F = gen.features.length;
  const s: Sample = {};
  for (let j = 0; j < F; j++) s[gen.features[j]!.name] = X[i * F + j]!;
  return s;
}
