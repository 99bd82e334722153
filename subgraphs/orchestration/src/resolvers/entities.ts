// Entity fields and reference resolvers, batched per request (no N+1), always within the caller's supplier scope.
import {
  canSeeSupplier,
  defineLoader,
  isUuid,
  notFound,
  packedRows,
  supplierScopeSql,
  type ResolverContext,
} from '@carbon-nexus/plugin-sdk';
import type { AlertResolvers, HotspotResolvers, SupplierResolvers } from '../generated/resolvers-types.ts';
import {
  ALERT_COLUMNS,
  alertToGraph,
  BASELINE_COLUMNS,
  baselineToGraph,
  HOTSPOT_COLUMNS,
  hotspotToGraph,
  type AlertRow,
  type BaselineRow,
  type HotspotRow,
} from '../store/rows.ts';
import { scopeParam } from './common.ts';

type Hot = ReturnType<typeof hotspotToGraph>;
type Al = ReturnType<typeof alertToGraph>;

/** Groups rows by a key, in row order. */
function groupBy<R, V>(rows: R[], key: (r: R) => string, value: (r: R) => V): Map<string, V[]> {
  const m = new Map<string, V[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k) ?? [];
    list.push(value(r));
    m.set(k, list);
  }
  return m;
}

const hotspotById = defineLoader(async (ids: string[], ctx: ResolverContext) => {
  const params: unknown[] = [ids.filter(isUuid)];
  const rows = await ctx.services.db.query<HotspotRow>(
    `SELECT ${HOTSPOT_COLUMNS} FROM hotspots WHERE id = ANY($1::uuid[]) AND ${supplierScopeSql(scopeParam(ctx), params)}`,
    params,
  );
  return new Map(rows.map((r) => [r.id, hotspotToGraph(r)]));
});

const alertById = defineLoader(async (ids: string[], ctx: ResolverContext) => {
  const params: unknown[] = [ids.filter(isUuid)];
  const rows = await ctx.services.db.query<AlertRow>(
    `SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = ANY($1::uuid[]) AND ${supplierScopeSql(scopeParam(ctx), params)}`,
    params,
  );
  return new Map(rows.map((r) => [r.id, alertToGraph(r)]));
});

const alertsByHotspot = defineLoader(async (ids: string[], ctx: ResolverContext) => {
  const params: unknown[] = [ids];
  const rows = await ctx.services.db.query<AlertRow>(
    `SELECT ${ALERT_COLUMNS} FROM alerts WHERE hotspot_id = ANY($1::uuid[]) AND ${supplierScopeSql(scopeParam(ctx), params)}
     ORDER BY seq`,
    params,
  );
  return groupBy<AlertRow, Al>(rows, (r) => r.hotspot_id, alertToGraph);
});

// The rows come back as one JSON value of arrays (the kit's packedRows: several times cheaper to decode than typed
// rows, notably on PGlite); hotspotToGraph reads timestamps from either form.
const HOTSPOT_PACK = packedRows<HotspotRow>(HOTSPOT_COLUMNS);
const hotspotsBySupplier = defineLoader(async (ids: string[], ctx: ResolverContext, status: string | null) => {
  const [{ rows }] = await ctx.services.db.query<{ rows: unknown[][] }>(
    `SELECT ${HOTSPOT_PACK.sql('h', `CASE h.severity WHEN 'critical' THEN 3 WHEN 'warn' THEN 2 ELSE 1 END DESC, h.percent_above DESC`)} AS rows
     FROM (SELECT ${HOTSPOT_COLUMNS} FROM hotspots WHERE supplier_id = ANY($1::uuid[])
       AND (CASE WHEN $2::text IS NULL THEN status IN ('open', 'acknowledged') ELSE status = $2 END)) h`,
    [ids.filter(isUuid), status],
  );
  return groupBy<HotspotRow, Hot>(HOTSPOT_PACK.unpack(rows), (r) => r.supplier_id!, hotspotToGraph);
});

const flatBaselineBySupplier = defineLoader(async (ids: string[], ctx: ResolverContext) => {
  const rows = await ctx.services.db.query<BaselineRow>(
    `SELECT ${BASELINE_COLUMNS} FROM baselines WHERE entity_type = 'supplier' AND entity_id = ANY($1::text[]) AND hour_of_week = -1
     ORDER BY is_override ASC`,
    [ids],
  );
  // Overrides come last and win.
  return new Map(rows.map((r) => [r.entity_id, baselineToGraph(r)]));
});

const hotspot: HotspotResolvers = {
  __resolveReference: async (ref, ctx) => (await hotspotById.load(ctx, ref.id)) ?? null,
  alerts: async (h, _, ctx) => (await alertsByHotspot.load(ctx, h.id)) ?? [],
};

const alert: AlertResolvers = {
  __resolveReference: async (ref, ctx) => (await alertById.load(ctx, ref.id)) ?? null,
  hotspot: async (a, _, ctx) => {
    const h = await hotspotById.load(ctx, a.hotspotId);
    // Hotspot! is non-null: an alert whose hotspot the caller cannot see is an error on this field.
    if (!h) throw notFound('hotspot', a.hotspotId);
    return h;
  },
};

const supplier: SupplierResolvers = {
  hotspots: async (s, args, ctx) => {
    if (!canSeeSupplier(ctx.auth, s.id)) return [];
    const first = Math.max(1, Math.min(200, args.first ?? 20));
    return ((await hotspotsBySupplier.load(ctx, s.id, args.status?.toLowerCase() ?? null)) ?? []).slice(0, first);
  },
  emissionBaseline: async (s, _, ctx) => {
    if (!canSeeSupplier(ctx.auth, s.id)) return null;
    return (await flatBaselineBySupplier.load(ctx, s.id)) ?? null;
  },
};

export const entityResolvers = { Hotspot: hotspot, Alert: alert, Supplier: supplier };
