import { logistics } from '../src/synth/logistics.js';
import { generate } from '../src/synth/dataset.js';
import { trainGbt, predictRaw, countNodes } from '../src/train/gbt.js';
const N = +(process.argv[6]??80000);
const tr = generate(logistics, N, 1);
const te = generate(logistics, 20000, 2);
const F = tr.features.length;
const ly = Float64Array.from(tr.y, (v,i)=>Math.log(v) - Math.log(tr.X[i*F]));
const t0 = Date.now();
const ens = trainGbt(tr.X, ly, tr.n, F, { nTrees: +(process.argv[2]??400), maxDepth: +(process.argv[3]??6), learningRate: +(process.argv[4]??0.1), minChildWeight: +(process.argv[5]??20), lambda: 1, gamma: 0, subsample: 0.8, colsample: 1, maxBins: 255, seed: 1 }, tr.features.map(f=>f.name), 'exp');
console.log('train s', (Date.now()-t0)/1000, 'nodes', countNodes(ens));
let mape=0, mapeT=0;
for (let i=0;i<te.n;i++){ const x = te.X.subarray(i*F,(i+1)*F); const p = Math.exp(predictRaw(ens,x)+Math.log(x[0])); mape+=Math.abs(p-te.y[i])/te.y[i]; mapeT+=Math.abs(p-te.yTrue[i])/te.yTrue[i]; }
console.log('MAPE', mape/te.n, 'MAPE vs true', mapeT/te.n);
