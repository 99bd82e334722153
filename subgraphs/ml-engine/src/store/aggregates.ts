// predictionAggregates: one SQL GROUP BY over event predictions (indexes: predictions_agg_cover_idx on
// (timestamp, supplier_id, output_co2_kg), (event_type, timestamp), (route, timestamp), (supplier_id, timestamp)).
import type { SqlQueryable } from '@carbon-nexus/db';
import { supplierScopeSql } from '@carbon-nexus/plugin-sdk';

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
  const scope = supplierScopeSql(args.supplierIds, params);
  const where = `"timestamp" >= $2::timestamptz AND "timestamp" < $3::timestamptz AND ${scope}`;
  const rows = await db.query<{
    bucket_start: Date | string;
    key: string | null;
    co2: number | string;
    n: number | string;
  }>(
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
