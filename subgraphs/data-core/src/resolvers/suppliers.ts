import {
  badInput,
  canSeeSupplier,
  decodeCursor,
  defineLoader,
  encodeCursor,
  forbidden,
  isUuid,
  notFound,
  packedRows,
  requireRole,
  toIso,
  type ResolverContext,
} from '@carbon-nexus/plugin-sdk';
import type { Resolvers, SupplierCategory } from '../generated/resolvers-types.ts';
import { svc } from './common.ts';
import type { DataCoreState } from '../state.ts';

export interface SupplierRow {
  id: string;
  external_id: string | null;
  name: string;
  category: string;
  location: Record<string, unknown> | null;
  country: string | null;
  fleet_info: unknown;
  baseline_emission: number | null;
  last_seen_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export const SUPPLIER_COLS = `s.id, s.external_id, s.name, s.category, s.location, s.country, s.fleet_info, s.baseline_emission,
  s.last_seen_at, s.created_at, s.updated_at`;

export function toSupplier(s: SupplierRow) {
  const loc = (s.location ?? {}) as Record<string, any>;
  return {
    id: s.id,
    externalId: s.external_id,
    name: s.name,
    category: s.category.toUpperCase() as SupplierCategory,
    country: s.country,
    location: Object.keys(loc).length
      ? { lat: loc.lat ?? null, lon: loc.lon ?? null, city: loc.city ?? null, country: loc.country ?? null }
      : null,
    fleetInfo: s.fleet_info ?? {},
    baselineEmissionKgPerHour: s.baseline_emission,
    lastSeenAt: toIso(s.last_seen_at),
    createdAt: toIso(s.created_at),
    updatedAt: toIso(s.updated_at),
  };
}

/** Rows as one JSON value of arrays (the kit's packedRows): one value decodes several times faster than typed rows. */
const SUPPLIER_PACK = packedRows<SupplierRow>(SUPPLIER_COLS);
const PAGE_PACK = packedRows<SupplierRow & { sort_key: string }>(`${SUPPLIER_COLS}, sort_key`);

const supplierById = defineLoader(async (ids: string[], ctx: ResolverContext) => {
  const [{ rows }] = await svc(ctx).db.query<{ rows: unknown[][] }>(
    `SELECT ${SUPPLIER_PACK.sql('p')} AS rows
     FROM (SELECT ${SUPPLIER_COLS} FROM suppliers s WHERE s.id = ANY($1::uuid[])) p`,
    [ids],
  );
  return new Map(SUPPLIER_PACK.unpack(rows).map((r) => [r.id, toSupplier(r)]));
});

/** Batched, scoped supplier lookup: one SQL for every reference in a request. */
export async function loadSupplier(ctx: ResolverContext, id: string) {
  if (!isUuid(id) || !canSeeSupplier(ctx.auth, id)) return null;
  return (await supplierById.load(ctx, id.toLowerCase())) ?? null;
}

const ORDERS: Record<string, { expr: string; cast: string; dir: 'ASC' | 'DESC' }> = {
  NAME_ASC: { expr: 's.name', cast: 'text', dir: 'ASC' },
  NAME_DESC: { expr: 's.name', cast: 'text', dir: 'DESC' },
  CREATED_AT_ASC: { expr: 's.created_at', cast: 'timestamptz', dir: 'ASC' },
  CREATED_AT_DESC: { expr: 's.created_at', cast: 'timestamptz', dir: 'DESC' },
  LAST_SEEN_AT_DESC: { expr: `COALESCE(s.last_seen_at, 'epoch'::timestamptz)`, cast: 'timestamptz', dir: 'DESC' },
  BASELINE_DESC: { expr: 'COALESCE(s.baseline_emission, -1)', cast: 'float8', dir: 'DESC' },
};

/** What selects a page of suppliers, apart from its size (JSON: the batch loader's argument set). */
interface PageFilter {
  orderBy: string;
  search: string | null;
  category: string | null;
  country: string | null;
  /** The cursor's sort key and id. */
  after: [string, string] | null;
  /** The caller's suppliers (null = all). */
  scope: string[] | null;
}

/**
 * One statement for the page and the count (the count's filters use a prefix of the page's parameters); the page
 * comes back as one JSON value of arrays (PAGE_PACK). The limit is the last parameter: one prepared statement for
 * every page size.
 */
function pageStatement(f: PageFilter): { sql: string; params: unknown[] } {
  const order = ORDERS[f.orderBy];
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.search) {
    const term = `%${f.search.replace(/[\\%_]/g, (m) => '\\' + m)}%`;
    where.push(`(s.name ILIKE ${p(term)} OR s.external_id ILIKE $${params.length})`);
  }
  if (f.category) where.push(`s.category = ${p(f.category)}`);
  if (f.country) where.push(`s.country = ${p(f.country)}`);
  if (f.scope) where.push(`s.id = ANY(${p(f.scope)}::uuid[])`);
  const countWhere = [...where];
  if (f.after) {
    const [v, id] = f.after;
    where.push(`(${order.expr}, s.id) ${order.dir === 'ASC' ? '>' : '<'} (${p(v)}::${order.cast}, ${p(id)}::uuid)`);
  }
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const limit = `$${params.length + 1}`;
  return {
    sql: `SELECT (SELECT ${PAGE_PACK.sql('p', 'p.ord')} FROM (
            SELECT ${SUPPLIER_COLS}, (${order.expr})::text AS sort_key,
                   row_number() OVER (ORDER BY ${order.expr} ${order.dir}, s.id ${order.dir}) AS ord
            FROM suppliers s ${whereSql} ORDER BY ${order.expr} ${order.dir}, s.id ${order.dir} LIMIT ${limit}) p) AS packed,
          (SELECT count(*)::int FROM suppliers s ${countWhere.length ? `WHERE ${countWhere.join(' AND ')}` : ''}) AS n`,
    params,
  };
}

