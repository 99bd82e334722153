// Baselines: per entity, the expected kg CO2e per hour-of-week with its robust spread and usual event count
// (domain/baseline-statistics.ts), plus a flat median of all hours. Source: data-core's emissionsSeries (bucket HOUR) — the one emission figure every view shows —
// one call per entity type. Written set-based in one transaction.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import type { OrchestrationConfig } from '../config.ts';
import { GROUP_OF_ENTITY, emissionsSeries, entityKey } from '../datacore.ts';
import { floorHour, HOUR_MS } from '../domain/time.ts';
import { computeBaselines } from '../domain/baseline-statistics.ts';
import { replaceComputedBaselines } from '../store/baselines.ts';

export interface RecalcResult {
  entityType: string;
  rows: number;
  entities: number;
  windowStart: Date;
  windowEnd: Date;
}

export async function recalculateBaselines(
  services: PluginServices<OrchestrationConfig>,
  now = new Date(),
): Promise<RecalcResult[]> {
  const cfg = services.config;
  const windowEnd = floorHour(now);
  const windowStart = new Date(windowEnd.getTime() - cfg.BASELINE_WEEKS * 7 * 24 * HOUR_MS);
  const results: RecalcResult[] = [];
  for (const entityType of cfg.HOTSPOT_ENTITY_TYPES) {
    const series = await emissionsSeries(services, windowStart, windowEnd, 'HOUR', GROUP_OF_ENTITY[entityType]);
    const rows = computeBaselines(
      series.map((r) => ({ ...r, key: entityKey(entityType, r.key) })),
      windowEnd,
      cfg.BASELINE_MIN_SAMPLES,
    );
    await replaceComputedBaselines(services.db, entityType, windowStart, windowEnd, rows);
    const entities = new Set(rows.map((r) => r.entityId)).size;
    services.logger.info({ entityType, rows: rows.length, entities }, 'baselines recalculated');
    results.push({ entityType, rows: rows.length, entities, windowStart, windowEnd });
  }
  return results;
}
