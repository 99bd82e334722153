import { logistics } from '../src/synth/logistics.js';
import { generate } from '../src/synth/dataset.js';
import { trainGbt, predictRaw } from '../src/train/gbt.js';
import { TreeExplainer } from '../src/explain/treeshap.js';
const tr = generate(logistics, 5000, 1);
const F = tr.features.length;
const ly = Float64Array.from(tr.y, (v)=>Math.log(v));
const ens = trainGbt(tr.X, ly, tr.n, F, { nTrees: 50, maxDepth: 5, learningRate: 0.1, minChildWeight: 5, lambda: 1, gamma: 0, subsample: 0.8, colsample: 1, maxBins: 255, seed: 1 }, tr.features.map(f=>f.name), 'exp');
const ex = new TreeExplainer(ens);
let maxErr=0;
for (let i=0;i<200;i++){ const x=tr.X.subarray(i*F,(i+1)*F); const r=ex.shap(x); const s=r.expectedValue+r.phi.reduce((a,b)=>a+b,0); const raw=predictRaw(ens,x); maxErr=Math.max(maxErr, Math.abs(s-raw)/Math.abs(raw)); }
console.log('max rel err', maxErr);
// brute-force check vs exact Shapley with path-dependent conditional expectation on a small tree ensemble
function condExp(t:any, x:any, S:Set<number>, node=0):number{ if(t.feature[node]<0) return t.value[node]; const f=t.feature[node]; if(S.has(f)) return condExp(t,x,S, Math.fround(x[f])<=t.threshold[node]?t.left[node]:t.right[node]); const l=t.left[node], r=t.right[node]; return (t.cover[l]*condExp(t,x,S,l)+t.cover[r]*condExp(t,x,S,r))/t.cover[node]; }
const fact=(n:number):number=>n<=1?1:n*fact(n-1);
const x=tr.X.subarray(7*F,8*F); const phiB=new Float64Array(F);
for (const t of ens.trees.slice(0,5)) { for (let i=0;i<F;i++){ for (let mask=0; mask<(1<<F); mask++){ if(mask&(1<<i)) continue; const S=new Set<number>(); for(let j=0;j<F;j++) if(mask&(1<<j)) S.add(j); const s=S.size; const w=fact(s)*fact(F-s-1)/fact(F); const S2=new Set(S); S2.add(i); phiB[i]+=w*(condExp(t,x,S2)-condExp(t,x,S)); } } }
const ens5={...ens, trees: ens.trees.slice(0,5)}; const r5=new TreeExplainer(ens5).shap(x);
console.log('brute', Array.from(phiB).map(v=>v.toFixed(6)).join(','), '\nshap ', Array.from(r5.phi).map(v=>v.toFixed(6)).join(','));
