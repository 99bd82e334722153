// Typed publish/subscribe. The bus only signals; durable facts are written to tables first,
// so a lost message loses nothing (consumers catch up from the table).
// Topics are objects owned by their producer (`topicsOf` in the producer's client module), so payloads are typed on
// both ends; only the outbox relay's `publishNow` takes a stored name.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { Redis } from 'ioredis';
import { topicName, type BusTopic } from '../contract/topics.ts';
import { currentScope, runInScope } from '../context.ts';
import { currentTraceparent, withSpan } from './tracing.ts';

export interface BusEnvelope<Payload = unknown> {
  topic: string;
  payload: Payload;
  correlationId?: string;
  /** W3C traceparent of the publishing span (present only when tracing is on). */
  traceparent?: string;
  /** ms since epoch at publish time (bus lag = receive - publishedAt). */
  publishedAt: number;
  /** Which process published it (lets a process ignore its own echo where needed). */
  origin: string;
}

export type BusHandler<Payload> = (payload: Payload, envelope: BusEnvelope<Payload>) => void | Promise<void>;

export interface BusPublishMeta {
  correlationId?: string;
  publishedAt?: number;
  traceparent?: string;
}

export interface Bus {
  readonly kind: 'memory' | 'redis' | 'postgres';
  onDeliver: ((topic: string, lagMs: number) => void) | null;
  publish<P>(topic: BusTopic<P>, payload: NoInfer<P>): Promise<void>;
  /**
   * Publishes without queueing (the outbox relay's path): resolves once the transport accepted the message,
   * rejects at once while it is down, so the caller keeps the event and retries. `topic` may be a stored name.
   */
  publishNow(topic: BusTopic<unknown> | string, payload: unknown, meta?: BusPublishMeta): Promise<void>;
  /** Whether a publish now reaches this process's subscribers (transport connected and subscribed). */
  readonly connected: boolean;
  /**
   * How many times this process's subscription has become live (1 once connected; each reconnect adds one). A
   * change means messages published in between may not have been heard, however short the gap was.
   */
  readonly listenings: number;
  subscribe<P>(topic: BusTopic<P>, handler: BusHandler<P>): () => void;
  /** Async iteration over a topic until `signal` aborts; buffers at most `bufferSize` (oldest dropped). */
  iterate<P>(topic: BusTopic<P>, opts?: { signal?: AbortSignal; bufferSize?: number }): AsyncIterableIterator<P>;
  close(): Promise<void>;
}

const ORIGIN = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/** Shared local fan-out; the transports below only move envelopes between processes. */
abstract class BaseBus implements Bus {
  abstract readonly kind: Bus['kind'];
  protected local = new EventEmitter();
  private onError: (err: unknown, topic: string) => void;
  /** Observes each delivery (bus lag = now - publishedAt); set by the host for its metrics. */
  onDeliver: ((topic: string, lagMs: number) => void) | null = null;

  constructor(onError?: (err: unknown, topic: string) => void) {
    this.local.setMaxListeners(0);
    this.onError = onError ?? (() => undefined);
  }

  protected abstract transmit(envelope: BusEnvelope): Promise<void>;
  /** Fail-fast transmit; transports that queue while disconnected override it. */
  protected transmitNow(envelope: BusEnvelope): Promise<void> {
    return this.transmit(envelope);
  }

  get connected(): boolean {
    return true;
  }

  get listenings(): number {
    return 1;
  }

  async publish(topic: BusTopic<unknown>, payload: unknown): Promise<void> {
    const traceparent = currentTraceparent();
    await this.transmit({
      topic: topicName(topic),
      payload,
      correlationId: currentScope()?.correlationId,
      publishedAt: Date.now(),
      origin: ORIGIN,
      ...(traceparent ? { traceparent } : {}),
    });
  }

  async publishNow(topic: BusTopic<unknown> | string, payload: unknown, meta: BusPublishMeta = {}): Promise<void> {
    const traceparent = meta.traceparent ?? currentTraceparent();
    await this.transmitNow({
      topic: topicName(topic),
      payload,
      correlationId: meta.correlationId ?? currentScope()?.correlationId,
      publishedAt: meta.publishedAt ?? Date.now(),
      origin: ORIGIN,
      ...(traceparent ? { traceparent } : {}),
    });
  }

  protected deliver(envelope: BusEnvelope): void {
    this.onDeliver?.(envelope.topic, Date.now() - envelope.publishedAt);
    this.local.emit(envelope.topic, envelope);
  }

