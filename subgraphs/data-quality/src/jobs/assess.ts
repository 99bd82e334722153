// assessQuality: one run over [from, to) — load counts → learn cadence → flag outliers (IQR + DBSCAN, data-core
// flagEvents) → fill gaps (regression, data-core ingestEvents GAP_FILL) → write completeness windows (data_quality)
// → publish quality.updated. Hourly counts come from ONE data-core emissionsSeries call per run (./assess/load.ts).
// Each step is a module under ./assess/; they run in this order because later steps read what earlier ones wrote.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import type { Config } from '../config.ts';
import type { State } from '../state.ts';
import { floorHour, HOUR_MS } from '../domain/completeness.ts';
import { modelId } from '../domain/gapfill-model.ts';
import { qualityUpdated } from '../../client/topics.ts';
import { runWindow, type Run, type RunResult, type SupplierHours } from './assess/run.ts';
import { loadInputs } from './assess/load.ts';
import { learnCadences } from './assess/cadence.ts';
import { flagOutliers, loadEvents } from './assess/outliers.ts';
import { fillGaps } from './assess/gap-fill.ts';
import { writeWindows } from './assess/windows.ts';

export type { RunResult } from './assess/run.ts';
export { REAL_SOURCES } from './assess/outliers.ts';

/** The scheduled window: the last QUALITY_LOOKBACK_HOURS completed hours. */
export function scheduledWindow(config: Config, now: Date): { from: number; to: number } {
  const to = floorHour(now.getTime());
  return { from: to - config.QUALITY_LOOKBACK_HOURS * HOUR_MS, to };
}

export async function assessQuality(
  services: PluginServices<Config>,
  state: State,
  from: number,
  to: number,
  now = Date.now(),
): Promise<RunResult> {
  // One run at a time per process (scheduled and on-demand runs queue behind each other); a stop waits for it.
  const run = state.lock.then(() => runOnce(services, state, from, to, now));
  state.lock = run.catch(() => undefined);
  return services.lifecycle.track(run);
}

async function runOnce(
  services: PluginServices<Config>,
  state: State,
  fromIn: number,
  toIn: number,
  now: number,
): Promise<RunResult> {
  const window = runWindow(fromIn, toIn, now, services.config.QUALITY_CADENCE_DAYS);
  const result: RunResult = {
    from: new Date(window.from).toISOString(),
    to: new Date(window.to).toISOString(),
    suppliersAssessed: 0,
    windowsWritten: 0,
    outliersFlagged: 0,
    gapsDetected: 0,
    gapsFilled: 0,
    fillsSuperseded: 0,
    model: modelId(state.model),
  };
  if (window.to <= window.from) return result;
  const run: Run = { services, state, window, now };
  const clock = stopwatch();

  const { thresholds, hours } = await loadInputs(run);
  clock.lap('series');
  const profiles = await learnCadences(run, hours);
  clock.lap('cadence');
  const events = await loadEvents(run, hours);
  clock.lap('events');
  result.outliersFlagged = await flagOutliers(run, events, thresholds);
  clock.lap('outliers');
  // Adds the fills data-core accepted to `hours`, so the windows below count them as predicted.
  Object.assign(result, await fillGaps(run, hours, profiles, events.meta));
  clock.lap('gaps');
  Object.assign(result, await writeWindows(run, hours, profiles));
  await publish(run, hours, result);
  clock.lap('windows');

  services.logger.info({ ...result, timingsMs: clock.timings }, 'data quality assessed');
  return result;
}

/** Signals the assessed suppliers and range on the bus, and counts the run's fills and flags. */
async function publish(run: Run, hours: SupplierHours, result: RunResult): Promise<void> {
  const { bus, metrics } = run.services;
  await bus.publish(qualityUpdated, { supplierIds: [...hours.keys()], from: result.from, to: result.to });
  metrics.counter('data_quality_gap_fills_total', 'Gap fills written to data-core').inc(result.gapsFilled);
  metrics.counter('data_quality_outliers_total', 'Events flagged SUSPECT by data-quality').inc(result.outliersFlagged);
}

/** Milliseconds per step, each lap measured from the previous one (logged with the result). */
function stopwatch() {
  const timings: Record<string, number> = {};
  let mark = performance.now();
  return {
    timings,
    lap(name: string) {
      const t = performance.now();
      timings[name] = Math.round(t - mark);
      mark = t;
    },
  };
}
