// Completeness windows: Query.dataQualityWindows, Supplier.dataQuality, Supplier.cadence.
import {
  canSeeSupplier,
  decodeCursor,
  defineLoader,
  encodeCursor,
  isUuid,
  parseDateTime,
  parseFirst,
  parseUuid,
  requireAuth,
  supplierScopeSql,
  toIso,
  type ResolverContext,
} from '@carbon-nexus/plugin-sdk';
import { cadenceRows, cadenceView, type CadenceRow } from '../store.ts';
import { svc, visibleSuppliers } from './common.ts';
import type { SupplierParent } from './parents.ts';

interface WindowRow {
  id: string;
  supplier_id: string;
  granularity: string;
  window_start: Date;
  expected_count: number;
  real_count: number;
  predicted_count: number;
  completeness_pct: number;
  predicted_pct: number;
  anomalies_count: number;
  updated_at: Date;
}

export function windowView(r: WindowRow) {
  const start = new Date(r.window_start).getTime();
  const len = r.granularity === 'hour' ? 3_600_000 : 86_400_000;
  return {
    id: `${r.supplier_id}|${r.granularity}|${toIso(start)}`,
    supplierId: r.supplier_id,
    supplier: { __typename: 'Supplier' as const, id: r.supplier_id },
    granularity: r.granularity.toUpperCase() as 'HOUR' | 'DAY',
    windowStart: toIso(start),
    windowEnd: toIso(start + len),
    expectedCount: Number(r.expected_count),
    realCount: Number(r.real_count),
    predictedCount: Number(r.predicted_count),
    completenessPct: Number(r.completeness_pct),
    predictedPct: Number(r.predicted_pct),
    anomaliesCount: Number(r.anomalies_count),
    assessedAt: toIso(r.updated_at),
  };
}

function timeFilter(params: unknown[], from?: string | null, to?: string | null): string[] {
  const where: string[] = [];
  if (from) {
    params.push(new Date(parseDateTime('from', from)));
    where.push(`window_start >= $${params.length}`);
  }
  if (to) {
    params.push(new Date(parseDateTime('to', to)));
    where.push(`window_start < $${params.length}`);
  }
  return where;
}

export const windowQueries = {
  async dataQualityWindows(
    _: unknown,
    a: {
      granularity?: string | null;
      from?: string | null;
      to?: string | null;
      supplierIds?: string[] | null;
      first?: number | null;
      after?: string | null;
    },
    ctx: ResolverContext,
  ) {
    const first = parseFirst(a.first, 50, 500);
    const suppliers = visibleSuppliers(ctx, a.supplierIds);
    const params: unknown[] = [(a.granularity ?? 'DAY').toLowerCase()];
    const where = ['granularity = $1', ...timeFilter(params, a.from, a.to)];
    if (suppliers) where.push(supplierScopeSql(suppliers, params));
    const countRows = await svc(ctx).db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM data_quality WHERE ${where.join(' AND ')}`,
      params,
    );
    const after = decodeCursor('after', a.after, ['datetime', 'uuid']);
    if (after) {
      params.push(new Date(after[0]), after[1]);
      where.push(`(window_start, supplier_id) < ($${params.length - 1}, $${params.length}::uuid)`);
    }
    params.push(first + 1);
    const rows = await svc(ctx).db.query<WindowRow>(
      `SELECT * FROM data_quality WHERE ${where.join(' AND ')} ORDER BY window_start DESC, supplier_id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, first);
    const edges = page.map((r) => ({
      cursor: encodeCursor([toIso(r.window_start), r.supplier_id]),
      node: windowView(r),
    }));
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: countRows[0].n,
    };
  },
  async supplierCadence(_: unknown, a: { supplierId: string }, ctx: ResolverContext) {
    requireAuth(ctx.auth);
    parseUuid('supplierId', a.supplierId, 'a supplier id');
    if (!canSeeSupplier(ctx.auth, a.supplierId)) return cadenceView(a.supplierId, undefined);
    const rows = await cadenceRows(svc(ctx).db, [a.supplierId]);
    return cadenceView(a.supplierId, rows.get(a.supplierId));
  },
};

/** Cadence rows of the suppliers a request resolves, one query per request. */
const cadenceLoader = defineLoader(async (ids: string[], ctx: ResolverContext) => {
  const valid = ids.filter(isUuid);
  return valid.length ? cadenceRows(svc(ctx).db, valid) : new Map<string, CadenceRow>();
});

/** The newest `first` windows of each supplier a request resolves, one query per request and argument set. */
const windowsLoader = defineLoader(
  async (
    ids: string[],
    ctx: ResolverContext,
    a: { granularity: string; from: string | null; to: string | null; first: number },
  ) => {
    const params: unknown[] = [a.granularity, ids.filter(isUuid)];
    const where = ['granularity = $1', 'supplier_id = ANY($2::uuid[])', ...timeFilter(params, a.from, a.to)];
    params.push(a.first);
    const all = await svc(ctx).db.query<WindowRow & { rn: number }>(
      `SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY supplier_id ORDER BY window_start DESC) AS rn
         FROM data_quality WHERE ${where.join(' AND ')}) x WHERE rn <= $${params.length} ORDER BY window_start DESC`,
      params,
    );
    const m = new Map<string, WindowRow[]>();
    for (const r of all) {
      let l = m.get(r.supplier_id);
      if (!l) m.set(r.supplier_id, (l = []));
      l.push(r);
    }
    return m;
  },
);

export const supplierResolvers = {
  __resolveReference(ref: SupplierParent, ctx: ResolverContext): SupplierParent | null {
    // A supplier-scoped caller never resolves other suppliers' data-quality fields.
    return canSeeSupplier(ctx.auth, ref.id) ? { id: ref.id } : null;
  },
  async cadence(s: SupplierParent, _: unknown, ctx: ResolverContext) {
    return cadenceView(s.id, await cadenceLoader.load(ctx, s.id));
  },
  async dataQuality(
    s: SupplierParent,
    a: { granularity?: string | null; from?: string | null; to?: string | null; first?: number | null },
    ctx: ResolverContext,
  ) {
    if (!canSeeSupplier(ctx.auth, s.id)) return [];
    const args = {
      granularity: (a.granularity ?? 'DAY').toLowerCase(),
      from: a.from ?? null,
      to: a.to ?? null,
      first: parseFirst(a.first, 30, 500),
    };
    return ((await windowsLoader.load(ctx, s.id, args)) ?? []).map(windowView);
  },
};
