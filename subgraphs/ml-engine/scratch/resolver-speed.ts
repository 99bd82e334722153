import * as ort from 'onnxruntime-node';
import path from 'node:path';
import { artifactsDir } from '@carbon-nexus/models';
import { createMetrics } from '@carbon-nexus/plugin-sdk';
import { loadAllModels } from '../src/models-adapter.ts';
import { createInferenceEngine } from '../src/inference.ts';
const { models } = await loadAllModels();
const m = models.get('logistics')!;
const engine = createInferenceEngine(models, createMetrics());
const F = m.featureNames.length, N = 1000;
const X = new Float32Array(N * F);
for (let i = 0; i < N; i++) { X.set([300, 10000, 70, 0.5, 2, 10, 0, 0.1, 1, 0.281], i * F); X[i*F] = 10 + i; }
const session = await ort.InferenceSession.create(path.join(artifactsDir, m.card.onnx.file), { intraOpNumThreads: 1, interOpNumThreads: 1 });
for (let rep = 0; rep < 4; rep++) {
  let t = performance.now();
  for (let k = 0; k < 10; k++) await session.run({ features: new ort.Tensor('float32', X, [N, F]) });
  const raw = (performance.now() - t) / 10;
  t = performance.now();
  for (let k = 0; k < 10; k++) await m.lib.predictBatch(X, N, { validate: false });
  const lib = (performance.now() - t) / 10;
  t = performance.now();
  for (let k = 0; k < 10; k++) await engine.run('logistics', { X, n: N }, { explain: 'none' });
  const eng = (performance.now() - t) / 10;
  console.log(`raw ${raw.toFixed(1)} ms, lib ${lib.toFixed(1)} ms, engine ${eng.toFixed(1)} ms`);
}
