import { logistics } from '../src/synth/logistics.js';
import { generate } from '../src/synth/dataset.js';
import { trainGbt, predictMatrix, countNodes } from '../src/train/gbt.js';
const tr = generate(logistics, 80000, 1);
const te = generate(logistics, 20000, 2);
let s=0; for (const v of tr.y) s+=v; console.log('mean y', s/tr.n, 'min', Math.min(...tr.y), 'max', Math.max(...tr.y));
const ly = tr.y.map(Math.log);
const t0 = Date.now();
const ens = trainGbt(tr.X, Float64Array.from(ly), tr.n, tr.features.length, { nTrees: +(process.argv[2]??400), maxDepth: +(process.argv[3]??6), learningRate: +(process.argv[4]??0.1), minChildWeight: 20, lambda: 1, gamma: 0, subsample: 0.8, colsample: 1, maxBins: 255, seed: 1 }, tr.features.map(f=>f.name), 'exp');
console.log('train s', (Date.now()-t0)/1000, 'nodes', countNodes(ens));
const p = predictMatrix(ens, te.X, te.n);
let mape=0, mae=0, bmae=0, mapeT=0;
for (let i=0;i<te.n;i++){ mape+=Math.abs(p[i]-te.y[i])/te.y[i]; mapeT+=Math.abs(p[i]-te.yTrue[i])/te.yTrue[i]; mae+=Math.abs(p[i]-te.y[i]);
 const s: any = {}; te.features.forEach((f,j)=>s[f.name]=te.X[i*te.features.length+j]); bmae+=Math.abs(logistics.factorOnlyBaseline(s)-te.y[i]); }
console.log('MAPE', mape/te.n, 'MAPE vs true', mapeT/te.n, 'MAE', mae/te.n, 'baseline MAE', bmae/te.n);
