// What data-core's resolvers share beyond the SDK's resolver kit: typed access to its services and state, the
// looser date-time rule of its public arguments, its reading of supplier filters, and subscription iterators.
import { badInput, isUuid, scopedSuppliers, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { Services } from '../config.ts';
import type { DataCoreState } from '../state.ts';

export const svc = (ctx: ResolverContext) => ctx.services as Services;
export const st = (ctx: ResolverContext) => ctx.state as DataCoreState;

/**
 * A date-time argument. Looser than the kit's RFC 3339 `parseDateTime` on purpose: data-core's public arguments have
 * always accepted `±hhmm` offsets and a space instead of `T`, and API clients may send them.
 */
export function parseTime(field: string, v: string): Date {
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(v.trim())) {
    throw badInput(field, 'must be an ISO-8601 timestamp with time zone (Z or ±hh:mm)');
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw badInput(field, `not a valid date: "${v}"`);
  return new Date(t);
}

/**
 * The suppliers a read may touch: the requested ids intersected with the caller's scope (null = no restriction).
 * Outside the scope reads empty, not FORBIDDEN; an explicit empty list selects no supplier (the kit reads it as no
 * filter). Ids that are not uuids select nothing.
 */
export function supplierFilter(ctx: ResolverContext, requested: readonly string[] | null | undefined): string[] | null {
  if (requested && requested.length === 0) return [];
  const suppliers = scopedSuppliers(ctx.auth?.supplierIds ?? null, requested, { outside: 'empty' });
  return suppliers && suppliers.filter(isUuid);
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
