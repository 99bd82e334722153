// Runtime of the offline-trained gap-fill regression (models/src/gapfill, artifact models/artifacts/gapfill.json).
// The artifact carries its feature spec, coefficients, residual spread and examples; `verifyArtifact` checks this
// implementation reproduces the examples (run at plugin start, so a drifted artifact fails loudly).
import fs from 'node:fs';
import { HOUR_MS } from './completeness.ts';

export interface GapfillSpec {
  hodHarmonics: number;
  dowHarmonics: number;
}

export interface GapfillInput {
  hour: number;
  /** Mean kg CO2e per active hour over the trailing 168 h (real data only). */
  level: number;
  prevRatio: number | null;
  nextRatio: number | null;
  profileRatio: number | null;
  /** Linear interpolation between the nearest real hours within 6 h before/after, ÷ level (one side: that side). */
  interpRatio: number | null;
}

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
  if (a.coefficients.length !== n) throw new Error(`gap-fill artifact: ${a.coefficients.length} coefficients, spec needs ${n}`);
  return a;
}

export function features(x: GapfillInput, spec: GapfillSpec): number[] {
  const d = new Date(x.hour);
  const hod = d.getUTCHours();
  const dow = d.getUTCDay();
  const f = [1];
  for (let k = 1; k <= spec.hodHarmonics; k++) f.push(Math.sin((2 * Math.PI * k * hod) / 24), Math.cos((2 * Math.PI * k * hod) / 24));
  for (let k = 1; k <= spec.dowHarmonics; k++) f.push(Math.sin((2 * Math.PI * k * dow) / 7), Math.cos((2 * Math.PI * k * dow) / 7));
  const profile = x.profileRatio ?? 1;
  f.push(x.prevRatio ?? profile, x.nextRatio ?? profile, profile, x.prevRatio == null ? 1 : 0, x.nextRatio == null ? 1 : 0, x.profileRatio == null ? 1 : 0);
  f.push(x.interpRatio ?? profile, x.interpRatio == null ? 1 : 0);
  return f;
}

/** kg CO2e for the hour and a 0–1 confidence: 1 / (1 + σ / predicted ratio). */
export function predictFill(a: GapfillArtifact, x: GapfillInput): { co2eKg: number; confidence: number } {
  const f = features(x, a.spec);
  let s = 0;
  for (let i = 0; i < f.length; i++) s += a.coefficients[i] * f[i];
  const ratio = Math.max(0.05, s);
  return { co2eKg: x.level * ratio, confidence: Math.min(0.99, Math.max(0.01, 1 / (1 + a.residualStd / ratio))) };
}

export function verifyArtifact(a: GapfillArtifact, tolerance = 1e-3): void {
  for (const [i, ex] of a.examples.entries()) {
    const got = predictFill(a, ex.input);
    if (Math.abs(got.co2eKg - ex.expected.co2eKg) > tolerance * Math.max(1, Math.abs(ex.expected.co2eKg))) {
      throw new Error(`gap-fill artifact example ${i}: runtime predicts ${got.co2eKg}, artifact says ${ex.expected.co2eKg}`);
    }
  }
}

export const modelId = (a: GapfillArtifact) => `${a.name}@${a.version}`;

/**
 * Model input for an hour from the supplier's real hourly kg CO2e (`real(hour)` = null when the hour has no real data):
 * level over the trailing 168 h, profile over the trailing 14 days at the same hour of day, adjacent hours' ratios,
 * interpolation of the nearest real hours within 6 h.
 */
export function contextOf(hour: number, real: (hour: number) => number | null): GapfillInput | null {
  let sum = 0;
  let n = 0;
  for (let t = hour - 168 * HOUR_MS; t < hour; t += HOUR_MS) {
    const v = real(t);
    if (v != null && v > 0) {
      sum += v;
      n++;
    }
  }
  if (n === 0) return null;
  const level = sum / n;
  let ps = 0;
  let pn = 0;
  for (let d = 1; d <= 14; d++) {
    const v = real(hour - d * 24 * HOUR_MS);
    if (v != null && v > 0) {
      ps += v / level;
      pn++;
    }
  }
  const ratio = (t: number) => {
    const v = real(t);
    return v != null && v > 0 ? v / level : null;
  };
  const nearest = (dir: number): [number, number] | null => {
    for (let k = 1; k <= 6; k++) {
      const r = ratio(hour + dir * k * HOUR_MS);
      if (r != null) return [k, r];
    }
    return null;
  };
  const a = nearest(-1);
  const b = nearest(1);
  const interpRatio = a && b ? a[1] + ((b[1] - a[1]) * a[0]) / (a[0] + b[0]) : (a?.[1] ?? b?.[1] ?? null);
  return { hour, level, prevRatio: ratio(hour - HOUR_MS), nextRatio: ratio(hour + HOUR_MS), profileRatio: pn ? ps / pn : null, interpRatio };
}
