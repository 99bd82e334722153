// The webhook outbox: bus signals become webhook_deliveries rows FIRST; a worker loop (every replica,
// rows claimed with FOR UPDATE SKIP LOCKED and a lease) builds, signs and POSTs them, retries with
// exponential backoff + jitter, and dead-letters after the maximum number of attempts.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import type { AlertRaised, HotspotChanged } from '@carbon-nexus/orchestration/client';
import type { RecommendationCreated, RecommendationUpdated } from '@carbon-nexus/recommendations/client';
import { runInScope, SYSTEM_CLAIMS, PluginAbsentError } from '@carbon-nexus/plugin-sdk';
import { SupplierNames } from '@carbon-nexus/data-core/client';
import { AlertWebhookPayloads, HotspotWebhookPayloads } from '@carbon-nexus/orchestration/client';
import { RecommendationWebhookPayloads } from '@carbon-nexus/recommendations/client';
import { backoffMs, secretCodec, signedHeaders } from './signing.ts';
import { deliveryFetch, type DeliveryFetch } from './destination.ts';

export interface WebhooksConfig {
  WEBHOOK_MAX_ATTEMPTS: number;
  WEBHOOK_BACKOFF_BASE_MS: number;
  WEBHOOK_BACKOFF_MAX_MS: number;
  WEBHOOK_TIMEOUT_MS: number;
  WEBHOOK_POLL_MS: number;
  WEBHOOK_WORKER: boolean;
  WEBHOOK_CONCURRENCY: number;
  WEBHOOK_LEASE_MS: number;
  WEBHOOK_ENCRYPTION_KEY?: string;
  WEBHOOK_PRIVATE_NETWORKS: 'auto' | 'allow' | 'deny';
}

export type Services = PluginServices<WebhooksConfig>;

/** Webhook event type (GraphQL enum) <-> stored topic name. */
export const EVENT_TYPES = {
  ALERT_RAISED: 'alert.raised',
  HOTSPOT_DETECTED: 'hotspot.detected',
  HOTSPOT_RESOLVED: 'hotspot.resolved',
  RECOMMENDATION_CREATED: 'recommendation.created',
  RECOMMENDATION_UPDATED: 'recommendation.updated',
} as const;
export type EventTypeName = keyof typeof EVENT_TYPES;
export type EventTopic = (typeof EVENT_TYPES)[EventTypeName];
export const TOPIC_TO_TYPE = Object.fromEntries(Object.entries(EVENT_TYPES).map(([k, v]) => [v, k])) as Record<
  EventTopic,
  EventTypeName
>;

const LEVELS = ['info', 'warn', 'critical'];
export const levelRank = (l: string | null | undefined) =>
  Math.max(0, LEVELS.indexOf(String(l ?? 'info').toLowerCase()));

export interface DeliveryRow {
  seq: string;
  id: string;
  webhook_id: string;
  event_type: EventTopic;
  event_id: string;
  event_cursor: string | null;
  signal: DeliverySignal;
  body: string | null;
  status: string;
  attempts: number;
  next_attempt_at: Date | string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date | string;
  delivered_at: Date | string | null;
  /** Set on rows claimed by the worker (runOnce): the token its outcome must still find. */
  claim?: string;
}

/** The bus signal stored with a delivery (the topic's payload, see toOutboxEvent): what a body is built from. */
export type DeliverySignal = Record<string, unknown> & { id: string; seq?: string; level?: string; change?: string };

export interface WebhookRow {
  id: string;
  owner_sub: string;
  url: string;
  events: string[];
  min_level: string;
  supplier_ids: string[];
  description: string | null;
  secret: string;
  created_at: Date | string;
  deleted_at: Date | string | null;
}

export const DELIVERY_COLUMNS = `seq::text AS seq, id, webhook_id, event_type, event_id, event_cursor, signal, body, status, attempts,
  next_attempt_at, last_status_code, last_error, created_at, delivered_at`;

/** One event as the outbox sees it. */
export interface OutboxEvent {
  topic: EventTopic;
  eventId: string;
  cursor: string | null;
  level: string | null;
  supplierId: string | null;
  signal: Record<string, unknown>;
}

/** The bus topics webhooks deliver, by name. */
export interface WebhookSignals {
  'alert.raised': AlertRaised;
  'hotspot.changed': HotspotChanged;
  'recommendation.created': RecommendationCreated;
  'recommendation.updated': RecommendationUpdated;
}

