// GraphQL API of the partners plugin: register / list / inspect / replay / delete webhooks.
import {
  badInput,
  isUuid,
  notFound,
  requireRole,
  toIso,
  type AuthClaims,
  type ResolverContext,
  type ResultOf,
} from '@carbon-nexus/plugin-sdk';
import { AlertsPage } from '@carbon-nexus/orchestration/client';
import {
  DELIVERY_COLUMNS,
  EVENT_TYPES,
  TOPIC_TO_TYPE,
  enqueue,
  type DeliveryRow,
  type DeliveryWorker,
  type EventTypeName,
  type OutboxEvent,
  REQUEUE,
  type Services,
  type WebhookRow,
} from './deliveries.ts';
import { newSecret } from './signing.ts';
import { assertPublicDestination } from './destination.ts';

export interface PartnersState {
  worker: DeliveryWorker;
}

type Ctx = ResolverContext<PartnersState, Services['config']>;

const isAdmin = (auth: AuthClaims) => auth.roles.includes('admin') || auth.roles.includes('system');
const MAX_REPLAY = 10_000;

function webhookToGraph(w: WebhookRow) {
  return {
    id: w.id,
    url: w.url,
    events: w.events.map((e) => TOPIC_TO_TYPE[e as keyof typeof TOPIC_TO_TYPE]).filter(Boolean),
    minLevel: w.min_level.toUpperCase(),
    supplierIds: w.supplier_ids,
    description: w.description,
    createdAt: toIso(w.created_at),
  };
}

function deliveryToGraph(d: DeliveryRow) {
  return {
    id: d.id,
    cursor: d.seq,
    webhookId: d.webhook_id,
    eventType: TOPIC_TO_TYPE[d.event_type],
    eventId: d.event_id,
    eventCursor: d.event_cursor,
    status: d.status.toUpperCase(),
    attempts: d.attempts,
    nextAttemptAt: toIso(d.next_attempt_at),
    lastStatusCode: d.last_status_code,
    lastError: d.last_error,
    createdAt: toIso(d.created_at),
    deliveredAt: toIso(d.delivered_at),
    body: d.body,
  };
}

/** The caller's webhook (partners see their own; admin all), or NOT_FOUND. */
async function ownWebhook(ctx: Ctx, id: string): Promise<WebhookRow> {
  const auth = requireRole(ctx.auth, 'partner');
  if (!isUuid(id)) throw badInput('id', 'must be a webhook id (uuid)');
  const [w] = await ctx.services.db.query<WebhookRow>(`SELECT * FROM webhooks WHERE id = $1 AND deleted_at IS NULL`, [
    id,
  ]);
  if (!w || (!isAdmin(auth) && w.owner_sub !== auth.sub)) throw notFound('webhook', id);
  return w;
}

function validateUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw badInput('url', 'must be an absolute http(s) URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw badInput('url', 'must use https (or http)');
  if (u.username || u.password)
    throw badInput('url', 'must not carry credentials; the signature authenticates deliveries');
  return u.toString();
}

