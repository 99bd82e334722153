import { badInput, isUuid, parseUuids, supplierScopeSql, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { mappedIterator, parseTime, supplierFilter } from './common.ts';
import { emissionsPulse } from '../../client/topics.ts';

const EXCLUDED = `e.quality_status NOT IN ('rejected', 'superseded')`;
const KEY: Record<string, string> = {
  NONE: `'all'`,
  SUPPLIER: 'e.supplier_id::text',
  CATEGORY: 's.category',
  EVENT_TYPE: 'e.event_type',
  ROUTE: 'e.route',
};
const MAX_BUCKETS = 20_000;

export async function emissionsSeries(
  ctx: ResolverContext,
  args: {
    from: string;
    to: string;
    bucket?: string | null;
    groupBy?: string | null;
    supplierIds?: readonly string[] | null;
  },
) {
  const from = parseTime('from', args.from);
  const to = parseTime('to', args.to);
  if (to <= from) throw badInput('to', 'must be after from');
  const bucket = (args.bucket ?? 'HOUR') === 'DAY' ? 'day' : 'hour';
  const span = (to.getTime() - from.getTime()) / (bucket === 'day' ? 86_400_000 : 3_600_000);
  if (span > MAX_BUCKETS) throw badInput('to', `window too large: at most ${MAX_BUCKETS} ${bucket} buckets`);
  parseUuids('supplierIds', args.supplierIds, 'a supplier id');
  const groupBy = args.groupBy ?? 'NONE';
  const params: unknown[] = [from.toISOString(), to.toISOString()];
  let filter = `AND ${supplierScopeSql(supplierFilter(ctx, args.supplierIds), params, 'e.supplier_id')}`;
  // A route series is per named route: events without one belong to no route.
  if (groupBy === 'ROUTE') filter += ` AND e.route IS NOT NULL AND e.route <> ''`;
  const rows = await ctx.services.db.query<{
    b: string;
    key: string;
    co2: number | null;
    n: number;
    real: number;
    predicted: number;
    suspect: number;
    pending: number;
  }>(
    `SELECT to_char(date_trunc('${bucket}', e."timestamp" AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.000"Z"') AS b,
            ${KEY[groupBy]} AS key,
            SUM(e.co2e_kg)::float8 AS co2,
            COUNT(*)::int AS n,
            (COUNT(*) FILTER (WHERE e.data_source <> 'gap_fill'))::int AS real,
            (COUNT(*) FILTER (WHERE e.data_source = 'gap_fill' OR e.quality_status = 'predicted'))::int AS predicted,
            (COUNT(*) FILTER (WHERE e.quality_status = 'suspect'))::int AS suspect,
            (COUNT(*) FILTER (WHERE e.co2e_kg IS NULL))::int AS pending
     FROM events_normalized e ${groupBy === 'CATEGORY' ? 'JOIN suppliers s ON s.id = e.supplier_id' : ''}
     WHERE e."timestamp" >= $1::timestamptz AND e."timestamp" < $2::timestamptz AND ${EXCLUDED} ${filter}
     GROUP BY 1, 2 ORDER BY 1, 2`,
    params,
  );
  return rows.map((r) => ({
    bucketStart: r.b,
    key: groupBy === 'CATEGORY' || groupBy === 'EVENT_TYPE' ? String(r.key).toUpperCase() : r.key,
    // Pending figures (MODEL estimate not arrived) count in pendingCount, not in co2eKg.
    co2eKg: Math.round((r.co2 ?? 0) * 1e6) / 1e6,
    eventCount: r.n,
    realCount: r.real,
    predictedCount: r.predicted,
    suspectCount: r.suspect,
    pendingCount: r.pending,
  }));
}

const CATEGORIES = ['transport', 'factory', 'warehouse', 'delivery'];

export async function emissionPulse(ctx: ResolverContext, now = Date.now()) {
  const scope = ctx.auth?.supplierIds;
  const params: unknown[] = [
    new Date(now - 7_200_000).toISOString(),
    new Date(now - 3_600_000).toISOString(),
    new Date(now).toISOString(),
  ];
  const scopeSql = supplierScopeSql(scope ? scope.filter(isUuid) : null, params, 'e.supplier_id');
  const rows = await ctx.services.db.query<{ category: string; cur: number; prev: number; pending: number }>(
    `SELECT s.category,
            COALESCE(SUM(e.co2e_kg) FILTER (WHERE e."timestamp" >= $2::timestamptz), 0)::float8 AS cur,
            COALESCE(SUM(e.co2e_kg) FILTER (WHERE e."timestamp" < $2::timestamptz), 0)::float8 AS prev,
            (COUNT(*) FILTER (WHERE e."timestamp" >= $2::timestamptz AND e.co2e_kg IS NULL))::int AS pending
     FROM events_normalized e JOIN suppliers s ON s.id = e.supplier_id
     WHERE e."timestamp" >= $1::timestamptz AND e."timestamp" < $3::timestamptz AND ${EXCLUDED}
       AND ${scopeSql}
     GROUP BY s.category`,
    params,
  );
  const by = new Map(rows.map((r) => [r.category, r]));
  const cur = rows.reduce((a, r) => a + r.cur, 0);
  const prev = rows.reduce((a, r) => a + r.prev, 0);
  const trend = cur > prev * 1.05 ? 'UP' : cur < prev * 0.95 ? 'DOWN' : 'FLAT';
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  return {
    kgPerHour: round(cur),
    previousKgPerHour: round(prev),
    trend: (cur === 0 && prev === 0 ? 'FLAT' : trend) as 'UP' | 'DOWN' | 'FLAT',
    byCategory: [...new Set([...CATEGORIES, ...by.keys()])].map((c) => ({
      category: c.toUpperCase(),
      co2eKg: round(by.get(c)?.cur ?? 0),
    })),
    pendingCount: rows.reduce((a, r) => a + r.pending, 0),
    at: new Date(now).toISOString(),
  };
}

export const emissionResolvers: Resolvers = {
  Query: {
    emissionsSeries: (_p, args, ctx) => emissionsSeries(ctx, args),
    emissionPulse: (_p, _a, ctx) => emissionPulse(ctx),
  },
  Subscription: {
    emissionPulse: {
      subscribe: (_p: unknown, _a: unknown, ctx: ResolverContext) => {
        const ac = new AbortController();
        const source = ctx.services.bus.iterate(emissionsPulse, { signal: ac.signal, bufferSize: 1 });
        return mappedIterator(source, ac, async () => ({ emissionPulse: await emissionPulse(ctx) }), {
          initial: async () => ({ emissionPulse: await emissionPulse(ctx) }),
        });
      },
    },
  },
};