  subscribe(topicRef: BusTopic<unknown>, handler: BusHandler<never>): () => void {
    const topic = topicRef.name;
    const listener = (env: BusEnvelope) => {
      // Handlers run in the publisher's correlation scope so logs line up across plugins.
      runInScope({ correlationId: env.correlationId }, () => {
        try {
          // A consumer span continuing the publisher's trace (a plain call when tracing is off).
          const r = withSpan(`bus ${topic}`, () => handler(env.payload as never, env as BusEnvelope<never>), {
            kind: 'consumer',
            remoteParent: { traceparent: env.traceparent },
            attributes: { 'messaging.destination.name': topic },
          });
          if (r && typeof (r as Promise<void>).catch === 'function')
            (r as Promise<void>).catch((e) => this.onError(e, topic));
        } catch (e) {
          this.onError(e, topic);
        }
      });
    };
    this.local.on(topic, listener);
    this.onSubscribe(topic);
    return () => {
      this.local.off(topic, listener);
      this.onUnsubscribe(topic);
    };
  }

  protected onSubscribe(_topic: string): void {}
  protected onUnsubscribe(_topic: string): void {}

  iterate<P>(topic: BusTopic<P>, opts: { signal?: AbortSignal; bufferSize?: number } = {}): AsyncIterableIterator<P> {
    const max = opts.bufferSize ?? 1000;
    const queue: P[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    const unsubscribe = this.subscribe(topic, (p) => {
      queue.push(p);
      if (queue.length > max) queue.shift();
      wake?.();
    });
    const finish = () => {
      done = true;
      unsubscribe();
      wake?.();
    };
    if (opts.signal?.aborted) finish();
    else opts.signal?.addEventListener('abort', finish, { once: true });
    const it: AsyncIterableIterator<P> = {
      async next() {
        while (!done && queue.length === 0) await new Promise<void>((r) => (wake = r));
        wake = null;
        if (queue.length) return { value: queue.shift()!, done: false };
        return { value: undefined, done: true };
      },
      async return() {
        finish();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    return it;
  }

  async close(): Promise<void> {
    this.local.removeAllListeners();
  }
}

export class MemoryBus extends BaseBus {
  readonly kind = 'memory' as const;
  protected async transmit(envelope: BusEnvelope): Promise<void> {
    // Deliver on the next tick: publishers never run subscriber code inside their own transaction.
    setImmediate(() => this.deliver(envelope));
  }
}

/**
 * Redis pub/sub channels are server-wide: the db index in the URL does not separate them. So the default prefix
 * carries the db index (two deployments on one Redis with different db indexes do not hear each other), and
 * BUS_CHANNEL_PREFIX names a deployment explicitly (e.g. "staging") when they share a db index too.
 */
export function redisChannelPrefix(url: string, prefix?: string): string {
  if (prefix) return prefix.endsWith(':') ? prefix : `${prefix}:`;
  const db = Number(new URL(url).pathname.replace(/^\//, '') || 0);
  return db ? `carbon_nexus:db${db}:` : 'carbon_nexus:';
}

export class RedisBus extends BaseBus {
  readonly kind = 'redis' as const;
  private pub: Redis;
  private sub: Redis;
  /** Outbox relay connection: no offline queue, no resend, so a publish fails at once while Redis is unreachable. */
  private direct: Redis;
  /** True once the pattern subscription is confirmed on the current sub connection. */
  private subscribed = false;
  private subscriptions = 0;
  private ready: Promise<unknown>;

  readonly channelPrefix: string;

  constructor(url: string, onError?: (err: unknown, topic: string) => void, channelPrefix?: string) {
    super(onError);
    this.channelPrefix = redisChannelPrefix(url, channelPrefix);
    // ioredis reconnects on its own; commands issued while down are queued and sent on reconnect.
    this.pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: null });
    // We re-subscribe ourselves on every (re)connect so `connected` knows when the subscription is live again.
    this.sub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: null, autoResubscribe: false });
    this.direct = new Redis(url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 5000,
    });
    for (const c of [this.pub, this.sub, this.direct]) c.on('error', () => undefined);
    const resubscribe = () =>
      this.sub.psubscribe(escapeGlob(this.channelPrefix) + '*').then(() => {
        this.subscribed = true;
        this.subscriptions++;
      });
    this.ready = resubscribe();
    this.sub.on('close', () => (this.subscribed = false));
    let first = true;
    this.sub.on('ready', () => {
      if (first) return void (first = false); // the initial subscription is `ready` above
      void resubscribe().catch(() => undefined);
    });
    this.sub.on('pmessage', (_p, channel: string, message) => {
      if (!channel.startsWith(this.channelPrefix)) return;
      try {
        this.deliver(JSON.parse(message));
      } catch {
        /* not ours */
      }
    });
  }

