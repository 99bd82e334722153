// Subscription streams over the bus with supplier scoping and filters.
// alertRaised(after) and hotspotDetected(after) resume from a cursor (replayThenLive): subscribe to the live topic
// FIRST (buffering), then replay rows with seq > after from the durable table (alerts, hotspot_changes) in seq order,
// then drain live messages skipping seq <= the last replayed one: no gap, no duplicate. (Every writer of those seq
// values holds detection's advisory lock until it commits, so they become visible in order.)
import { badInput, supplierScopeSql, toIso, type BusTopic, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { HotspotChange, SubscriptionResolvers } from '../generated/resolvers-types.ts';
import type { HotspotParent } from './parents.ts';
import {
  ALERT_COLUMNS,
  alertToGraph,
  HOTSPOT_COLUMNS,
  hotspotToGraph,
  type AlertRow,
  type HotspotRow,
} from '../store/rows.ts';
import { changesWhere, type HotspotChangeRow } from '../store/hotspot-changes.ts';
import { assertCursorKept } from '../store/history-retention.ts';
import { levelRank, levelsAtLeast } from '../domain/severity.ts';
import { visibleSuppliers } from './common.ts';
import { alertRaised, hotspotChanged, type AlertRaised, type HotspotChanged } from '../../client/topics.ts';

type HotspotEvent = { change: HotspotChange; hotspot: HotspotParent; at: string; cursor: string };

const REPLAY_PAGE = 500;
const MAX_SEQ = 2n ** 63n - 1n;

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

/** A resume cursor argument: null, or a seq (a non-negative integer string); anything else is refused naming `after`. */
function parseAfter(after: string | null | undefined, what: string): bigint | null {
  if (after == null) return null;
  const seq = /^\d{1,19}$/.test(after) ? BigInt(after) : null;
  if (seq === null || seq > MAX_SEQ) throw badInput('after', `must be ${what} (a non-negative integer string)`);
  return seq;
}

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

/** What one resumable stream reads: its durable rows, its live messages and how both become events. */
interface ResumableSource<Msg, Row, Event> {
  /** Where live messages arrive (subscribed before the replay runs). */
  topic: BusTopic<Msg>;
  /** The subscriber's rows with seq > after, in seq order, at most REPLAY_PAGE (filtered as live messages are). */
  replay(after: bigint): Promise<Row[]>;
  /** A live message's seq (undefined: its producer logged none, so it cannot be deduplicated). */
  messageSeq(msg: Msg): string | undefined;
  /** The row of a live message, if the message passes the subscriber's filters. */
  live(msg: Msg): Promise<Row | undefined>;
  /** A row's seq (null: an unlogged change). */
  seqOf(row: Row): bigint | null;
  /** The event for a row; `cursor` is the row's seq, or the last one before it for an unlogged row. null: skip. */
  toEvent(row: Row, cursor: bigint | null): Event | null;
}

/**
 * Replay-then-live: the live topic is subscribed now (buffering); with a cursor, rows with seq > after are replayed
 * page by page; then live messages follow, skipping those whose seq was already delivered.
 */
function replayThenLive<Msg, Row, Event>(
  ctx: ResolverContext,
  after: bigint | null,
  source: ResumableSource<Msg, Row, Event>,
): AsyncIterableIterator<Event> {
  const ac = new AbortController();
  const live = ctx.services.bus.iterate(source.topic, { signal: ac.signal, bufferSize: 10_000 });
  return closable<Event>(
    ac,
    (async function* () {
      try {
        let last = after;
        if (last !== null) {
          for (;;) {
            const rows = await source.replay(last);
            for (const r of rows) {
              last = source.seqOf(r) ?? last;
              const event = source.toEvent(r, last);
              if (event) yield event;
            }
            if (rows.length < REPLAY_PAGE) break;
          }
        }
        for await (const p of live) {
          const seq = source.messageSeq(p);
          if (seq !== undefined && last !== null && BigInt(seq) <= last) continue;
          const row = await source.live(p);
          if (!row) continue;
          last = source.seqOf(row) ?? last;
          const event = source.toEvent(row, last);
          if (event) yield event;
        }
      } finally {
        await live.return?.();
      }
    })(),
  );
}

export function alertStream(
  ctx: ResolverContext,
  args: { minLevel?: string | null; supplierIds?: readonly string[] | null; after?: string | null },
) {
  const after = parseAfter(args.after, 'an alert cursor');
  const filter = supplierFilter(ctx, args.supplierIds);
  const levels: readonly string[] = levelsAtLeast(args.minLevel);
  const db = ctx.services.db;
  return replayThenLive<AlertRaised, AlertRow, ReturnType<typeof alertToGraph>>(ctx, after, {
    topic: alertRaised,
    replay: (from) => {
      const params: unknown[] = [String(from), levels];
      return db.query<AlertRow>(
        `SELECT ${ALERT_COLUMNS} FROM alerts WHERE seq > $1 AND level = ANY($2::text[])
         AND ${supplierScopeSql(filter && [...filter], params)} ORDER BY seq LIMIT ${REPLAY_PAGE}`,
        params,
      );
    },
    messageSeq: (p) => p.seq,
    live: async (p) => {
      if (!levels.includes(p.level) || !visible(filter, p.supplierId)) return undefined;
      const [row] = await db.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = $1`, [p.id]);
      return row;
    },
    seqOf: (row) => BigInt(row.seq),
    toEvent: (row) => alertToGraph(row),
  });
}

export function hotspotStream(
  ctx: ResolverContext,
  args: { minSeverity?: string | null; supplierIds?: readonly string[] | null; after?: string | null },
) {
  const after = parseAfter(args.after, 'a hotspot change cursor');
  const filter = supplierFilter(ctx, args.supplierIds);
  const min = levelRank(args.minSeverity ?? 'info');
  const severities: readonly string[] = levelsAtLeast(args.minSeverity);
  const db = ctx.services.db;
  return replayThenLive<HotspotChanged, HotspotChangeRow, HotspotEvent>(ctx, after, {
    topic: hotspotChanged,
    // The change's severity and supplier filter the replay as they filter live messages; the hotspot is its
    // current row, as live.
    replay: (from) => {
      const params: unknown[] = [String(from), severities];
      const scope = supplierScopeSql(filter && [...filter], params, 'c.supplier_id');
      return db.query<HotspotChangeRow>(
        changesWhere(`c.seq > $1 AND c.severity = ANY($2::text[]) AND ${scope}`, REPLAY_PAGE),
        params,
      );
    },
    messageSeq: (p) => p.seq,
    live: async (p) => {
      if (levelRank(p.severity) < min || !visible(filter, p.supplierId)) return undefined;
      if (p.seq !== undefined) {
        const [row] = await db.query<HotspotChangeRow>(changesWhere(`c.seq = $1`, 1), [p.seq]);
        return row;
      }
      // From a producer that logs no change: the current row, delivered now.
      const [row] = await db.query<HotspotRow>(`SELECT ${HOTSPOT_COLUMNS} FROM hotspots WHERE id = $1`, [p.id]);
      return row && { ...row, change_seq: null, change_kind: p.change, change_at: new Date() };
    },
    seqOf: (row) => (row.change_seq === null ? null : BigInt(row.change_seq)),
    toEvent: (row, cursor) =>
      row.id === null
        ? null // the hotspot no longer exists
        : {
            change: row.change_kind.toUpperCase() as HotspotChange,
            hotspot: hotspotToGraph(row),
            at: toIso(row.change_at),
            // An unlogged change resumes from the change before it (0: from the start of the log).
            cursor: String(cursor ?? 0n),
          },
  });
}

export const subscriptions: SubscriptionResolvers = {
  // A cursor older than the kept history is refused before anything is streamed (retention removed rows after it).
  hotspotDetected: {
    subscribe: async (_, args, ctx) => {
      await assertCursorKept(ctx.services.db, 'hotspot_changes', parseAfter(args.after, 'a hotspot change cursor'));
      return hotspotStream(ctx, args);
    },
    resolve: (event: HotspotEvent) => event,
  },
  alertRaised: {
    subscribe: async (_, args, ctx) => {
      await assertCursorKept(ctx.services.db, 'alerts', parseAfter(args.after, 'an alert cursor'));
      return alertStream(ctx, args);
    },
    resolve: (alert: ReturnType<typeof alertToGraph>) => alert,
  },
};
