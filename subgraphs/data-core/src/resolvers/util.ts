import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { badInput } from '@carbon-nexus/plugin-sdk';

/** Per-request batching (DataLoader-style), keyed by the resolver context object. */
const loaders = new WeakMap<object, Map<string, (key: string) => Promise<unknown>>>();

export function batchLoad<V>(ctx: object, name: string, fetch: (keys: string[]) => Promise<Map<string, V>>): (key: string) => Promise<V | null> {
  let perCtx = loaders.get(ctx);
  if (!perCtx) loaders.set(ctx, (perCtx = new Map()));
  let load = perCtx.get(name);
  if (!load) {
    const cache = new Map<string, Promise<V | null>>();
    let queue: { key: string; resolve: (v: V | null) => void; reject: (e: unknown) => void }[] = [];
    const dispatch = async () => {
      const batch = queue;
      queue = [];
      try {
        const found = await fetch([...new Set(batch.map((b) => b.key))]);
        for (const b of batch) b.resolve(found.get(b.key) ?? null);
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    };
    load = (key: string) => {
      const hit = cache.get(key);
      if (hit) return hit;
      const p = new Promise<V | null>((resolve, reject) => {
        if (queue.length === 0) void Promise.resolve().then(() => process.nextTick(dispatch));
        queue.push({ key, resolve, reject });
      });
      cache.set(key, p);
      return p;
    };
    perCtx.set(name, load);
  }
  return load as (key: string) => Promise<V | null>;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const encodeCursor = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
export function decodeCursor(field: string, c: string): unknown[] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString());
    if (Array.isArray(v)) return v;
  } catch {
    /* fallthrough */
  }
  throw badInput(field, 'not a cursor returned by this API');
}

export function parseTime(field: string, v: string): Date {
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(v.trim())) throw badInput(field, 'must be an ISO-8601 timestamp with time zone (Z or ±hh:mm)');
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw badInput(field, `not a valid date: "${v}"`);
  return new Date(t);
}

export const lower = (v: string) => v.toLowerCase();
export const upper = (v: string | null | undefined) => (v ? v.toUpperCase() : v);
export const iso = (v: unknown): string | null => (v == null ? null : v instanceof Date ? v.toISOString() : new Date(v as string).toISOString());

export function checkIds(field: string, ids: readonly string[] | null | undefined) {
  for (const id of ids ?? []) if (!UUID.test(id)) throw badInput(field, `"${id}" is not a uuid`);
}

/** Caller's supplier scope intersected with a requested list (null = no restriction). */
export function scopeSuppliers(scope: string[] | null | undefined, requested: readonly string[] | null | undefined): string[] | null {
  if (!scope) return requested ? [...requested] : null;
  if (!requested) return scope;
  return requested.filter((r) => scope.includes(r));
}

/** Wraps an async source so that `return()` (client unsubscribed) aborts at once. */
export function mappedIterator<T, R>(
  source: AsyncIterator<T>,
  ac: AbortController,
  map: (v: T) => Promise<R | undefined>,
  opts: { initial?: () => Promise<R | undefined>; until?: (r: R) => boolean } = {},
): AsyncIterableIterator<R> {
  let started = false;
  let finished = false;
  const it: AsyncIterableIterator<R> = {
    async next() {
      if (finished) {
        // Ended by `until`: let go of the source (its bus subscription) too.
        ac.abort();
        await source.return?.();
        return { value: undefined, done: true };
      }
      if (!started) {
        started = true;
        const first = opts.initial ? await opts.initial() : undefined;
        if (first !== undefined) {
          if (opts.until?.(first)) finished = true;
          return { value: first, done: false };
        }
      }
      for (;;) {
        const n = await source.next();
        if (n.done) return { value: undefined, done: true };
        const r = await map(n.value);
        if (r === undefined) continue;
        if (opts.until?.(r)) finished = true;
        return { value: r, done: false };
      }
    },
    async return() {
      finished = true;
      ac.abort();
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}

function literal(ast: ValueNode, vars: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value, vars)]));
    case Kind.LIST:
      return ast.values.map((v) => literal(v, vars));
    case Kind.NULL:
      return null;
    case Kind.VARIABLE:
      return vars?.[ast.name.value];
    default:
      return undefined;
  }
}

export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Arbitrary JSON value',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (ast, vars) => literal(ast, vars),
});
