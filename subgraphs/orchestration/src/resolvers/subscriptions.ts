// Subscription streams over the bus with supplier scoping and filters.
// alertRaised(after): subscribe to the live topic FIRST (buffering), then replay rows with seq > after from the
// alerts table in seq order, then drain live messages skipping seq <= the last replayed one: no gap, no duplicate.
// (Detection cycles are serialized by an advisory lock, so alert seq values become visible in order.)
import { badInput, supplierScopeSql, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { HotspotChange, SubscriptionResolvers } from '../generated/resolvers-types.ts';
import type { HotspotParent } from './parents.ts';

type HotspotEvent = { change: HotspotChange; hotspot: HotspotParent; at: string };
import {
  ALERT_COLUMNS,
  alertToGraph,
  HOTSPOT_COLUMNS,
  hotspotToGraph,
  type AlertRow,
  type HotspotRow,
} from '../store/rows.ts';
import { levelRank, levelsAtLeast } from '../domain/severity.ts';
import { visibleSuppliers } from './common.ts';
import { alertRaised, hotspotChanged } from '../../client/topics.ts';

const REPLAY_PAGE = 500;

/** Supplier filter: the caller's scope intersected with the requested ids (null = no restriction). */
export function supplierFilter(
  ctx: ResolverContext,
  requested: readonly string[] | null | undefined,
): Set<string> | null {
  const suppliers = visibleSuppliers(ctx, requested);
  return suppliers ? new Set(suppliers) : null;
}

const visible = (filter: Set<string> | null, supplierId: string | null) =>
  filter === null || (!!supplierId && filter.has(supplierId));

/** Wraps an async generator so that return() also ends a pending wait on the bus (client left). */
function closable<T>(ac: AbortController, gen: AsyncGenerator<T, void>): AsyncIterableIterator<T> {
  const it: AsyncIterableIterator<T> = {
    next: () => gen.next(),
    async return() {
      ac.abort();
      return gen.return(undefined);
    },
    async throw(e) {
      ac.abort();
      return gen.throw(e);
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}

export function alertStream(
  ctx: ResolverContext,
  args: { minLevel?: string | null; supplierIds?: readonly string[] | null; after?: string | null },
) {
  let after: bigint | null = null;
  if (args.after != null) {
    if (!/^\d{1,19}$/.test(args.after))
      throw badInput('after', 'must be an alert cursor (a non-negative integer string)');
    after = BigInt(args.after);
  }
  const filter = supplierFilter(ctx, args.supplierIds);
  const levels = levelsAtLeast(args.minLevel);
  const db = ctx.services.db;
  // Subscribe to the live topic now (buffering), before the replay query runs.
  const ac = new AbortController();
  const live = ctx.services.bus.iterate(alertRaised, { signal: ac.signal, bufferSize: 10_000 });
  return closable<ReturnType<typeof alertToGraph>>(
    ac,
    (async function* () {
      try {
        let last = after;
        if (after !== null) {
          for (;;) {
            const params: unknown[] = [String(last), levels];
            const rows = await db.query<AlertRow>(
              `SELECT ${ALERT_COLUMNS} FROM alerts WHERE seq > $1 AND level = ANY($2::text[])
               AND ${supplierScopeSql(filter && [...filter], params)} ORDER BY seq LIMIT ${REPLAY_PAGE}`,
              params,
            );
            for (const r of rows) {
              last = BigInt(r.seq);
              yield alertToGraph(r);
            }
            if (rows.length < REPLAY_PAGE) break;
          }
        }
        for await (const p of live) {
          if (last !== null && BigInt(p.seq) <= last) continue;
          if (!(levels as readonly string[]).includes(p.level) || !visible(filter, p.supplierId)) continue;
          const [row] = await db.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1`, [p.id]);
          if (!row) continue;
          last = BigInt(row.seq);
          yield alertToGraph(row);
        }
      } finally {
        await live.return?.();
      }
    })(),
  );
}

export function hotspotStream(
  ctx: ResolverContext,
  args: { minSeverity?: string | null; supplierIds?: readonly string[] | null },
) {
  const filter = supplierFilter(ctx, args.supplierIds);
  const min = levelRank(args.minSeverity ?? 'info');
  const db = ctx.services.db;
  const ac = new AbortController();
  const live = ctx.services.bus.iterate(hotspotChanged, { signal: ac.signal, bufferSize: 10_000 });
  return closable<HotspotEvent>(
    ac,
    (async function* () {
      try {
        for await (const p of live) {
          if (levelRank(p.severity) < min || !visible(filter, p.supplierId)) continue;
          const [row] = await db.query<HotspotRow>(`SELECT ${HOTSPOT_COLUMNS} FROM hotspots WHERE id = $1`, [p.id]);
          if (!row) continue;
          yield {
            change: p.change.toUpperCase() as HotspotChange,
            hotspot: hotspotToGraph(row),
            at: new Date().toISOString(),
          };
        }
      } finally {
        await live.return?.();
      }
    })(),
  );
}

export const subscriptions: SubscriptionResolvers = {
  hotspotDetected: {
    subscribe: (_, args, ctx) => hotspotStream(ctx, args),
    resolve: (event: HotspotEvent) => event,
  },
  alertRaised: {
    subscribe: (_, args, ctx) => alertStream(ctx, args),
    resolve: (alert: ReturnType<typeof alertToGraph>) => alert,
  },
};
