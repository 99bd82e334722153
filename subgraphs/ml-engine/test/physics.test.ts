import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createSubgraphTestkit, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { GENERATORS } from '@carbon-nexus/models';
import { seededRandom } from '@carbon-nexus/plugin-sdk';
import mlEngine from '../src/plugin.ts';

/** The kit's seeded source with the two samplers the synthetic generators add (same sequence as the trainer's Rng). */
function seeded(seed: number) {
  const r = seededRandom(seed);
  return {
    ...r,
    logUniform: (lo: number, hi: number) => Math.exp(r.uniform(Math.log(lo), Math.log(hi))),
    bernoulli: (p: number) => (r.next() < p ? 1 : 0),
  };
}

const PREDICT_BATCH = `query($model: ModelName!, $rows: [[FeatureValueInput!]!]!) { predictBatch(model: $model, rows: $rows, explain: false, persist: false) { co2eKg } }`;

// Through the API on fresh samples (a seed the trainer never used) against the noise-free physics.
describe('predictions through ml-engine follow the physics on fresh samples', () => {
  let kit: SubgraphTestkit;
  beforeAll(async () => {
    kit = await createSubgraphTestkit(mlEngine);
  });
  afterAll(async () => kit?.stop());

  // The factory baseline (units × kWh/unit × grid + gas) misses only the off-shift base load and cooling, so the
  // model's edge over it is smaller there.
  it.each([
    ['LOGISTICS', 'logistics', 0.06, 3],
    ['FACTORY', 'factory', 0.08, 1.5],
    ['WAREHOUSE', 'warehouse', 0.08, 3],
    ['LAST_MILE', 'lastmile', 0.06, 3],
  ] as const)(
    '%s: MAPE vs physics within bound and far below the factor-only baseline',
    async (graph, gen, maxMape, minRatio) => {
      const g = GENERATORS[gen]!;
      const r = seeded(987654);
      const samples = Array.from({ length: 400 }, () => g.sample(r as unknown as Parameters<typeof g.sample>[0]));
      // float32 inputs, as the model sees them
      const rows = samples.map((s) => g.features.map((f) => ({ name: f.name, value: Math.fround(s[f.name]!) })));
      const { predictBatch } = await kit.query(PREDICT_BATCH, { model: graph, rows });
      let ape = 0;
      let ae = 0;
      let baseAe = 0;
      let n = 0;
      samples.forEach((s, i) => {
        const truth = g.physics(s);
        if (!(truth > 0.5)) return; // near-zero days (no production) make percentages meaningless
        ape += Math.abs(predictBatch[i].co2eKg - truth) / truth;
        ae += Math.abs(predictBatch[i].co2eKg - truth);
        baseAe += Math.abs(g.factorOnlyBaseline(s) - truth);
        n++;
      });
      expect(n).toBeGreaterThan(300);
      expect(ape / n).toBeLessThan(maxMape);
      expect(baseAe / ae).toBeGreaterThan(minRatio);
    },
  );
});