/**
 * Pages of one filter, by size (plus one row, for hasNextPage). Requests for the same filter that the kit's loader
 * coalesces share one statement: the largest page, of which every smaller one is a prefix, and its count.
 */
const pagesBySize = defineLoader(async (sizes: number[], ctx: ResolverContext, f: PageFilter) => {
  const { sql, params } = pageStatement(f);
  const [{ packed, n }] = await ctx.services.db.query<{ packed: unknown[][]; n: number }>(sql, [
    ...params,
    Math.max(...sizes) + 1,
  ]);
  const rows = PAGE_PACK.unpack(packed);
  return new Map(sizes.map((size) => [size, { rows: rows.slice(0, size + 1), n }]));
});

const CATEGORIES = ['TRANSPORT', 'FACTORY', 'WAREHOUSE', 'DELIVERY'];

function validateSupplierInput(input: Record<string, any>, partial: boolean) {
  const out: Record<string, unknown> = {};
  if (input.name !== undefined && input.name !== null) {
    const n = String(input.name).trim();
    if (!n) throw badInput('input.name', 'must not be empty');
    if (n.length > 200) throw badInput('input.name', 'must be at most 200 characters');
    out.name = n;
  } else if (!partial) throw badInput('input.name', 'required');
  if (input.externalId !== undefined) {
    if (input.externalId !== null && (!String(input.externalId).trim() || String(input.externalId).length > 200)) {
      throw badInput('input.externalId', 'must be 1..200 characters');
    }
    out.external_id = input.externalId === null ? null : String(input.externalId).trim();
  }
  if (input.category != null) {
    if (!CATEGORIES.includes(input.category))
      throw badInput('input.category', `must be one of ${CATEGORIES.join(', ')}`);
    out.category = String(input.category).toLowerCase();
  }
  if (input.country !== undefined) {
    if (input.country !== null && !/^[A-Za-z]{2}$/.test(input.country))
      throw badInput('input.country', 'must be an ISO 3166 alpha-2 code, e.g. GB');
    out.country = input.country === null ? null : String(input.country).toUpperCase();
  }
  if (input.location !== undefined) {
    const l = input.location ?? {};
    if (l.lat != null && (l.lat < -90 || l.lat > 90))
      throw badInput('input.location.lat', 'must be between -90 and 90');
    if (l.lon != null && (l.lon < -180 || l.lon > 180))
      throw badInput('input.location.lon', 'must be between -180 and 180');
    out.location = JSON.stringify(Object.fromEntries(Object.entries(l).filter(([, v]) => v != null)));
  }
  if (input.fleetInfo !== undefined) {
    if (input.fleetInfo !== null && (typeof input.fleetInfo !== 'object' || Array.isArray(input.fleetInfo))) {
      throw badInput('input.fleetInfo', 'must be a JSON object');
    }
    out.fleet_info = JSON.stringify(input.fleetInfo ?? {});
  }
  if (input.baselineEmissionKgPerHour !== undefined) {
    const b = input.baselineEmissionKgPerHour;
    if (b !== null && (!Number.isFinite(b) || b < 0))
      throw badInput('input.baselineEmissionKgPerHour', 'must be ≥ 0 kg CO2e per hour');
    out.baseline_emission = b;
  }
  return out;
}

