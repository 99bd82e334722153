// Per-request batching (N+1): one SQL query per entity kind per request, keyed by the context object.
import DataLoader from 'dataloader';
import type { ResolverContext } from '@carbon-nexus/plugin-sdk';
import { fromSql, UUID, type RecRow } from '../domain/store.ts';

interface Loaders {
  byId: DataLoader<string, RecRow | null>;
  byHotspot: DataLoader<string, RecRow[]>;
  bySupplier: DataLoader<string, RecRow[]>;
}

const cache = new WeakMap<object, Loaders>();

/** SQL fragment + params limiting rows to the caller's suppliers. */
export function scopeSql(ctx: ResolverContext, params: unknown[], column = 'supplier_id'): string {
  const ids = ctx.auth?.supplierIds;
  if (!ids) return 'TRUE';
  params.push(ids);
  return `${column} = ANY($${params.length}::uuid[])`;
}

export function loaders(ctx: ResolverContext): Loaders {
  let l = cache.get(ctx);
  if (l) return l;
  const db = ctx.services.db;
  l = {
    byId: new DataLoader(async (ids) => {
      const valid = ids.filter((i) => UUID.test(i));
      const params: unknown[] = [valid];
      const rows = valid.length ? (await db.query(`SELECT * FROM recommendations WHERE id = ANY($1::uuid[]) AND ${scopeSql(ctx, params)}`, params)).map(fromSql) : [];
      const m = new Map(rows.map((r) => [r.id, r]));
      return ids.map((i) => m.get(i) ?? null);
    }),
    byHotspot: new DataLoader(async (ids) => {
      const valid = ids.filter((i) => UUID.test(i));
      const params: unknown[] = [valid];
      const rows = valid.length
        ? (await db.query(`SELECT * FROM recommendations WHERE hotspot_id = ANY($1::uuid[]) AND ${scopeSql(ctx, params)} ORDER BY rank, created_at`, params)).map(fromSql)
        : [];
      return ids.map((i) => rows.filter((r) => r.hotspotId === i));
    }),
    bySupplier: new DataLoader(async (ids) => {
      const valid = ids.filter((i) => UUID.test(i));
      const params: unknown[] = [valid];
      const rows = valid.length
        ? (
            await db.query(
              `SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY supplier_id, status ORDER BY score DESC, id DESC) AS rn
                 FROM recommendations WHERE supplier_id = ANY($1::uuid[]) AND ${scopeSql(ctx, params)}) x
               WHERE rn <= 200 ORDER BY score DESC, id DESC`,
              params,
            )
          ).map(fromSql)
        : [];
      return ids.map((i) => rows.filter((r) => r.supplierId === i));
    }),
  };
  cache.set(ctx, l);
  return l;
}
