import { describe, expect, it } from 'vitest';
import { TreeExplainer } from '../src/explain/treeshap.js';
import { loadModel } from '../src/index.js';
import { generate } from '../src/synth/dataset.js';
import { GENERATORS } from '../src/synth/index.js';
import { predictRaw, trainGbt, type TreeJson } from '../src/train/gbt.js';
import { fresh } from './helpers.js';

describe('TreeSHAP', () => {
  it.each(['logistics', 'factory', 'warehouse', 'lastmile'])(
    '%s: expected value + Σ contributions = model output (1e-6 rel)',
    async (name) => {
      const model = await loadModel(name);
      const { rows } = fresh(GENERATORS[name]!, 40, 31337);
      for (const r of rows) {
        const e = model.explainFull(r);
        const pred = model.predictLocal(r);
        const sumLog = e.contributions.reduce((a, c) => a + c.logContribution, 0);
        expect(Math.abs(e.expectedRaw + sumLog - Math.log(pred)) / Math.abs(Math.log(pred))).toBeLessThan(1e-6);
        const sumKg = e.contributions.reduce((a, c) => a + c.contribution, 0);
        expect(Math.abs(e.expectedKg + sumKg - pred) / pred).toBeLessThan(1e-6);
        expect(e.contributions.map((c) => c.feature).sort()).toEqual(model.featureNames.slice().sort());
      }
    },
  );

  it('matches brute-force Shapley values of the path-dependent conditional expectation', () => {
    const gen = GENERATORS.logistics!;
    const ds = generate(gen, 3000, 4242);
    const F = ds.features.length;
    const ens = trainGbt(
      ds.X,
      Float64Array.from(ds.y, Math.log),
      ds.n,
      F,
      {
        nTrees: 4,
        maxDepth: 4,
        learningRate: 0.3,
        minChildWeight: 5,
        lambda: 1,
        gamma: 0,
        subsample: 1,
        colsample: 1,
        maxBins: 64,
        seed: 3,
      },
      ds.features.map((f) => f.name),
      'exp',
    );
    const condExp = (t: TreeJson, x: Float32Array, S: Set<number>, node = 0): number => {
      const f = t.feature[node]!;
      if (f < 0) return t.value[node]!;
      if (S.has(f)) return condExp(t, x, S, x[f]! <= t.threshold[node]! ? t.left[node]! : t.right[node]!);
      const l = t.left[node]!;
      const r = t.right[node]!;
      return (t.cover[l]! * condExp(t, x, S, l) + t.cover[r]! * condExp(t, x, S, r)) / t.cover[node]!;
    };
    const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
    const explainer = new TreeExplainer(ens);
    for (const i of [0, 17, 123]) {
      const x = ds.X.subarray(i * F, (i + 1) * F);
      const brute = new Float64Array(F);
      for (const t of ens.trees) {
        for (let j = 0; j < F; j++) {
          for (let mask = 0; mask < 1 << F; mask++) {
            if (mask & (1 << j)) continue;
            const S = new Set<number>();
            for (let k = 0; k < F; k++) if (mask & (1 << k)) S.add(k);
            const w = (fact(S.size) * fact(F - S.size - 1)) / fact(F);
            const S2 = new Set(S).add(j);
            brute[j]! += w * (condExp(t, x, S2) - condExp(t, x, S));
          }
        }
      }
      const { phi, expectedValue } = explainer.shap(x);
      for (let j = 0; j < F; j++) expect(phi[j]!).toBeCloseTo(brute[j]!, 9);
      expect(expectedValue + phi.reduce((a, b) => a + b, 0)).toBeCloseTo(predictRaw(ens, x), 9);
    }
  });

  it('attributes a refrigerated leg more kg to `refrigerated` than a non-refrigerated twin', async () => {
    const model = await loadModel('logistics');
    const base = {
      distance_km: 300,
      load_kg: 8000,
      speed_kmh: 70,
      gradient_pct: 0.5,
      stops_per_100km: 2,
      idle_min: 20,
      refrigerated: 0,
      empty_share: 0.1,
      vehicle_class: 0,
      grid_factor_kg_per_kwh: 0.177,
    };
    const cold = model.explain({ ...base, refrigerated: 1 }).find((c) => c.feature === 'refrigerated')!;
    const warm = model.explain(base).find((c) => c.feature === 'refrigerated')!;
    expect(cold.contribution).toBeGreaterThan(0);
    expect(cold.contribution).toBeGreaterThan(warm.contribution);
  });
});
