// Shared resolver helpers: typed context access, time arguments, supplier scoping, cursors, a per-request batcher.
import { badInput, forbidden, unauthenticated, type PluginServices, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { Config } from '../config.ts';
import type { State } from '../state.ts';

export const svc = (ctx: ResolverContext) => ctx.services as PluginServices<Config>;
export const st = (ctx: ResolverContext) => ctx.state as State;

export function requireAuth(ctx: ResolverContext) {
  if (!ctx.auth) throw unauthenticated();
  return ctx.auth;
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** ISO-8601 with a time zone → ms; a clear BAD_USER_INPUT naming the argument otherwise. */
export function parseTime(field: string, value: string): number {
  if (!ISO_WITH_ZONE.test(value)) throw badInput(field, `"${value}" is not an ISO-8601 timestamp with a time zone (e.g. 2026-11-27T00:00:00Z)`);
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw badInput(field, `"${value}" is not a valid date`);
  return t;
}

export function parseRange(from: string, to: string, maxDays?: number): { from: number; to: number } {
  const f = parseTime('from', from);
  const t = parseTime('to', to);
  if (t <= f) throw badInput('to', `must be after from (${from})`);
  if (maxDays && t - f > maxDays * 86_400_000) throw badInput('to', `the range may span at most ${maxDays} days`);
  return { from: f, to: t };
}

export function parseFirst(first: number | null | undefined, def: number, max: number, field = 'first'): number {
  const n = first ?? def;
  if (!Number.isInteger(n) || n < 1 || n > max) throw badInput(field, `must be an integer between 1 and ${max} (got ${n})`);
  return n;
}

/**
 * The suppliers a query may read: the requested ids intersected with the caller's scope.
 * null = no restriction. A scoped caller asking only for suppliers outside its scope gets FORBIDDEN.
 */
export function scopedSuppliers(ctx: ResolverContext, requested: readonly string[] | null | undefined): string[] | null {
  const auth = requireAuth(ctx);
  const req = requested && requested.length ? [...new Set(requested)] : null;
  if (auth.supplierIds === null) return req;
  if (!req) return [...auth.supplierIds];
  const allowed = req.filter((id) => auth.supplierIds!.includes(id));
  if (!allowed.length) throw forbidden('you may not see data of the requested suppliers');
  return allowed;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function checkUuid(field: string, id: string): string {
  if (!UUID.test(id)) throw badInput(field, `"${id}" is not a supplier id (uuid)`);
  return id;
}

export const encodeCursor = (parts: (string | number)[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
export function decodeCursor(field: string, cursor: string | null | undefined): [string, string] | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    /* fall through */
  }
  throw badInput(field, 'is not a cursor returned by this API');
}

/** Per-request batching keyed by the context object: calls in the same tick share one `load(keys)`. */
const batches = new WeakMap<object, Map<string, { keys: Set<string>; promise: Promise<Map<string, unknown>> }>>();
export function batchLoad<V>(ctx: object, name: string, key: string, load: (keys: string[]) => Promise<Map<string, V>>): Promise<V | undefined> {
  let perCtx = batches.get(ctx);
  if (!perCtx) batches.set(ctx, (perCtx = new Map()));
  let b = perCtx.get(name);
  if (!b) {
    const keys = new Set<string>();
    const promise = new Promise<Map<string, unknown>>((resolve, reject) =>
      setImmediate(() => {
        perCtx!.delete(name);
        load([...keys]).then(resolve as any, reject);
      }),
    );
    b = { keys, promise };
    perCtx.set(name, b);
  }
  b.keys.add(key);
  return b.promise.then((m) => m.get(key) as V | undefined);
}
