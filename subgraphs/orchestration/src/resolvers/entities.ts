// Entity fields and reference resolvers, batched per request (no N+1), always within the caller's supplier scope.
import { canSeeSupplier, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import { loaderFor } from '../loaders.ts';
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
} from '../rows.ts';
import { scopeParam, UUID } from './scope.ts';

type Hot = ReturnType<typeof hotspotToGraph>;
type Al = ReturnType<typeof alertToGraph>;

const hotspotById = (ctx: ResolverContext) =>
  loaderFor<string, Hot>(ctx, 'hotspotById', async (ids) => {
    const rows = await ctx.services.db.query<HotspotRow>(
      `SELECT ${HOTSPOT_COLUMNS} FROM hotspots WHERE id = ANY($1::uuid[]) AND ($2::uuid[] IS NULL OR supplier_id = ANY($2::uuid[]))`,
      [ids.filter((i) => UUID.test(i)), scopeParam(ctx)],
    );
    return new Map(rows.map((r) => [r.id, hotspotToGraph(r)]));
  });

const alertById = (ctx: ResolverContext) =>
  loaderFor<string, Al>(ctx, 'alertById', async (ids) => {
    const rows = await ctx.services.db.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = ANY($1::uuid[]) AND ($2::uuid[] IS NULL OR supplier_id = ANY($2::uuid[]))`,
      [ids.filter((i) => UUID.test(i)), scopeParam(ctx)],
    );
    return new Map(rows.map((r) => [r.id, alertToGraph(r)]));
  });

const alertsByHotspot = (ctx: ResolverContext) =>
  loaderFor<string, Al[]>(ctx, 'alertsByHotspot', async (ids) => {
    const rows = await ctx.services.db.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE hotspot_id = ANY($1::uuid[]) AND ($2::uuid[] IS NULL OR supplier_id = ANY($2::uuid[])) ORDER BY seq`,
      [ids, scopeParam(ctx)],
    );
    const m = new Map<string, Al[]>();
    for (const r of rows) {
      const list = m.get(r.hotspot_id) ?? [];
      list.push(alertToGraph(r));
      m.set(r.hotspot_id, list);
    }
    return m;
  });

// The rows come back as one JSON value: decoding one value is several times cheaper than decoding a hundred typed
// rows (notably on PGlite); hotspotToGraph reads timestamps from either form.
const hotspotsBySupplier = (ctx: ResolverContext, status: string | null) =>
  loaderFor<string, Hot[]>(ctx, `hotspotsBySupplier:${status}`, async (ids) => {
    const [{ rows }] = await ctx.services.db.query<{ rows: HotspotRow[] }>(
      `SELECT coalesce(json_agg(h ORDER BY CASE h.severity WHEN 'critical' THEN 3 WHEN 'warn' THEN 2 ELSE 1 END DESC, h.percent_above DESC), '[]') AS rows
       FROM (SELECT ${HOTSPOT_COLUMNS} FROM hotspots WHERE supplier_id = ANY($1::uuid[])
         AND (CASE WHEN $2::text IS NULL THEN status IN ('open', 'acknowledged') ELSE status = $2 END)) h`,
      [ids.filter((i) => UUID.test(i)), status],
    );
    const m = new Map<string, Hot[]>();
    for (const r of rows) {
      const list = m.get(r.supplier_id!) ?? [];
      list.push(hotspotToGraph(r));
      m.set(r.supplier_id!, list);
    }
    return m;
  });

const flatBaselineBySupplier = (ctx: ResolverContext) =>
  loaderFor<string, ReturnType<typeof baselineToGraph>>(ctx, 'flatBaselineBySupplier', async (ids) => {
    const rows = await ctx.services.db.query<BaselineRow>(
      `SELECT ${BASELINE_COLUMNS} FROM baselines WHERE entity_type = 'supplier' AND entity_id = ANY($1::text[]) AND hour_of_week = -1
       ORDER BY is_override ASC`,
      [ids],
    );
    // Overrides come last and win.
    return new Map(rows.map((r) => [r.entity_id, baselineToGraph(r)]));
  });

export const entityResolvers = {
  Hotspot: {
    __resolveReference: async (ref: { id: string }, ctx: ResolverContext) => (await hotspotById(ctx).load(ref.id)) ?? null,
    alerts: async (h: { id: string }, _: unknown, ctx: ResolverContext) => (await alertsByHotspot(ctx).load(h.id)) ?? [],
  },
  Alert: {
    __resolveReference: async (ref: { id: string }, ctx: ResolverContext) => (await alertById(ctx).load(ref.id)) ?? null,
    hotspot: async (a: { hotspotId?: string; hotspot?: { id: string } }, _: unknown, ctx: ResolverContext) =>
      (await hotspotById(ctx).load(a.hotspotId ?? a.hotspot!.id)) ?? null,
  },
  Supplier: {
    hotspots: async (s: { id: string }, args: { status?: string | null; first: number }, ctx: ResolverContext) => {
      if (!canSeeSupplier(ctx.auth, s.id)) return [];
      const first = Math.max(1, Math.min(200, args.first ?? 20));
      return ((await hotspotsBySupplier(ctx, args.status?.toLowerCase() ?? null).load(s.id)) ?? []).slice(0, first);
    },
    emissionBaseline: async (s: { id: string }, _: unknown, ctx: ResolverContext) => {
      if (!canSeeSupplier(ctx.auth, s.id)) return null;
      return (await flatBaselineBySupplier(ctx).load(s.id)) ?? null;
    },
  },
};