  async waitReady(): Promise<void> {
    await this.ready;
  }

  override get connected(): boolean {
    return this.subscribed && this.sub.status === 'ready' && this.direct.status === 'ready';
  }

  override get listenings(): number {
    return this.subscriptions;
  }

  protected async transmit(envelope: BusEnvelope): Promise<void> {
    await this.pub.publish(this.channelPrefix + envelope.topic, JSON.stringify(envelope));
  }

  protected override async transmitNow(envelope: BusEnvelope): Promise<void> {
    await this.direct.publish(this.channelPrefix + envelope.topic, JSON.stringify(envelope));
  }

  async close(): Promise<void> {
    await super.close();
    this.sub.disconnect();
    this.pub.disconnect();
    this.direct.disconnect();
  }
}

/** LISTEN/NOTIFY on PostgreSQL: no extra service when the database is already there. */
export class PostgresBus extends BaseBus {
  readonly kind = 'postgres' as const;
  private listener: pg.Client | null = null;
  private pool: pg.Pool;
  private closed = false;
  private listening = false;
  private listens = 0;
  private ready: Promise<void>;

  /** NOTIFY channels are per database already; BUS_CHANNEL_PREFIX separates deployments sharing one database. */
  readonly channel: string;

  constructor(
    private url: string,
    onError?: (err: unknown, topic: string) => void,
    channelPrefix?: string,
  ) {
    super(onError);
    this.channel = channelPrefix
      ? `${channelPrefix.replace(/[^A-Za-z0-9_]/g, '_')}_carbon_nexus_bus`.toLowerCase().slice(0, 63)
      : 'carbon_nexus_bus';
    this.pool = new pg.Pool({ connectionString: url, max: 2 });
    this.pool.on('error', () => undefined);
    this.ready = this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('error', () => undefined);
    client.on('end', () => {
      this.listening = false;
      // Reconnect after a database restart.
      if (!this.closed) setTimeout(() => void this.connect().catch(() => undefined), 500);
    });
    client.on('notification', (n) => {
      if (n.channel !== this.channel || !n.payload) return;
      try {
        this.deliver(JSON.parse(n.payload));
      } catch {
        /* ignore */
      }
    });
    await client.connect();
    await client.query(`LISTEN "${this.channel}"`);
    this.listener = client;
    this.listening = true;
    this.listens++;
  }

  override get connected(): boolean {
    return this.listening;
  }

  override get listenings(): number {
    return this.listens;
  }

  async waitReady(): Promise<void> {
    await this.ready;
  }

  protected async transmit(envelope: BusEnvelope): Promise<void> {
    const text = JSON.stringify(envelope);
    if (Buffer.byteLength(text) > 7900)
      throw new Error(`bus payload for ${envelope.topic} exceeds NOTIFY's 8000-byte limit`);
    await this.pool.query('SELECT pg_notify($1, $2)', [this.channel, text]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await super.close();
    await this.listener?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}

/** Redis glob metacharacters in a prefix are matched literally. */
function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

export interface BusOptions {
  /** redis://… or postgres://… ; absent = in-memory. */
  url?: string;
  onError?: (err: unknown, topic: string) => void;
  /** Separates deployments sharing one Redis (or one database for LISTEN/NOTIFY); env BUS_CHANNEL_PREFIX. */
  channelPrefix?: string;
}

export async function createBus(opts: BusOptions = {}): Promise<Bus> {
  if (!opts.url) return new MemoryBus(opts.onError);
  if (opts.url.startsWith('redis')) {
    const bus = new RedisBus(opts.url, opts.onError, opts.channelPrefix);
    await bus.waitReady();
    return bus;
  }
  if (opts.url.startsWith('postgres')) {
    const bus = new PostgresBus(opts.url, opts.onError, opts.channelPrefix);
    await bus.waitReady();
    return bus;
  }
  throw new Error(`bus url must start with redis:// or postgres:// (got ${opts.url.split(':')[0]}://)`);
}
