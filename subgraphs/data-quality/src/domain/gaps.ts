// Gap detection: a supplier-hour where the supplier is active (real data before and after it) and its cadence
// expects events, but no real event arrived. Hours holding a fill are still gaps (already filled).
import { expectedInHour, floorHour, HOUR_MS, type CadenceProfile, type HourCounts } from './completeness.ts';

export interface Gap {
  hour: number;
  expected: number;
  /** A fill already exists for the hour. */
  filled: boolean;
}

export interface GapOptions {
  /** Minimum expected events for a zero-event hour to count as a gap (default 1). */
  minExpected?: number;
}

export function detectGaps(
  byHour: ReadonlyMap<number, HourCounts>,
  profile: CadenceProfile,
  from: number,
  to: number,
  opts: GapOptions = {},
): Gap[] {
  const minExpected = opts.minExpected ?? 1;
  const realHours = [...byHour.values()].filter((c) => c.real > 0).map((c) => c.hour);
  if (!realHours.length) return [];
  const firstReal = Math.min(...realHours);
  const lastReal = Math.max(...realHours);
  const gaps: Gap[] = [];
  // Interior hours only: the supplier sent real data before and after the hour.
  const start = Math.max(floorHour(from), firstReal + HOUR_MS);
  const end = Math.min(to, lastReal);
  for (let h = start; h < end; h += HOUR_MS) {
    const expected = expectedInHour(profile, h);
    if (expected < minExpected) continue;
    const c = byHour.get(h);
    if (c && c.real > 0) continue;
    gaps.push({ hour: h, expected, filled: (c?.predicted ?? 0) > 0 });
  }
  return gaps;
}
