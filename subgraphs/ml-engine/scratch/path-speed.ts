import { loadAllModels } from '../src/models-adapter.ts';
const { models } = await loadAllModels();
const m = models.get('logistics')!;
const F = m.featureNames.length;
const N = 1000;
const X = new Float32Array(N * F);
for (let i = 0; i < N; i++) { X.set([300, 10000, 70, 0.5, 2, 10, 0, 0.1, 1, 0.281], i * F); X[i*F] = 10 + i; }
const phi = new Float64Array(F);
for (let rep = 0; rep < 3; rep++) {
  let t = performance.now();
  for (let i = 0; i < N; i++) m.path.phi(X, phi, i * F);
  console.log('path phi µs/row', ((performance.now() - t) * 1000) / N);
}
let t = performance.now();
await m.lib.predictBatch(X, N, { validate: false });
console.log('onnx 1000 ms', performance.now() - t);