/** Maps a bus message to the outbox event (null = not something webhooks deliver). */
export function toOutboxEvent<T extends keyof WebhookSignals>(
  topic: T,
  p: WebhookSignals[T],
  publishedAt: number,
): OutboxEvent | null {
  switch (topic) {
    case 'alert.raised': {
      const a = p as AlertRaised;
      return {
        topic: 'alert.raised',
        eventId: a.id,
        cursor: a.seq,
        level: a.level,
        supplierId: a.supplierId,
        signal: a,
      };
    }
    case 'hotspot.changed': {
      const h = p as HotspotChanged;
      const t =
        h.change === 'created' || h.change === 'escalated'
          ? 'hotspot.detected'
          : h.change === 'resolved'
            ? 'hotspot.resolved'
            : null;
      if (!t) return null;
      // publishedAt is the same for every replica that receives this message: duplicates collapse on the unique key.
      return {
        topic: t,
        eventId: `${h.id}:${h.change}:${h.severity}:${publishedAt}`,
        cursor: null,
        level: h.severity,
        supplierId: h.supplierId,
        signal: h,
      };
    }
    case 'recommendation.created': {
      const r = p as RecommendationCreated;
      return {
        topic: 'recommendation.created',
        eventId: r.id,
        cursor: null,
        level: null,
        supplierId: r.supplierId,
        signal: r,
      };
    }
    case 'recommendation.updated': {
      const r = p as RecommendationUpdated;
      return {
        topic: 'recommendation.updated',
        eventId: `${r.id}:${r.status}`,
        cursor: null,
        level: null,
        supplierId: r.supplierId,
        signal: r,
      };
    }
    default:
      return null;
  }
}

/** The webhooks that want this event (type, level, supplier filter). */
export function matches(w: Pick<WebhookRow, 'events' | 'min_level' | 'supplier_ids'>, e: OutboxEvent): boolean {
  if (!w.events.includes(e.topic)) return false;
  if (e.level !== null && levelRank(e.level) < levelRank(w.min_level)) return false;
  if (w.supplier_ids.length && (!e.supplierId || !w.supplier_ids.includes(e.supplierId))) return false;
  return true;
}

/**
 * Puts a delivery back in the queue from its first attempt. Clearing the claim matters when the row is being sent
 * right now: that send's outcome no longer applies (see deliver), so the replay is sent after it instead of being
 * overwritten by its "succeeded".
 */
export const REQUEUE = `status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = NULL, claim = NULL, updated_at = now()`;

/** Writes one outbox row per matching webhook (idempotent per webhook and event). Returns rows written. */
export async function enqueue(
  services: Services,
  e: OutboxEvent,
  opts: { webhookId?: string; requeue?: boolean } = {},
): Promise<number> {
  const hooks = await services.db.query<WebhookRow>(
    `SELECT id, events, min_level, supplier_ids FROM webhooks WHERE deleted_at IS NULL AND $1 = ANY(events) ${opts.webhookId ? 'AND id = $2' : ''}`,
    opts.webhookId ? [e.topic, opts.webhookId] : [e.topic],
  );
  let n = 0;
  for (const w of hooks) {
    if (!matches(w, e)) continue;
    const conflict = opts.requeue ? `DO UPDATE SET ${REQUEUE}` : 'DO NOTHING';
    const rows = await services.db.query(
      `INSERT INTO webhook_deliveries (id, webhook_id, event_type, event_id, event_cursor, signal, updated_at)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, now())
       ON CONFLICT (webhook_id, event_type, event_id) ${conflict} RETURNING id`,
      [w.id, e.topic, e.eventId, e.cursor, JSON.stringify(e.signal)],
    );
    n += rows.length;
  }
  return n;
}

// ---- payloads -------------------------------------------------------------------------------------

/** What a partner's webhook shows of an entity: the selection without the `__typename` used to narrow it. */
function shown<T extends { __typename: string }>(entity: T): Omit<T, '__typename'> {
  const { __typename: _, ...rest } = entity;
  return rest;
}

const refs = (__typename: string, id: string) => ({ representations: [{ __typename, id }] });

async function alertPayload(services: Services, id: string) {
  const [a] = (await services.call(AlertWebhookPayloads, refs('Alert', id)))._entities;
  return a?.__typename === 'Alert' ? shown(a) : null;
}

async function hotspotPayload(services: Services, id: string) {
  const [h] = (await services.call(HotspotWebhookPayloads, refs('Hotspot', id)))._entities;
  return h?.__typename === 'Hotspot' ? shown(h) : null;
}

async function recommendationPayload(services: Services, id: string) {
  const [r] = (await services.call(RecommendationWebhookPayloads, refs('Recommendation', id)))._entities;
  return r?.__typename === 'Recommendation' ? shown(r) : null;
}

