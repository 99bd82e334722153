// Builds the model input of one hour from a supplier's hourly real series (same rules as the plugin at runtime).
import type { GapfillInput } from './features.ts';

const H = 3_600_000;

/**
 * `real(hour)` returns real kg CO2e of an hour or null when the hour has no real data (missing or inactive).
 * level = mean over hours with real data in the trailing 168 h; profile = mean ratio at the same hour of day
 * over the trailing 14 days; prev/next = the adjacent hours' ratios.
 */
export function contextOf(hour: number, real: (hour: number) => number | null): GapfillInput | null {
  let sum = 0;
  let n = 0;
  for (let t = hour - 168 * H; t < hour; t += H) {
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
    const v = real(hour - d * 24 * H);
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
      const r = ratio(hour + dir * k * H);
      if (r != null) return [k, r];
    }
    return null;
  };
  const a = nearest(-1);
  const b = nearest(1);
  const interpRatio = a && b ? a[1] + ((b[1] - a[1]) * a[0]) / (a[0] + b[0]) : (a?.[1] ?? b?.[1] ?? null);
  return {
    hour,
    level,
    prevRatio: ratio(hour - H),
    nextRatio: ratio(hour + H),
    profileRatio: pn ? ps / pn : null,
    interpRatio,
  };
}
