// Test-only plugins that exercise the gateway's subscription machinery generically:
//  - tc-suppliers owns Supplier (name) — resolved per event through the query plan;
//  - tc-alerts owns Alert/Hotspot and `alertRaised(minLevel, supplierIds, after)` with the same
//    contract as orchestration: replay alerts with seq > after from its table, then live from the bus
//    (no gap, no duplicate), filtered by the caller's supplier scope.
import { waitFor } from '@carbon-nexus/plugin-sdk/testkit';
import { GraphQLError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { canSeeSupplier, definePlugin, gql, requireRole, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import { alertRaised } from '@carbon-nexus/orchestration/client';

export const SUPPLIERS: Record<string, string> = {
  '11111111-1111-4111-8111-111111111111': 'Acme Freight',
  '22222222-2222-4222-8222-222222222222': 'Borealis Steel',
};
export const [S1, S2] = Object.keys(SUPPLIERS);

interface SupplierState {
  /** Number of `_entities` operations and the ids each resolved (batching evidence). */
  entityCalls: number;
  entityIds: string[][];
}

const pendingBatches = new WeakMap<object, string[]>();

export const tcSuppliers = definePlugin<SupplierState>({
  id: 'tc-suppliers',
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Supplier @key(fields: "id") {
      id: ID!
      name: String!
    }
    type Query {
      testSupplier(id: ID!): Supplier
    }
  `,
  init: () => ({ entityCalls: 0, entityIds: [] }),
  resolvers: {
    Query: { testSupplier: (_: unknown, a: { id: string }) => (SUPPLIERS[a.id] ? { id: a.id } : null) },
    Supplier: {
      __resolveReference(ref: { id: string }, ctx: ResolverContext<SupplierState>) {
        // One batch per _entities operation (keyed by its context): counts how many round trips the gateway made.
        let batch = pendingBatches.get(ctx);
        if (!batch) {
          batch = [];
          pendingBatches.set(ctx, batch);
          ctx.state.entityCalls++;
          ctx.state.entityIds.push(batch);
        }
        batch.push(ref.id);
        if (!canSeeSupplier(ctx.auth, ref.id)) return null;
        return SUPPLIERS[ref.id] ? { id: ref.id } : null;
      },
      name: (s: { id: string }) => SUPPLIERS[s.id],
    },
  },
});

interface AlertRow {
  seq: string;
  id: string;
  supplier_id: string;
  level: string;
  message: string;
}

interface AlertState {
  /** Upstream subscriptions opened on this plugin (sharing evidence). */
  subscribeCalls: number;
  active: number;
}

const LEVELS = ['INFO', 'WARN', 'CRITICAL'];
const rank = (l: string | null | undefined) => LEVELS.indexOf(String(l ?? 'INFO').toUpperCase());

function toAlert(r: AlertRow) {
  return { id: r.id, seq: String(r.seq), supplierId: r.supplier_id, level: r.level.toUpperCase(), message: r.message };
}

export const tcAlerts = definePlugin<AlertState>({
  id: 'tc-alerts',
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    enum Severity {
      INFO
      WARN
      CRITICAL
    }
    type Alert @key(fields: "id") {
      id: ID!
      cursor: String!
      level: Severity!
      message: String!
      hotspot: Hotspot!
      supplier: Supplier
    }
    type Hotspot @key(fields: "id") {
      id: ID!
      severity: Severity!
      supplier: Supplier
    }
    type Supplier @key(fields: "id", resolvable: false) {
      id: ID!
    }
    type Query {
      testAlertCount: Int!
    }
    type Mutation {
      raiseTestAlert(level: Severity!, supplierId: ID!, message: String): Alert!
    }
    type Subscription {
      alertRaised(minLevel: Severity, supplierIds: [ID!], after: String): Alert!
    }
  `,
  async init(services) {
    await services.db.exec(
      `CREATE TABLE IF NOT EXISTS tc_alerts (seq bigserial PRIMARY KEY, id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
         supplier_id text NOT NULL, level text NOT NULL, message text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
    );
    return { subscribeCalls: 0, active: 0 };
  },
  resolvers: {
    Query: {
      testAlertCount: async (_: unknown, __: unknown, ctx: ResolverContext<AlertState>) =>
        Number((await ctx.services.db.query<{ n: string }>('SELECT count(*) AS n FROM tc_alerts'))[0].n),
    },
    Mutation: {
      async raiseTestAlert(
        _: unknown,
        a: { level: string; supplierId: string; message?: string },
        ctx: ResolverContext<AlertState>,
      ) {
        requireRole(ctx.auth, 'analyst');
        const [row] = await ctx.services.db.query<AlertRow>(
          `INSERT INTO tc_alerts (supplier_id, level, message) VALUES ($1, $2, $3) RETURNING seq::text AS seq, id, supplier_id, level, message`,
          [
            a.supplierId,
            a.level.toLowerCase(),
            a.message ?? `${SUPPLIERS[a.supplierId] ?? a.supplierId} exceeded its baseline`,
          ],
        );
        // The row is committed first; the bus only signals.
        await ctx.services.bus.publish(alertRaised, {
          id: row.id,
          seq: row.seq,
          hotspotId: row.id,
          level: row.level,
          supplierId: row.supplier_id,
        });
        return toAlert(row);
      },
    },
    Subscription: {
      alertRaised: {
        subscribe: (
          _: unknown,
          a: { minLevel?: string; supplierIds?: string[]; after?: string },
          ctx: ResolverContext<AlertState>,
        ) => {
          const ac = new AbortController();
          return abortable(alertStream(a, ctx, ac), ac);
        },
      },
    },
    Alert: {
      cursor: (a: { seq: string }) => a.seq,
      hotspot: (a: { id: string; level: string; supplierId: string }) => ({
        id: a.id,
        severity: a.level,
        supplierId: a.supplierId,
      }),
      supplier: (a: { supplierId: string }) => ({ id: a.supplierId }),
      async __resolveReference(ref: { id: string }, ctx: ResolverContext<AlertState>) {
        const [r] = await ctx.services.db.query<AlertRow>(
          `SELECT seq::text AS seq, id, supplier_id, level, message FROM tc_alerts WHERE id = $1`,
          [ref.id],
        );
        return r && canSeeSupplier(ctx.auth, r.supplier_id) ? toAlert(r) : null;
      },
    },
    Hotspot: {
      supplier: (h: { supplierId: string }) => ({ id: h.supplierId }),
    },
  },
});

async function* alertStream(
  a: { minLevel?: string; supplierIds?: string[]; after?: string },
  ctx: ResolverContext<AlertState>,
  ac: AbortController,
) {
  if (a.after != null && !/^\d+$/.test(a.after))
    throw new GraphQLError('after: must be an alert cursor (digits)', { extensions: { code: 'BAD_USER_INPUT' } });
  const wanted = (r: { level: string; supplierId: string }) =>
    rank(r.level) >= rank(a.minLevel) &&
    canSeeSupplier(ctx.auth, r.supplierId) &&
    (!a.supplierIds || a.supplierIds.includes(r.supplierId));
  ctx.state.subscribeCalls++;
  ctx.state.active++;
  // Listen first, then replay: events raised during the replay are buffered, then deduplicated by seq.
  const live = ctx.services.bus.iterate(alertRaised, { signal: ac.signal, bufferSize: 10_000 });
  try {
    let last = a.after != null ? BigInt(a.after) : null;
    if (a.after != null) {
      const rows = await ctx.services.db.query<AlertRow>(
        `SELECT seq::text AS seq, id, supplier_id, level, message FROM tc_alerts WHERE seq > $1 ORDER BY tc_alerts.seq`,
        [a.after],
      );
      for (const r of rows) {
        last = BigInt(r.seq);
        const alert = toAlert(r);
        if (wanted(alert)) yield { alertRaised: alert };
      }
    }
    for await (const ev of live) {
      if (last !== null && BigInt(ev.seq) <= last) continue;
      if (last !== null) last = BigInt(ev.seq);
      const [r] = await ctx.services.db.query<AlertRow>(
        `SELECT seq::text AS seq, id, supplier_id, level, message FROM tc_alerts WHERE id = $1`,
        [ev.id],
      );
      if (!r) continue;
      const alert = toAlert(r);
      if (wanted(alert)) yield { alertRaised: alert };
    }
  } finally {
    ctx.state.active--;
    ac.abort();
  }
}

/** An async generator blocked on `await` only honours return() at its next yield: abort the bus
 *  iterator first so a client that leaves releases the stream at once. */
function abortable<T>(gen: AsyncGenerator<T>, ac: AbortController): AsyncIterableIterator<T> {
  const it: AsyncIterableIterator<T> = {
    next: () => gen.next(),
    return: (v?: any) => {
      ac.abort();
      return gen.return(v);
    },
    throw: (e?: unknown) => {
      ac.abort();
      return gen.throw(e);
    },
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}

export const ALERT_SUBSCRIPTION = /* GraphQL */ `
  subscription Alerts($minLevel: Severity, $supplierIds: [ID!], $after: String) {
    alertRaised(minLevel: $minLevel, supplierIds: $supplierIds, after: $after) {
      id
      cursor
      level
      message
      hotspot { id severity supplier { id name } }
      supplier { name }
    }
  }
`;

export const RAISE = /* GraphQL */ `
  mutation Raise($level: Severity!, $supplierId: ID!, $message: String) {
    raiseTestAlert(level: $level, supplierId: $supplierId, message: $message) { id cursor }
  }
`;

/** A real graphql-ws client (the `ws` implementation) against a gateway base URL. */
export function wsClient(
  baseUrl: string,
  token?: string,
  extra: Partial<Parameters<typeof createClient>[0]> = {},
): Client {
  return createClient({
    url: baseUrl.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    ...extra,
  });
}

/** Collects results of a subscription until `count` arrived (or the stream ends / errors). */
export function collect<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: { data?: T; errors?: any[]; extensions?: any }[] = [];
  let error: unknown = null;
  let completed = false;
  const waiters: (() => void)[] = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (r) => {
        results.push(r as any);
        notify();
      },
      error: (e) => {
        error = e;
        notify();
      },
      complete: () => {
        completed = true;
        notify();
      },
    },
  );
  return {
    results,
    get error() {
      return error;
    },
    get completed() {
      return completed;
    },
    dispose,
    /** Resolves when `pred` holds (checked on each result / end), rejects after `ms`. */
    async until(pred: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
      const deadline = Date.now() + ms;
      while (!pred()) {
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(
            `timed out waiting for ${what}; got ${JSON.stringify(results).slice(0, 500)} error=${String((error as any)?.reason ?? error)}`,
          );
        await new Promise<void>((r) => {
          const t = setTimeout(r, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    },
  };
}

/** Bounded polling: the testkit's `waitFor` with this file's argument order. */
export function eventually<T>(
  fn: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  ms = 10_000,
  what = 'condition',
): Promise<T> {
  return waitFor(what, fn, ms);
}

/** POSTs a GraphQL operation to a gateway. */
export async function gql_(baseUrl: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(baseUrl + '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: any[] };
}