/** `{ id }` with the supplier's name (data-core); unchanged when data-core is not part of this deployment. */
async function namedSupplier(
  services: Services,
  supplier: { id: string } | null,
): Promise<{ id: string; name?: string | null } | null> {
  if (!supplier?.id) return supplier;
  try {
    const [s] = (await services.call(SupplierNames, refs('Supplier', supplier.id)))._entities;
    return { id: supplier.id, name: s?.__typename === 'Supplier' ? s.name : null };
  } catch (err) {
    if (!(err instanceof PluginAbsentError)) throw err;
    return supplier;
  }
}

/** The entity with its `supplier` named (the key keeps its place in the body). */
async function withSupplierName<T extends { supplier: { id: string } | null }>(services: Services, obj: T) {
  return { ...obj, supplier: await namedSupplier(services, obj.supplier) };
}

/** The `data` of a delivery's body: the signal and, when its owner answers, the entity it is about. */
async function payloadData(services: Services, topic: EventTopic, s: DeliverySignal): Promise<Record<string, unknown>> {
  switch (topic) {
    case 'alert.raised': {
      const alert = await alertPayload(services, s.id);
      const named = alert && { ...alert, hotspot: await withSupplierName(services, alert.hotspot) };
      return { alert: named ?? { id: s.id, cursor: s.seq, level: String(s.level).toUpperCase() }, signal: s };
    }
    case 'hotspot.detected':
    case 'hotspot.resolved': {
      const hotspot = await hotspotPayload(services, s.id);
      return {
        change: String(s.change).toUpperCase(),
        hotspot: hotspot ? await withSupplierName(services, hotspot) : { id: s.id },
        signal: s,
      };
    }
    default: {
      const rec = await recommendationPayload(services, s.id);
      return { recommendation: rec ? await withSupplierName(services, rec) : { id: s.id }, signal: s };
    }
  }
}

/** Builds the request body: Standard Webhooks shape { type, timestamp, data }, enriched via plugin calls. */
export async function buildPayload(services: Services, d: DeliveryRow): Promise<Record<string, unknown>> {
  let data: Record<string, unknown>;
  try {
    data = await payloadData(services, d.event_type, d.signal);
  } catch (err) {
    // The owning plugin is not part of this deployment: deliver the signal itself.
    if (!(err instanceof PluginAbsentError)) throw err;
    data = { signal: d.signal };
  }
  return { type: d.event_type, timestamp: new Date(d.created_at).toISOString(), data };
}

// ---- worker ----------------------------------------------------------------------------------------

