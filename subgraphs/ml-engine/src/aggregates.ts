// predictionAggregates: one SQL GROUP BY over event predictions (indexes: predictions_agg_cover_idx on
// (timestamp, supplier_id, output_co2_kg), (event_type, timestamp), (route, timestamp), (supplier_id, timestamp)).
import type { SqlQueryable } from '@carbon-nexus/db';

export type Bucket = 'HOUR' | 'DAY';
export type GroupBy = 'NONE' | 'SUPPLIER' | 'EVENT_TYPE' | 'ROUTE';

export interface AggregateRow {
  bucketStart: string;
  key: string;
  co2eKg: number;
  count: number;
}

const KEY_SQL: Record<GroupBy, string> = {
  NONE: `'all'`,
  SUPPLIER: `supplier_id::text`,
  EVENT_TYPE: `event_type`,
  ROUTE: `coalesce(route, '(none)')`,
};

/**
 * Sums of predicted kg CO2e per UTC bucket and group, from inclusive, to exclusive.
 * `supplierIds` null = all suppliers (rows without a supplier are API predictions and carry no timestamp).
 */
export async function predictionAggregates(
  db: SqlQueryable,
  args: { from: Date; to: Date; bucket: Bucket; groupBy: GroupBy; supplierIds: string[] | null },
): Promise<AggregateRow[]> {
  const params: unknown[] = [args.bucket === 'DAY' ? 'day' : 'hour', args.from.toISOString(), args.to.toISOString()];
  let where = `"timestamp" >= $2::timestamptz AND "timestamp" < $3::timestamptz`;
  if (args.supplierIds) {
    params.push(args.supplierIds);
    where += ` AND supplier_id = ANY($4::uuid[])`;
  }
  const rows = await db.query<{ bucket_start: Date | string; key: string | null; co2: number | string; n: number | string }>(
    `SELECT date_trunc($1, "timestamp", 'UTC') AS bucket_start, ${KEY_SQL[args.groupBy]} AS key,
            sum(output_co2_kg) AS co2, count(*) AS n
     FROM predictions
     WHERE ${where}
     GROUP BY 1, 2
     ORDER BY 1, 2`,
    params,
  );
  return rows.map((r) => ({
    bucketStart: new Date(r.bucket_start).toISOString(),
    key: r.key ?? '(none)',
    co2eKg: Number(r.co2),
    count: Number(r.n),
  }));
}

/** Hourly series for an entity, contiguous (missing hours = 0), from its first non-empty hour to `end` (exclusive). */
export function contiguousHourly(points: { bucketStart: string; co2eKg: number }[], end: Date): { t: string; value: number }[] {
  const H = 3600_000;
  if (!points.length) return [];
  const byT = new Map<number, number>();
  for (const p of points) byT.set(Date.parse(p.bucketStart), (byT.get(Date.parse(p.bucketStart)) ?? 0) + p.co2eKg);
  const first = Math.min(...byT.keys());
  const last = Math.floor(end.getTime() / H) * H;
  const out: { t: string; value: number }[] = [];
  for (let t = first; t < last; t += H) out.push({ t: new Date(t).toISOString(), value: byT.get(t) ?? 0 });
  return out;
}