const JSON_COLS = new Set(['location', 'fleet_info']);

function uniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505' || /duplicate key|unique/i.test((err as Error).message);
}

export const supplierResolvers: Resolvers = {
  Query: {
    async supplier(_p, { id }, ctx) {
      return loadSupplier(ctx, id);
    },
    async suppliers(_p, args, ctx) {
      const first = args.first ?? 50;
      if (first < 1 || first > 500) throw badInput('first', 'must be between 1 and 500');
      const orderBy = args.orderBy ?? 'NAME_ASC';
      let after: PageFilter['after'] = null;
      if (args.after) {
        const [o, v, id] = decodeCursor('after', args.after, ['string', 'string', 'uuid'])!;
        if (o !== orderBy) throw badInput('after', 'cursor was issued for another orderBy');
        after = [String(v), String(id)];
      }
      const filter: PageFilter = {
        orderBy,
        search: args.search || null,
        category: args.category ? args.category.toLowerCase() : null,
        country: args.country ? args.country.toUpperCase() : null,
        after,
        scope: ctx.auth?.supplierIds ? ctx.auth.supplierIds.filter(isUuid) : null,
      };
      const { rows, n } = (await pagesBySize.load(ctx, first, filter))!;
      const page = rows.slice(0, first);
      const edges = page.map((r) => ({
        cursor: encodeCursor([orderBy, r.sort_key, r.id]),
        node: toSupplier(r),
      }));
      return {
        edges,
        nodes: edges.map((e) => e.node),
        pageInfo: { hasNextPage: rows.length > first, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
        totalCount: n,
      };
    },
  },
  Mutation: {
    async createSupplier(_p, { input }, ctx) {
      const auth = requireRole(ctx.auth, 'analyst');
      if (auth.supplierIds) throw forbidden('a supplier-scoped token cannot create suppliers');
      const v = validateSupplierInput(input, false);
      v.category ??= 'transport';
      const cols = Object.keys(v);
      try {
        const [row] = await ctx.services.db.query<SupplierRow>(
          `INSERT INTO suppliers (id, ${cols.join(', ')}, updated_at) VALUES (gen_random_uuid(), ${cols
            .map((c, i) => `$${i + 1}${JSON_COLS.has(c) ? '::jsonb' : ''}`)
            .join(', ')}, now()) RETURNING ${SUPPLIER_COLS.replace(/s\./g, '')}`,
          cols.map((c) => v[c]),
        );
        await ctx.services.audit({
          action: 'supplier.create',
          entityType: 'supplier',
          entityId: row.id,
          metadata: { name: row.name },
        });
        return toSupplier(row);
      } catch (err) {
        if (uniqueViolation(err))
          throw badInput('input.externalId', `a supplier with externalId "${v.external_id}" already exists`);
        throw err;
      }
    },
    async updateSupplier(_p, { id, input }, ctx) {
      requireRole(ctx.auth, 'analyst');
      if (!isUuid(id)) throw badInput('id', 'must be a uuid');
      if (!canSeeSupplier(ctx.auth, id)) throw notFound('supplier', id);
      const v = validateSupplierInput(input, true);
      const cols = Object.keys(v);
      if (!cols.length) throw badInput('input', 'nothing to update');
      try {
        const rows = await ctx.services.db.query<SupplierRow>(
          `UPDATE suppliers SET ${cols.map((c, i) => `${c} = $${i + 2}${JSON_COLS.has(c) ? '::jsonb' : ''}`).join(', ')}, updated_at = now()
           WHERE id = $1 RETURNING ${SUPPLIER_COLS.replace(/s\./g, '')}`,
          [id, ...cols.map((c) => v[c])],
        );
        if (!rows.length) throw notFound('supplier', id);
        (ctx.state as DataCoreState).supplierCache.byId.clear();
        (ctx.state as DataCoreState).supplierCache.byExternal.clear();
        await ctx.services.audit({
          action: 'supplier.update',
          entityType: 'supplier',
          entityId: id,
          metadata: { fields: Object.keys(input) },
        });
        return toSupplier(rows[0]);
      } catch (err) {
        if (uniqueViolation(err))
          throw badInput('input.externalId', `a supplier with externalId "${v.external_id}" already exists`);
        throw err;
      }
    },
  },
  Supplier: {
    async __resolveReference(ref: { id: string }, ctx: ResolverContext) {
      return loadSupplier(ctx, ref.id);
    },
  },
};