export class DeliveryWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;
  private readonly codec;
  private readonly m;

  /** Whether endpoints may be in private networks (SSRF guard off): explicitly, or in development (dev JWT secret). */
  readonly allowPrivate: boolean;
  private readonly send: DeliveryFetch;

  constructor(private readonly services: Services) {
    const mode = services.config.WEBHOOK_PRIVATE_NETWORKS ?? 'auto';
    this.allowPrivate = mode === 'allow' || (mode === 'auto' && services.developmentAuth);
    this.send = deliveryFetch(this.allowPrivate);
    this.codec = secretCodec(services.config.WEBHOOK_ENCRYPTION_KEY);
    this.m = {
      attempts: services.metrics.counter('webhook_attempts_total', 'Webhook delivery attempts', ['outcome']),
      seconds: services.metrics.histogram('webhook_attempt_seconds', 'Webhook POST duration'),
    };
  }

  get secrets() {
    return this.codec;
  }

  start(): void {
    if (!this.services.config.WEBHOOK_WORKER) return;
    const loop = () => {
      if (this.stopped) return;
      this.timer = setTimeout(async () => {
        await this.kick().catch((err) => this.services.logger.error({ err }, 'webhook worker failed'));
        loop();
      }, this.services.config.WEBHOOK_POLL_MS);
    };
    loop();
  }

  /** Runs a pass now (new rows were written); a pass already running is followed by another. */
  kick(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      do {
        this.again = false;
        total += await runInScope({ auth: SYSTEM_CLAIMS }, () => this.runOnce());
      } while (this.again && !this.stopped);
      return total;
    })().finally(() => (this.running = null));
    return this.running;
  }

  /** Claims due rows (SKIP LOCKED: replicas never send the same row at once) and delivers them. */
  async runOnce(limit = 100): Promise<number> {
    const cfg = this.services.config;
    const rows = await this.services.db.query<DeliveryRow>(
      `UPDATE webhook_deliveries SET status = 'sending', locked_until = now() + ($2::int * interval '1 millisecond'),
         claim = gen_random_uuid(), updated_at = now()
       WHERE id IN (
         SELECT id FROM webhook_deliveries
         WHERE (status IN ('pending', 'retrying') AND next_attempt_at <= now()) OR (status = 'sending' AND locked_until < now())
         ORDER BY next_attempt_at, seq LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING ${DELIVERY_COLUMNS}, claim`,
      [limit, cfg.WEBHOOK_LEASE_MS],
    );
    const queue = [...rows];
    const workers = Array.from({ length: Math.min(cfg.WEBHOOK_CONCURRENCY, queue.length) }, async () => {
      for (let d = queue.shift(); d; d = queue.shift()) await this.deliver(d);
    });
    await Promise.all(workers);
    return rows.length;
  }

  private async deliver(d: DeliveryRow): Promise<void> {
    const cfg = this.services.config;
    const db = this.services.db;
    const [w] = await db.query<WebhookRow>(`SELECT id, url, secret, deleted_at FROM webhooks WHERE id = $1`, [
      d.webhook_id,
    ]);
    if (!w || w.deleted_at) {
      await db.query(
        `UPDATE webhook_deliveries SET status = 'cancelled', locked_until = NULL, claim = NULL, updated_at = now()
         WHERE id = $1 AND claim = $2`,
        [d.id, d.claim],
      );
      return;
    }
    const attempt = d.attempts + 1;
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      let body = d.body;
      if (!body) {
        const built = JSON.stringify(await buildPayload(this.services, d));
        // Fixed from now on: retries and replays send the same bytes (the first body stored wins).
        const [kept] = await db.query<{ body: string }>(
          `UPDATE webhook_deliveries SET body = COALESCE(body, $2) WHERE id = $1 RETURNING body`,
          [d.id, built],
        );
        body = kept?.body ?? built;
      }
      const res = await this.send(w.url, {
        method: 'POST',
        headers: signedHeaders(this.codec.open(w.secret), d.id, body),
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(cfg.WEBHOOK_TIMEOUT_MS),
      });
      statusCode = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause;
      error =
        (err as Error).name === 'TimeoutError'
          ? `timed out after ${cfg.WEBHOOK_TIMEOUT_MS} ms`
          : cause?.message && !(err as Error).message.includes(cause.message)
            ? `${(err as Error).message}: ${cause.message}`
            : (err as Error).message;
    }
    const ms = Math.round(performance.now() - started);
    this.m.seconds.observe(ms / 1000);
    await db.query(
      `INSERT INTO webhook_attempts (delivery_id, attempt, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5)`,
      [d.id, attempt, statusCode, error, ms],
    );
    if (!error) {
      this.m.attempts.inc({ outcome: 'succeeded' });
      const done = await db.query(
        `UPDATE webhook_deliveries SET status = 'succeeded', attempts = $2, last_status_code = $3, last_error = NULL, delivered_at = now(),
           next_attempt_at = NULL, locked_until = NULL, claim = NULL, updated_at = now() WHERE id = $1 AND claim = $4 RETURNING id`,
        [d.id, attempt, statusCode, d.claim],
      );
      if (!done.length) this.superseded(d);
      return;
    }
    const dead = attempt >= cfg.WEBHOOK_MAX_ATTEMPTS;
    this.m.attempts.inc({ outcome: dead ? 'dead' : 'retrying' });
    const delay = backoffMs(attempt, cfg.WEBHOOK_BACKOFF_BASE_MS, cfg.WEBHOOK_BACKOFF_MAX_MS);
    const failed = await db.query(
      `UPDATE webhook_deliveries SET status = $2, attempts = $3, last_status_code = $4, last_error = $5, locked_until = NULL, claim = NULL,
         next_attempt_at = CASE WHEN $2 = 'dead' THEN NULL ELSE now() + ($6::int * interval '1 millisecond') END, updated_at = now()
       WHERE id = $1 AND claim = $7 RETURNING id`,
      [d.id, dead ? 'dead' : 'retrying', attempt, statusCode, error, delay, d.claim],
    );
    if (!failed.length) this.superseded(d);
    else if (dead)
      this.services.logger.warn(
        { delivery: d.id, webhook: d.webhook_id, attempts: attempt, error },
        'webhook delivery dead-lettered',
      );
    else if (delay <= cfg.WEBHOOK_POLL_MS) setTimeout(() => void this.kick().catch(() => undefined), delay + 5).unref();
  }

  /** The row was requeued (replay) or its lease taken over while this send ran: the newer claim decides its state. */
  private superseded(d: DeliveryRow): void {
    this.services.logger.info(
      { delivery: d.id, webhook: d.webhook_id },
      'webhook delivery was requeued or re-claimed during its attempt; its outcome is kept in the attempt log only',
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}
