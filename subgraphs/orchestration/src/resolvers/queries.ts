import {
  badInput,
  decodeCursor,
  encodeCursor,
  isUuid,
  parseDateTime,
  supplierScopeSql,
  type ResolverContext,
} from '@carbon-nexus/plugin-sdk';
import type { QueryResolvers } from '../generated/resolvers-types.ts';
import {
  ALERT_COLUMNS,
  alertToGraph,
  BASELINE_COLUMNS,
  baselineToGraph,
  HOTSPOT_COLUMNS,
  HOTSPOT_CURSOR,
  hotspotCursor,
  hotspotToGraph,
  type AlertRow,
  type BaselineRow,
  type HotspotRow,
} from '../store/rows.ts';
import { levelsAtLeast } from '../domain/severity.ts';
import { compareSuppliers } from './supplier-comparison.ts';
import { scopeParam, visibleSuppliers } from './common.ts';

const SEV_RANK = `CASE severity WHEN 'critical' THEN 3 WHEN 'warn' THEN 2 ELSE 1 END`;

function checkFirst(first: number, max: number) {
  if (!Number.isInteger(first) || first < 1 || first > max) throw badInput('first', `must be between 1 and ${max}`);
}

type HotspotFilters = {
  status?: string | null;
  severity?: string | null;
  entityType?: string | null;
  supplierIds?: string[] | null;
};

function hotspotWhere(args: HotspotFilters, ctx: ResolverContext) {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => (params.push(v), `$${params.length}`);
  where.push(args.status ? `status = ${p(args.status.toLowerCase())}` : `status IN ('open', 'acknowledged')`);
  if (args.severity) where.push(`severity = ${p(args.severity.toLowerCase())}`);
  if (args.entityType) where.push(`entity_type = ${p(args.entityType)}`);
  const suppliers = visibleSuppliers(ctx, args.supplierIds);
  if (suppliers) where.push(supplierScopeSql(suppliers.filter(isUuid), params));
  return { where, params, p };
}

const hotspots: QueryResolvers['hotspots'] = async (_, args, ctx) => {
  checkFirst(args.first, 200);
  const { where, params, p } = hotspotWhere(args, ctx);
  const c = decodeCursor('after', args.after, HOTSPOT_CURSOR);
  if (c) {
    where.push(`(${SEV_RANK}, percent_above, id) < (${p(c[0])}::int, ${p(c[1])}::float8, ${p(c[2])}::uuid)`);
  }
  const rows = await ctx.services.db.query<HotspotRow>(
    `SELECT ${HOTSPOT_COLUMNS} FROM hotspots WHERE ${where.join(' AND ')}
     ORDER BY ${SEV_RANK} DESC, percent_above DESC, id DESC LIMIT ${args.first + 1}`,
    params,
  );
  const edges = rows.slice(0, args.first).map((r) => ({ cursor: hotspotCursor(r), node: hotspotToGraph(r) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: { hasNextPage: rows.length > args.first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: () => countHotspots(args, ctx),
  };
};

async function countHotspots(args: HotspotFilters, ctx: ResolverContext) {
  const { where, params } = hotspotWhere(args, ctx);
  const [c] = await ctx.services.db.query<{ n: string | number }>(
    `SELECT count(*) AS n FROM hotspots WHERE ${where.join(' AND ')}`,
    params,
  );
  return Number(c.n);
}

const hotspotCount: QueryResolvers['hotspotCount'] = (_, args, ctx) => countHotspots(args, ctx);

const hotspot: QueryResolvers['hotspot'] = async (_, args, ctx) => {
  if (!isUuid(args.id)) return null;
  const params: unknown[] = [args.id];
  const [row] = await ctx.services.db.query<HotspotRow>(
    `SELECT ${HOTSPOT_COLUMNS} FROM hotspots WHERE id = $1 AND ${supplierScopeSql(scopeParam(ctx), params)}`,
    params,
  );
  return row ? hotspotToGraph(row) : null;
};

const alerts: QueryResolvers['alerts'] = async (_, args, ctx) => {
  checkFirst(args.first, 500);
  if (args.after != null && !/^\d{1,19}$/.test(args.after))
    throw badInput('after', 'must be an alert cursor (a non-negative integer string)');
  const params: unknown[] = [levelsAtLeast(args.minLevel), args.after ?? null, args.acknowledged ?? null];
  const rows = await ctx.services.db.query<AlertRow>(
    `SELECT ${ALERT_COLUMNS} FROM alerts
     WHERE level = ANY($1::text[]) AND ${supplierScopeSql(scopeParam(ctx), params)}
       AND ($2::bigint IS NULL OR seq < $2::bigint)
       AND ($3::bool IS NULL OR (acknowledged_at IS NOT NULL) = $3::bool)
     ORDER BY seq DESC LIMIT ${args.first + 1}`,
    params,
  );
  const page = rows.slice(0, args.first).map(alertToGraph);
  return {
    edges: page.map((a) => ({ cursor: a.cursor, node: a })),
    nodes: page,
    pageInfo: { hasNextPage: rows.length > args.first, endCursor: page.at(-1)?.cursor ?? null },
  };
};

const baselines: QueryResolvers['baselines'] = async (_, args, ctx) => {
  checkFirst(args.first, 1000);
  const [offset] = decodeCursor('after', args.after, ['int'] as const) ?? [0];
  if (offset < 0) throw badInput('after', 'is not a cursor from baselines');
  const scope = scopeParam(ctx);
  const rows = await ctx.services.db.query<BaselineRow>(
    `SELECT ${BASELINE_COLUMNS} FROM baselines
     WHERE ($1::text IS NULL OR entity_type = $1) AND ($2::text[] IS NULL OR entity_id = ANY($2::text[]))
       AND ($3::bool OR hour_of_week = -1)
       AND ($4::text[] IS NULL OR (entity_type = 'supplier' AND entity_id = ANY($4::text[])))
     ORDER BY entity_type, entity_id, hour_of_week, is_override DESC LIMIT ${args.first + 1} OFFSET ${offset}`,
    [args.entityType ?? null, args.entityIds?.length ? args.entityIds : null, args.hourly, scope],
  );
  const page = rows.slice(0, args.first);
  const edges = page.map((r, i) => ({ cursor: encodeCursor([offset + i + 1]), node: baselineToGraph(r) }));
  const pageInfo = { hasNextPage: rows.length > args.first, endCursor: edges.at(-1)?.cursor ?? null };
  return { edges, nodes: edges.map((e) => e.node), pageInfo };
};

const supplierComparison: QueryResolvers['supplierComparison'] = async (_, args, ctx) => {
  checkFirst(args.first, 500);
  const from = new Date(parseDateTime('from', args.from));
  const to = new Date(parseDateTime('to', args.to));
  if (to <= from) throw badInput('to', 'must be after from');
  if (to.getTime() - from.getTime() > 366 * 86_400_000) throw badInput('to', 'the period may span at most 366 days');
  const suppliers = visibleSuppliers(ctx, args.supplierIds);
  if (suppliers && !suppliers.length) {
    const f = from.toISOString();
    return { from: f, to: to.toISOString(), previousFrom: f, previousTo: f, rankedBy: '', rows: [] };
  }
  return compareSuppliers(ctx.services, from, to, suppliers, args.metric ?? 'INTENSITY', args.first);
};

export const queries: QueryResolvers = { hotspots, hotspotCount, hotspot, alerts, baselines, supplierComparison };
