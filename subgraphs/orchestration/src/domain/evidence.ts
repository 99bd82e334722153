// When does a window count? The seed's rule (predicted > baseline × multiplier) says how far above; these say whether
// the window holds enough evidence for that to mean something:
//  - at least `minEvents` events: an hour with one or two trips measures those trips, not the supplier;
//  - an excess beyond the baseline's own noise: `noiseSigmas` robust standard deviations, judged on the square-root
//    scale. Sums of a few events are right-skewed (a quiet hour doubles more easily than it halves), and on the
//    square-root scale they are close to symmetric with a steady spread (Anscombe): √kg − √baseline ≥ k · spread /
//    (2√baseline), i.e. excess ≥ k·spread + (k·spread)² / (4·baseline). The second term is what a plain k-sigma bar
//    misses for sparse windows;
//  - or, when the window (with its minimum events) falls short of the noise bar alone, the same test over the last
//    `evidenceHours` ending with it (a sustained excess: three hours at +150 % are far stronger evidence than one),
//    provided that longer span is itself above the lowest threshold.
import type { Evidence } from './severity.ts';
import type { HourBaseline } from './baseline-statistics.ts';

/** The excess (kg) a window needs over its baseline to count. */
export function noiseBar(baseline: HourBaseline, noiseSigmas: number): number {
  const ks = noiseSigmas * baseline.spread;
  return baseline.value > 0 ? ks + (ks * ks) / (4 * baseline.value) : ks;
}

export function isSignificant(
  window: { kg: number; events: number },
  baseline: HourBaseline,
  evidence: Evidence,
): boolean {
  if (window.events < evidence.minEvents) return false;
  return window.kg - baseline.value >= noiseBar(baseline, evidence.noiseSigmas);
}

/** The longer span's test: significant and at least `minPercent` above its own baseline. */
export function isSustained(
  span: { kg: number; events: number },
  baseline: HourBaseline,
  evidence: Evidence,
  minPercent: number,
): boolean {
  if (!(baseline.value > 0)) return false;
  return ((span.kg - baseline.value) / baseline.value) * 100 >= minPercent && isSignificant(span, baseline, evidence);
}
