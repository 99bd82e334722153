import { badInput, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import {
  ALERT_COLUMNS,
  alertToGraph,
  BASELINE_COLUMNS,
  baselineToGraph,
  decodeCursor,
  encodeCursor,
  HOTSPOT_COLUMNS,
  hotspotCursor,
  hotspotToGraph,
  type AlertRow,
  type BaselineRow,
  type HotspotRow,
} from '../rows.ts';
import { levelsAtLeast } from '../domain/severity.ts';
import { parseTime } from '../domain/time.ts';
import { compareSuppliers, type Metric } from '../comparison/suppliers.ts';
import { effectiveSuppliers, scopeParam, UUID } from './scope.ts';

const SEV_RANK = `CASE severity WHEN 'critical' THEN 3 WHEN 'warn' THEN 2 ELSE 1 END`;

function checkFirst(first: number, max: number) {
  if (!Number.isInteger(first) || first < 1 || first > max) throw badInput('first', `must be between 1 and ${max}`);
}

type HotspotFilters = { status?: string | null; severity?: string | null; entityType?: string | null; supplierIds?: string[] | null };

function hotspotWhere(args: HotspotFilters, ctx: ResolverContext) {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => (params.push(v), `$${params.length}`);
  where.push(args.status ? `status = ${p(args.status.toLowerCase())}` : `status IN ('open', 'acknowledged')`);
  if (args.severity) where.push(`severity = ${p(args.severity.toLowerCase())}`);
  if (args.entityType) where.push(`entity_type = ${p(args.entityType)}`);
  const suppliers = effectiveSuppliers(ctx, args.supplierIds);
  if (suppliers) where.push(`supplier_id = ANY(${p(suppliers.filter((s) => UUID.test(s)))}::uuid[])`);
  return { where, params, p };
}

export async function hotspots(_: unknown, args: HotspotFilters & { first: number; after?: string | null }, ctx: ResolverContext) {
  checkFirst(args.first, 200);
  const { where, params, p } = hotspotWhere(args, ctx);
  if (args.after) {
    const c = decodeCursor<[number, number, string]>(args.after);
    if (!Array.isArray(c) || c.length !== 3 || !UUID.test(String(c[2]))) throw badInput('after', 'is not a cursor from hotspots');
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
    totalCount: () => hotspotCount(_, args, ctx),
  };
}

export async function hotspotCount(_: unknown, args: HotspotFilters, ctx: ResolverContext) {
  const { where, params } = hotspotWhere(args, ctx);
  const [c] = await ctx.services.db.query<{ n: string | number }>(`SELECT count(*) AS n FROM hotspots WHERE ${where.join(' AND ')}`, params);
  return Number(c.n);
}

export async function hotspot(_: unknown, args: { id: string }, ctx: ResolverContext) {
  if (!UUID.test(args.id)) return null;
  const [row] = await ctx.services.db.query<HotspotRow>(
    `SELECT ${HOTSPOT_COLUMNS} FROM hotspots WHERE id = $1 AND ($2::uuid[] IS NULL OR supplier_id = ANY($2::uuid[]))`,
    [args.id, scopeParam(ctx)],
  );
  return row ? hotspotToGraph(row) : null;
}

export async function alerts(_: unknown, args: { first: number; after?: string | null; minLevel?: string | null; acknowledged?: boolean | null }, ctx: ResolverContext) {
  checkFirst(args.first, 500);
  if (args.after != null && !/^\d{1,19}$/.test(args.after)) throw badInput('after', 'must be an alert cursor (a non-negative integer string)');
  const rows = await ctx.services.db.query<AlertRow>(
    `SELECT ${ALERT_COLUMNS} FROM alerts
     WHERE level = ANY($1::text[]) AND ($2::uuid[] IS NULL OR supplier_id = ANY($2::uuid[]))
       AND ($3::bigint IS NULL OR seq < $3::bigint)
       AND ($4::bool IS NULL OR (acknowledged_at IS NOT NULL) = $4::bool)
     ORDER BY seq DESC LIMIT ${args.first + 1}`,
    [levelsAtLeast(args.minLevel), scopeParam(ctx), args.after ?? null, args.acknowledged ?? null],
  );
  const page = rows.slice(0, args.first).map(alertToGraph);
  return {
    edges: page.map((a) => ({ cursor: a.cursor, node: a })),
    nodes: page,
    pageInfo: { hasNextPage: rows.length > args.first, endCursor: page.at(-1)?.cursor ?? null },
  };
}

export async function baselines(
  _: unknown,
  args: { entityType?: string | null; entityIds?: string[] | null; hourly: boolean; first: number; after?: string | null },
  ctx: ResolverContext,
) {
  checkFirst(args.first, 1000);
  let offset = 0;
  if (args.after) {
    const c = decodeCursor<{ o: number }>(args.after);
    if (!c || !Number.isInteger(c.o) || c.o < 0) throw badInput('after', 'is not a cursor from baselines');
    offset = c.o;
  }
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
  const edges = page.map((r, i) => ({ cursor: encodeCursor({ o: offset + i + 1 }), node: baselineToGraph(r) }));
  return { edges, nodes: edges.map((e) => e.node), pageInfo: { hasNextPage: rows.length > args.first, endCursor: edges.at(-1)?.cursor ?? null } };
}

export async function supplierComparison(
  _: unknown,
  args: { from: string; to: string; supplierIds?: string[] | null; metric: Metric; first: number },
  ctx: ResolverContext,
) {
  checkFirst(args.first, 500);
  const from = parseTime('from', args.from);
  const to = parseTime('to', args.to);
  if (to <= from) throw badInput('to', 'must be after from');
  if (to.getTime() - from.getTime() > 366 * 86_400_000) throw badInput('to', 'the period may span at most 366 days');
  const suppliers = effectiveSuppliers(ctx, args.supplierIds);
  if (suppliers && !suppliers.length) return { from: from.toISOString(), to: to.toISOString(), previousFrom: from.toISOString(), previousTo: from.toISOString(), rankedBy: '', rows: [] };
  return compareSuppliers(ctx.services, from, to, suppliers, args.metric ?? 'INTENSITY', args.first);
}
