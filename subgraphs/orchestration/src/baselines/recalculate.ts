// Baselines: per entity, the median of the same hour-of-week over the past N weeks (kg CO2e per hour), plus a
// flat median of all available hours (used where an hour-of-week has too few samples). Source: ml-engine
// predictionAggregates (bucket HOUR) — one call per entity type. Written set-based in one transaction.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import type { OrchestrationConfig } from '../config.ts';
import { GROUP_OF_ENTITY, predictionAggregates } from '../clients/ml.ts';
import { floorHour, HOUR_MS, hourOfWeek, median } from '../domain/time.ts';

export interface RecalcResult {
  entityType: string;
  rows: number;
  entities: number;
  windowStart: Date;
  windowEnd: Date;
}

interface ComputedRow {
  entityId: string;
  how: number;
  value: number;
  method: string;
  samples: number;
}

/** Pure: hourly series per entity -> baseline rows. Hours between an entity's first sample and `end` with no
 * predictions count as 0 kg (the entity was idle), hours before its first sample are not history. */
export function computeBaselines(rows: { bucketStart: string; key: string; co2eKg: number }[], end: Date, minSamples: number): ComputedRow[] {
  const byEntity = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const t = floorHour(new Date(r.bucketStart)).getTime();
    let m = byEntity.get(r.key);
    if (!m) byEntity.set(r.key, (m = new Map()));
    m.set(t, (m.get(t) ?? 0) + r.co2eKg);
  }
  const out: ComputedRow[] = [];
  for (const [entityId, hours] of byEntity) {
    const first = Math.min(...hours.keys());
    const byHow = new Map<number, number[]>();
    const all: number[] = [];
    for (let t = first; t < end.getTime(); t += HOUR_MS) {
      const v = hours.get(t) ?? 0;
      all.push(v);
      const how = hourOfWeek(new Date(t));
      let list = byHow.get(how);
      if (!list) byHow.set(how, (list = []));
      list.push(v);
    }
    if (!all.length) continue;
    out.push({ entityId, how: -1, value: median(all), method: 'flat_median', samples: all.length });
    for (const [how, list] of byHow) {
      if (list.length >= minSamples) out.push({ entityId, how, value: median(list), method: 'hour_of_week_median', samples: list.length });
    }
  }
  return out;
}

export async function recalculateBaselines(services: PluginServices<OrchestrationConfig>, now = new Date()): Promise<RecalcResult[]> {
  const cfg = services.config;
  const windowEnd = floorHour(now);
  const windowStart = new Date(windowEnd.getTime() - cfg.BASELINE_WEEKS * 7 * 24 * HOUR_MS);
  const results: RecalcResult[] = [];
  for (const entityType of cfg.HOTSPOT_ENTITY_TYPES) {
    const agg = await predictionAggregates(services, windowStart, windowEnd, 'HOUR', GROUP_OF_ENTITY[entityType]);
    const rows = computeBaselines(agg, windowEnd, cfg.BASELINE_MIN_SAMPLES);
    await services.db.transaction(async (tx) => {
      // Computed rows are replaced as a whole; overrides are never touched here.
      await tx.query(`DELETE FROM baselines WHERE entity_type = $1 AND is_override = false`, [entityType]);
      if (rows.length) {
        await tx.query(
          `INSERT INTO baselines (id, entity_type, entity_id, hour_of_week, value, method, samples, window_start, window_end, is_override, updated_at)
           SELECT gen_random_uuid(), $1, r.entity_id, r.how, r.value, r.method, r.samples, $2, $3, false, now()
           FROM unnest($4::text[], $5::int[], $6::float8[], $7::text[], $8::int[]) AS r(entity_id, how, value, method, samples)`,
          [
            entityType,
            windowStart,
            windowEnd,
            rows.map((r) => r.entityId),
            rows.map((r) => r.how),
            rows.map((r) => r.value),
            rows.map((r) => r.method),
            rows.map((r) => r.samples),
          ],
        );
      }
    });
    const entities = new Set(rows.map((r) => r.entityId)).size;
    services.logger.info({ entityType, rows: rows.length, entities }, 'baselines recalculated');
    results.push({ entityType, rows: rows.length, entities, windowStart, windowEnd });
  }
  return results;
}

/** Baseline kg CO2e per hour for each (entity, hour-of-week): override(hour) > override(all) > computed(hour) > computed(flat). */
export async function lookupBaselines(
  db: PluginServices['db'],
  entityType: string,
  entityIds: string[],
  hows: number[],
): Promise<Map<string, Map<number, number>>> {
  const out = new Map<string, Map<number, number>>();
  if (!entityIds.length) return out;
  const rows = await db.query<{ entity_id: string; hour_of_week: number; is_override: boolean; value: number }>(
    `SELECT entity_id, hour_of_week, is_override, value FROM baselines
     WHERE entity_type = $1 AND entity_id = ANY($2::text[]) AND hour_of_week = ANY($3::int[])`,
    [entityType, entityIds, [...new Set([-1, ...hows])]],
  );
  const idx = new Map<string, { oh: Map<number, number>; oa?: number; ch: Map<number, number>; cf?: number }>();
  for (const r of rows) {
    let e = idx.get(r.entity_id);
    if (!e) idx.set(r.entity_id, (e = { oh: new Map(), ch: new Map() }));
    const v = Number(r.value);
    if (r.is_override) r.hour_of_week === -1 ? (e.oa = v) : e.oh.set(r.hour_of_week, v);
    else r.hour_of_week === -1 ? (e.cf = v) : e.ch.set(r.hour_of_week, v);
  }
  for (const [id, e] of idx) {
    const m = new Map<number, number>();
    for (const how of hows) {
      const v = e.oh.get(how) ?? e.oa ?? e.ch.get(how) ?? e.cf;
      if (v !== undefined) m.set(how, v);
    }
    out.set(id, m);
  }
  return out;
}
