// When does a window count? The seed's rule (predicted > baseline × multiplier) says how far above; these two say
// whether the window holds enough evidence for that to mean something:
//  - at least `minEvents` events: an hour with one or two trips measures those trips, not the supplier;
//  - an excess of at least `noiseSigmas` robust standard deviations of the window's baseline: hours of this
//    entity at this time of week vary by that much without anything being wrong.
import type { Evidence } from '../domain/severity.ts';
import type { HourBaseline } from '../baselines/statistics.ts';

export function isSignificant(window: { kg: number; events: number }, baseline: HourBaseline, evidence: Evidence): boolean {
  if (window.events < evidence.minEvents) return false;
  return window.kg - baseline.value >= evidence.noiseSigmas * baseline.spread;
}

