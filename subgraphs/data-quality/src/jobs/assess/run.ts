// What every step of one assessQuality run shares: its services and state, its hour bounds and the hourly counts.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import type { Config } from '../../config.ts';
import type { State } from '../../state.ts';
import { DAY_MS, floorHour, HOUR_MS, type HourCounts } from '../../domain/completeness.ts';

export interface RunResult {
  from: string;
  to: string;
  suppliersAssessed: number;
  windowsWritten: number;
  outliersFlagged: number;
  gapsDetected: number;
  gapsFilled: number;
  fillsSuperseded: number;
  model: string;
}

/** Hour bounds of one run (ms). */
export interface RunWindow {
  /** The assessed hours, [from, to). */
  from: number;
  to: number;
  /** Cadence is learned from [learnFrom, to). */
  learnFrom: number;
  /** The one emissionsSeries read, [seriesFrom, seriesTo). */
  seriesFrom: number;
  seriesTo: number;
}

export interface Run {
  services: PluginServices<Config>;
  state: State;
  window: RunWindow;
  /** The run's clock (ms): learned_at, and the cap on the window. */
  now: number;
}

/** Hourly counts: supplier id → hour start (ms) → counts. Gap fills accepted during the run are added to it. */
export type SupplierHours = Map<string, Map<number, HourCounts>>;

export function runWindow(fromIn: number, toIn: number, now: number, cadenceDays: number): RunWindow {
  const from = floorHour(fromIn);
  // Whole hours only, and never the hour still in progress.
  const to = Math.min(Math.ceil(toIn / HOUR_MS) * HOUR_MS, floorHour(now));
  const learnFrom = to - cadenceDays * DAY_MS;
  return {
    from,
    to,
    learnFrom,
    // History for the gap-fill context (trailing 168 h level, 14-day profile) and cadence learning; +1 h for the next-hour ratio.
    seriesFrom: Math.min(from - 14 * DAY_MS, learnFrom),
    seriesTo: Math.min(to + HOUR_MS, floorHour(now)),
  };
}
