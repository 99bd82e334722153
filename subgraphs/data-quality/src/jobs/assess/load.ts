// Step 1: the run's inputs — outlier thresholds and the hourly counts per supplier, read with ONE data-core
// emissionsSeries call (bucket HOUR, groupBy SUPPLIER) that every later step shares.
import type { HourCounts } from '../../domain/completeness.ts';
import { emissionsSeries, type SeriesPoint } from '../../datacore.ts';
import { getThresholds, type ThresholdsRow } from '../../store.ts';
import type { Run, SupplierHours } from './run.ts';

export interface RunInputs {
  thresholds: ThresholdsRow;
  hours: SupplierHours;
}

export async function loadInputs(run: Run): Promise<RunInputs> {
  const { services, window } = run;
  const thresholds = await getThresholds(services.db, services.config);
  const series = await emissionsSeries(services, {
    from: new Date(window.seriesFrom).toISOString(),
    to: new Date(window.seriesTo).toISOString(),
    bucket: 'HOUR',
    groupBy: 'SUPPLIER',
  });
  return { thresholds, hours: hourCountsBySupplier(series) };
}

/** Series points → counts per supplier and hour. Real = every event but gap fills (SUSPECT ones included). */
export function hourCountsBySupplier(series: readonly SeriesPoint[]): SupplierHours {
  const bySupplier: SupplierHours = new Map();
  for (const p of series) {
    const hour = Date.parse(p.bucketStart);
    let m = bySupplier.get(p.key);
    if (!m) bySupplier.set(p.key, (m = new Map<number, HourCounts>()));
    m.set(hour, { hour, real: p.eventCount - p.predictedCount, predicted: p.predictedCount, co2eKg: p.co2eKg });
  }
  return bySupplier;
}
