// Gap-fill model features. The data-quality plugin imports this code (`@carbon-nexus/models/gapfill`);
// the artifact ships `examples` (input -> expected output) so both sides are checked to agree.
export interface GapfillSpec {
  hodHarmonics: number;
  dowHarmonics: number;
}

/** Context of one supplier-hour to fill. Ratios are hourly kg CO2e divided by the supplier's recent level. */
export interface GapfillInput {
  /** Hour start, ms since epoch (UTC). */
  hour: number;
  /** Mean kg CO2e per active hour over the trailing 7 days (real data only). */
  level: number;
  /** Previous hour's real kg CO2e / level (null when that hour has no real data). */
  prevRatio: number | null;
  nextRatio: number | null;
  /** Mean ratio at the same hour of day over the trailing 14 days (null without history). */
  profileRatio: number | null;
  /** Linear interpolation between the nearest real hours within 6 h before and after, ÷ level (one side only: that side; null: none). */
  interpRatio: number | null;
}

export function featureNames(spec: GapfillSpec): string[] {
  const names = ['intercept'];
  for (let k = 1; k <= spec.hodHarmonics; k++) names.push(`hod_sin${k}`, `hod_cos${k}`);
  for (let k = 1; k <= spec.dowHarmonics; k++) names.push(`dow_sin${k}`, `dow_cos${k}`);
  names.push(
    'prev_ratio',
    'next_ratio',
    'profile_ratio',
    'prev_missing',
    'next_missing',
    'profile_missing',
    'interp_ratio',
    'interp_missing',
  );
  return names;
}

export function features(x: GapfillInput, spec: GapfillSpec): number[] {
  const d = new Date(x.hour);
  const hod = d.getUTCHours();
  const dow = d.getUTCDay();
  const f = [1];
  for (let k = 1; k <= spec.hodHarmonics; k++)
    f.push(Math.sin((2 * Math.PI * k * hod) / 24), Math.cos((2 * Math.PI * k * hod) / 24));
  for (let k = 1; k <= spec.dowHarmonics; k++)
    f.push(Math.sin((2 * Math.PI * k * dow) / 7), Math.cos((2 * Math.PI * k * dow) / 7));
  const profile = x.profileRatio ?? 1;
  f.push(
    x.prevRatio ?? profile,
    x.nextRatio ?? profile,
    profile,
    x.prevRatio == null ? 1 : 0,
    x.nextRatio == null ? 1 : 0,
    x.profileRatio == null ? 1 : 0,
  );
  f.push(x.interpRatio ?? profile, x.interpRatio == null ? 1 : 0);
  return f;
}

export function predictRatio(coef: readonly number[], x: GapfillInput, spec: GapfillSpec): number {
  const f = features(x, spec);
  let s = 0;
  for (let i = 0; i < f.length; i++) s += coef[i] * f[i];
  return s;
}

/** Fill in kg CO2e and a 0-1 confidence from the residual spread (σ of the ratio on validation). */
export function predictFill(
  coef: readonly number[],
  residualStd: number,
  x: GapfillInput,
  spec: GapfillSpec,
): { co2eKg: number; confidence: number } {
  const ratio = Math.max(0.05, predictRatio(coef, x, spec));
  const confidence = Math.min(0.99, Math.max(0.01, 1 / (1 + residualStd / ratio)));
  return { co2eKg: x.level * ratio, confidence };
}
