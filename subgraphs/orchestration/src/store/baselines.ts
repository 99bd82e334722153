// Baseline rows (SQL): the computed rows of an entity type replaced as a whole, and the lookup detection reads.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import type { BaselineStat, HourBaseline, HourBasis } from '../domain/baseline-statistics.ts';

/** One hour's baseline as detection reads it: value and spread, and what they rest on. */
export type BaselineHour = HourBaseline & HourBasis;

/** Replaces the computed baselines of `entityType` (one transaction); overrides are never touched here. */
export async function replaceComputedBaselines(
  db: PluginServices['db'],
  entityType: string,
  windowStart: Date,
  windowEnd: Date,
  rows: BaselineStat[],
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`DELETE FROM baselines WHERE entity_type = $1 AND is_override = false`, [entityType]);
    if (rows.length) {
      await tx.query(
        `INSERT INTO baselines (id, entity_type, entity_id, hour_of_week, value, spread, events, method, samples, window_start, window_end, is_override, updated_at)
         SELECT gen_random_uuid(), $1, r.entity_id, r.how, r.value, r.spread, r.events, r.method, r.samples, $2, $3, false, now()
         FROM unnest($4::text[], $5::int[], $6::float8[], $7::float8[], $8::float8[], $9::text[], $10::int[])
           AS r(entity_id, how, value, spread, events, method, samples)`,
        [
          entityType,
          windowStart,
          windowEnd,
          rows.map((r) => r.entityId),
          rows.map((r) => r.how),
          rows.map((r) => r.value),
          rows.map((r) => r.spread),
          rows.map((r) => r.events),
          rows.map((r) => r.method),
          rows.map((r) => r.samples),
        ],
      );
    }
  });
}

/**
 * Baseline per (entity, hour-of-week): value override(hour) > override(all) > computed(hour) > computed(flat);
 * spread from computed data only (computed(hour) > computed(flat)) — an override moves the expected level, not the
 * noise of the data; without any computed row the spread is 0 and only the event-count rule guards the window.
 */
export async function lookupBaselines(
  db: PluginServices['db'],
  entityType: string,
  entityIds: string[],
  hows: number[],
): Promise<Map<string, Map<number, BaselineHour>>> {
  const out = new Map<string, Map<number, BaselineHour>>();
  if (!entityIds.length) return out;
  type Row = {
    entity_id: string;
    hour_of_week: number;
    is_override: boolean;
    value: number;
    spread: number | null;
    method: string;
    events: number | null;
  };
  const rows = await db.query<Row>(
    `SELECT entity_id, hour_of_week, is_override, value, spread, method, events FROM baselines
     WHERE entity_type = $1 AND entity_id = ANY($2::text[]) AND hour_of_week = ANY($3::int[])`,
    [entityType, entityIds, [...new Set([-1, ...hows])]],
  );
  type Computed = HourBaseline & HourBasis;
  type Idx = { oh: Map<number, number>; oa?: number; ch: Map<number, Computed>; cf?: Computed };
  const idx = new Map<string, Idx>();
  for (const r of rows) {
    let e = idx.get(r.entity_id);
    if (!e) idx.set(r.entity_id, (e = { oh: new Map(), ch: new Map() }));
    const v = Number(r.value);
    if (r.is_override) r.hour_of_week === -1 ? (e.oa = v) : e.oh.set(r.hour_of_week, v);
    else {
      const b = {
        value: v,
        spread: Number(r.spread ?? 0),
        method: r.method,
        events: r.events == null ? null : Number(r.events),
      };
      r.hour_of_week === -1 ? (e.cf = b) : e.ch.set(r.hour_of_week, b);
    }
  }
  for (const [id, e] of idx) {
    const m = new Map<number, BaselineHour>();
    for (const how of hows) {
      const computed = e.ch.get(how) ?? e.cf;
      const value = e.oh.get(how) ?? e.oa ?? computed?.value;
      if (value === undefined) continue;
      // The usual event count is a fact of the data: it comes from the computed row even under an override.
      const overridden = e.oh.has(how) || e.oa !== undefined;
      m.set(how, {
        value,
        spread: computed?.spread ?? 0,
        method: overridden ? 'override' : computed!.method,
        events: computed?.events ?? null,
      });
    }
    out.set(id, m);
  }
  return out;
}