export const resolvers = {
  Query: {
    async webhooks(_: unknown, __: unknown, ctx: Ctx) {
      const auth = requireRole(ctx.auth, 'partner');
      const rows = await ctx.services.db.query<WebhookRow>(
        `SELECT * FROM webhooks WHERE deleted_at IS NULL AND ($1::text IS NULL OR owner_sub = $1) ORDER BY created_at`,
        [isAdmin(auth) ? null : auth.sub],
      );
      return rows.map(webhookToGraph);
    },
    async webhook(_: unknown, a: { id: string }, ctx: Ctx) {
      try {
        return webhookToGraph(await ownWebhook(ctx, a.id));
      } catch (err) {
        if ((err as { extensions?: { code?: string } }).extensions?.code === 'NOT_FOUND') return null;
        throw err;
      }
    },
    async webhookDeliveries(
      _: unknown,
      a: { webhookId: string; status?: string | null; first?: number | null; after?: string | null },
      ctx: Ctx,
    ) {
      await ownWebhook(ctx, a.webhookId);
      const first = a.first ?? 50;
      if (!Number.isInteger(first) || first < 1 || first > 200) throw badInput('first', 'must be between 1 and 200');
      if (a.after != null && !/^\d{1,19}$/.test(a.after)) throw badInput('after', 'must be a delivery cursor');
      const rows = await ctx.services.db.query<DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries
         WHERE webhook_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR seq < $3::bigint)
         ORDER BY seq DESC LIMIT ${first + 1}`,
        [a.webhookId, a.status ? a.status.toLowerCase() : null, a.after ?? null],
      );
      const page = rows.slice(0, first).map(deliveryToGraph);
      return {
        edges: page.map((n) => ({ cursor: n.cursor, node: n })),
        nodes: page,
        pageInfo: { hasNextPage: rows.length > first, endCursor: page.at(-1)?.cursor ?? null },
      };
    },
  },
  Mutation: {
    async registerWebhook(
      _: unknown,
      a: {
        url: string;
        events: EventTypeName[];
        minLevel?: string | null;
        supplierIds?: string[] | null;
        description?: string | null;
      },
      ctx: Ctx,
    ) {
      const auth = requireRole(ctx.auth, 'partner');
      const url = validateUrl(a.url);
      if (!ctx.state.worker.allowPrivate)
        await assertPublicDestination(url).catch((err) => Promise.reject(badInput('url', (err as Error).message)));
      if (!a.events.length) throw badInput('events', 'choose at least one event type');
      let suppliers = a.supplierIds ?? [];
      // A supplier-scoped partner only ever receives its own suppliers' events.
      if (auth.supplierIds) {
        const outside = suppliers.filter((s) => !auth.supplierIds!.includes(s));
        if (outside.length) throw badInput('supplierIds', `not in your supplier scope: ${outside.join(', ')}`);
        if (!suppliers.length) suppliers = auth.supplierIds;
        if (!suppliers.length) throw badInput('supplierIds', 'your token has no suppliers in scope');
      }
      const secret = newSecret();
      const [w] = await ctx.services.db.transaction(async (tx) => {
        const rows = await tx.query<WebhookRow>(
          `INSERT INTO webhooks (id, owner_sub, url, events, min_level, supplier_ids, description, secret, updated_at)
           VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, now()) RETURNING *`,
          [
            auth.sub,
            url,
            [...new Set(a.events.map((e) => EVENT_TYPES[e]))],
            (a.minLevel ?? 'INFO').toLowerCase(),
            suppliers,
            a.description ?? null,
            ctx.state.worker.secrets.seal(secret),
          ],
        );
        await ctx.services.audit(
          {
            action: 'webhook.register',
            entityType: 'webhook',
            entityId: rows[0].id,
            metadata: { url, events: a.events },
          },
          tx,
        );
        return rows;
      });
      return { webhook: webhookToGraph(w), secret };
    },
    async deleteWebhook(_: unknown, a: { id: string }, ctx: Ctx) {
      const w = await ownWebhook(ctx, a.id);
      await ctx.services.db.transaction(async (tx) => {
        await tx.query(`UPDATE webhooks SET deleted_at = now(), updated_at = now() WHERE id = $1`, [w.id]);
        await tx.query(
          `UPDATE webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL, updated_at = now() WHERE webhook_id = $1 AND status IN ('pending', 'retrying')`,
          [w.id],
        );
        await ctx.services.audit({ action: 'webhook.delete', entityType: 'webhook', entityId: w.id }, tx);
      });
      return true;
    },
    async replayWebhookDelivery(_: unknown, a: { id: string }, ctx: Ctx) {
      requireRole(ctx.auth, 'partner');
      if (!isUuid(a.id)) throw badInput('id', 'must be a delivery id (uuid)');
      const [d] = await ctx.services.db.query<DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1`,
        [a.id],
      );
      if (!d) throw notFound('webhook delivery', a.id);
      await ownWebhook(ctx, d.webhook_id).catch(() => {
        throw notFound('webhook delivery', a.id);
      });
      const [row] = await ctx.services.db.query<DeliveryRow>(
        `UPDATE webhook_deliveries SET ${REQUEUE} WHERE id = $1 RETURNING ${DELIVERY_COLUMNS}`,
        [a.id],
      );
      await ctx.services.audit({ action: 'webhook.replay', entityType: 'webhook_delivery', entityId: a.id });
      void ctx.state.worker.kick().catch(() => undefined);
      return deliveryToGraph(row);
    },
    async replayWebhooksSince(_: unknown, a: { webhookId: string; cursor: string }, ctx: Ctx) {
      const w = await ownWebhook(ctx, a.webhookId);
      if (!/^\d{1,19}$/.test(a.cursor))
        throw badInput('cursor', 'must be an alert cursor (a non-negative integer string)');
      if (!w.events.includes('alert.raised'))
        throw badInput('webhookId', 'this webhook is not subscribed to ALERT_RAISED');
      const since = BigInt(a.cursor);
      // orchestration pages alerts newest first; walk back until the cursor.
      const found: OutboxEvent[] = [];
      let after: string | null = null;
      for (;;) {
        const { alerts }: ResultOf<typeof AlertsPage> = await ctx.services.call(AlertsPage, { first: 500, after });
        let reached = false;
        for (const n of alerts.nodes) {
          if (BigInt(n.cursor) <= since) {
            reached = true;
            break;
          }
          const supplierId = n.supplier?.id ?? n.hotspot.supplier?.id ?? null;
          const level = String(n.level).toLowerCase();
          found.push({
            topic: 'alert.raised',
            eventId: n.id,
            cursor: n.cursor,
            level,
            supplierId,
            signal: { id: n.id, seq: n.cursor, hotspotId: n.hotspot.id, level, supplierId },
          });
        }
        if (found.length > MAX_REPLAY)
          throw badInput('cursor', `more than ${MAX_REPLAY} alerts after this cursor; replay from a later one`);
        if (reached || !alerts.pageInfo.hasNextPage) break;
        after = alerts.pageInfo.endCursor;
      }
      let queued = 0;
      // Oldest first, so the partner receives them in order.
      for (const e of found.reverse())
        queued += await enqueue(ctx.services as Services, e, { webhookId: w.id, requeue: true });
      await ctx.services.audit({
        action: 'webhook.replay_since',
        entityType: 'webhook',
        entityId: w.id,
        metadata: { cursor: a.cursor, queued },
      });
      void ctx.state.worker.kick().catch(() => undefined);
      return queued;
    },
  },
  Webhook: {
    async stats(w: { id: string }, _: unknown, ctx: Ctx) {
      const rows = await ctx.services.db.query<{ status: string; n: string }>(
        `SELECT status, count(*)::text AS n FROM webhook_deliveries WHERE webhook_id = $1 GROUP BY status`,
        [w.id],
      );
      const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
      return {
        pending: (by.pending ?? 0) + (by.sending ?? 0),
        succeeded: by.succeeded ?? 0,
        retrying: by.retrying ?? 0,
        dead: by.dead ?? 0,
      };
    },
  },
  WebhookDelivery: {
    async attemptLog(d: { id: string }, _: unknown, ctx: Ctx) {
      const rows = await ctx.services.db.query<{
        attempt: number;
        status_code: number | null;
        error: string | null;
        duration_ms: number;
        created_at: Date;
      }>(
        `SELECT attempt, status_code, error, duration_ms, created_at FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id`,
        [d.id],
      );
      return rows.map((r) => ({
        attempt: r.attempt,
        statusCode: r.status_code,
        error: r.error,
        durationMs: r.duration_ms,
        at: toIso(r.created_at),
      }));
    },
  },
};
