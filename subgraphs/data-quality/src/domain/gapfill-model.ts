// Runtime of the offline-trained gap-fill regression (models/src/gapfill, artifact models/artifacts/gapfill.json).
// The artifact carries its feature spec, coefficients, residual spread and examples; `verifyArtifact` checks this
// implementation reproduces the examples (run at plugin start, so a drifted artifact fails loudly).
import fs from 'node:fs';
import { predictFill as predictWith, type GapfillInput, type GapfillSpec } from '@carbon-nexus/models/gapfill';

export { contextOf, features } from '@carbon-nexus/models/gapfill';
export type { GapfillInput, GapfillSpec };

export interface GapfillArtifact {
  name: string;
  version: string;
  spec: GapfillSpec;
  features: string[];
  coefficients: number[];
  residualStd: number;
  metrics: Record<string, number>;
  examples: { input: GapfillInput; expected: { co2eKg: number; confidence: number } }[];
}

export const DEFAULT_ARTIFACT = new URL('../../../../models/artifacts/gapfill.json', import.meta.url);

export function loadArtifact(path: string | URL = DEFAULT_ARTIFACT): GapfillArtifact {
  const a = JSON.parse(fs.readFileSync(path, 'utf8')) as GapfillArtifact;
  if (!Array.isArray(a.coefficients) || !a.spec || typeof a.version !== 'string') {
    throw new Error(`gap-fill artifact ${String(path)} lacks coefficients/spec/version`);
  }
  const n = 1 + 2 * a.spec.hodHarmonics + 2 * a.spec.dowHarmonics + 8;
  if (a.coefficients.length !== n)
    throw new Error(`gap-fill artifact: ${a.coefficients.length} coefficients, spec needs ${n}`);
  return a;
}

/** kg CO2e for the hour and a 0–1 confidence: 1 / (1 + σ / predicted ratio). */
export function predictFill(a: GapfillArtifact, x: GapfillInput): { co2eKg: number; confidence: number } {
  return predictWith(a.coefficients, a.residualStd, x, a.spec);
}

export function verifyArtifact(a: GapfillArtifact, tolerance = 1e-3): void {
  for (const [i, ex] of a.examples.entries()) {
    const got = predictFill(a, ex.input);
    if (Math.abs(got.co2eKg - ex.expected.co2eKg) > tolerance * Math.max(1, Math.abs(ex.expected.co2eKg))) {
      throw new Error(
        `gap-fill artifact example ${i}: runtime predicts ${got.co2eKg}, artifact says ${ex.expected.co2eKg}`,
      );
    }
  }
}

export const modelId = (a: GapfillArtifact) => `${a.name}@${a.version}`;
