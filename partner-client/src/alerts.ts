// Alert stream with automatic resume: subscribes to `alertRaised(after: <last cursor>)` over
// graphql-ws; after any disconnect it resubscribes from the last cursor it processed, so the server
// replays exactly what was missed (and anything already seen is skipped: no gap, no duplicate).
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export type Severity = 'INFO' | 'WARN' | 'CRITICAL';

export interface Alert {
  id: string;
  /** Resume cursor (the alert's sequence number). */
  cursor: string;
  level: Severity;
  message: string;
  createdAt?: string;
  hotspot: {
    id: string;
    entityType?: string;
    entityName?: string | null;
    severity: Severity;
    percentAbove?: number;
    supplier?: { id: string; name: string } | null;
  };
  [extra: string]: unknown;
}

/** Where the last processed cursor survives restarts (a file, a database row, ...). */
export interface CursorStore {
  get(): Promise<string | null> | string | null;
  set(cursor: string): Promise<void> | void;
}

export function memoryCursorStore(initial: string | null = null): CursorStore & { value: string | null } {
  const s = {
    value: initial,
    get: () => s.value,
    set: (c: string) => void (s.value = c),
  };
  return s;
}

/** A cursor file (written atomically). */
export function fileCursorStore(path: string): CursorStore {
  return {
    async get() {
      const fs = await import('node:fs/promises');
      try {
        return (await fs.readFile(path, 'utf8')).trim() || null;
      } catch {
        return null;
      }
    },
    async set(cursor) {
      const fs = await import('node:fs/promises');
      await fs.writeFile(path + '.tmp', cursor);
      await fs.rename(path + '.tmp', path);
    },
  };
}

export interface SubscribeAlertsOptions {
  /** Gateway GraphQL URL: https://host/graphql (ws/wss is derived) or ws(s)://host/graphql. */
  url: string;
  /** Bearer token, or a function returning a fresh one (called on every (re)connect; an expired token is refreshed). */
  token: string | (() => string | Promise<string>);
  minLevel?: Severity;
  supplierIds?: string[];
  /** Called once per alert, in cursor order; the cursor is stored after it resolves. If it throws, the stream resumes before that alert. */
  onAlert(alert: Alert): void | Promise<void>;
  /** Connection problems and handler errors (the client keeps retrying). */
  onError?(err: unknown): void;
  /** Called on every (re)subscription with the cursor it resumes from. */
  onSubscribed?(after: string | null): void;
  cursorStore?: CursorStore;
  /** Selection of Alert fields (default: the fields of the `Alert` interface above). */
  selection?: string;
  /** Reconnect delay bounds, ms (exponential backoff with jitter). */
  minRetryMs?: number;
  maxRetryMs?: number;
  /** WebSocket implementation (default: `ws`). */
  webSocketImpl?: unknown;
}

export interface AlertSubscription {
  /** The last cursor processed. */
  readonly cursor: string | null;
  /** Stops the stream and closes the connection. */
  close(): Promise<void>;
}

const DEFAULT_SELECTION = `id cursor level message createdAt
  hotspot { id entityType entityName severity percentAbove supplier { id name } }`;

/** Close codes after which retrying with the same static token cannot succeed. */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);

export function subscribeAlerts(opts: SubscribeAlertsOptions): AlertSubscription {
  const store = opts.cursorStore ?? memoryCursorStore();
  const minRetry = opts.minRetryMs ?? 250;
  const maxRetry = opts.maxRetryMs ?? 30_000;
  const url = opts.url.replace(/^http/, 'ws');
  const query = `subscription PartnerAlerts($minLevel: Severity, $supplierIds: [ID!], $after: String) {
    alertRaised(minLevel: $minLevel, supplierIds: $supplierIds, after: $after) { ${opts.selection ?? DEFAULT_SELECTION} }
  }`;
  let last: string | null = null;
  let closed = false;
  let client: Client | null = null;
  let stop: (() => void) | null = null;
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  const newer = (c: string) => last === null || BigInt(c) > BigInt(last);
  const token = async () => (typeof opts.token === 'function' ? await opts.token() : opts.token);

  // One subscription attempt; resolves when it ends (error or completion).
  const attempt = async (): Promise<unknown> => {
    if (last === null) last = (await store.get()) ?? null;
    const variables: Record<string, unknown> = {
      minLevel: opts.minLevel ?? null,
      supplierIds: opts.supplierIds ?? null,
      after: last,
    };
    client = createClient({
      url,
      webSocketImpl: (opts.webSocketImpl ?? WebSocket) as any,
      lazy: true,
      retryAttempts: 0, // reconnects are ours: each one resubscribes from the latest cursor
      connectionParams: async () => ({ authorization: `Bearer ${await token()}` }),
    });
    opts.onSubscribed?.(last);
    // Alerts are handled one at a time, in order.
    let chain = Promise.resolve();
    let failure: unknown;
    await new Promise<void>((resolve) => {
      let ended = false;
      const end = (err?: unknown) => {
        if (ended) return;
        ended = true;
        failure = err;
        if (err !== undefined) opts.onError?.(err);
        resolve();
      };
      const dispose: () => void = (stop = client!.subscribe<{ alertRaised: Alert }>(
        { query, variables },
        {
          next: (r) => {
            chain = chain.then(async () => {
              if (ended || closed) return;
              if (r.errors?.length && !r.data) return end(new Error(r.errors.map((e) => e.message).join('; ')));
              // The server dropped older events for us (we were too slow): resume from our cursor instead.
              if ((r.extensions as { slowConsumer?: unknown } | undefined)?.slowConsumer) {
                end(new Error('events were dropped for this slow consumer; resuming from the last cursor'));
                try {
                  dispose();
                } catch {
                  /* already closed */
                }
                return;
              }
              const alert = r.data?.alertRaised;
              if (!alert || !newer(alert.cursor)) return; // already processed before a reconnect
              try {
                await opts.onAlert(alert);
              } catch (err) {
                // Not acknowledged: resubscribe from the previous cursor so it is delivered again.
                end(err);
                try {
                  dispose();
                } catch {
                  /* already closed */
                }
                return;
              }
              last = alert.cursor;
              await store.set(alert.cursor);
              failures = 0;
            });
          },
          error: (err) => void chain.then(() => end(err)),
          complete: () => void chain.then(() => end(new Error('the server completed the alert stream'))),
        },
      ));
    });
    const c = client as Client | null;
    client = null;
    await c?.dispose();
    return failure;
  };

  const loop = async () => {
    while (!closed) {
      const failure = await attempt().catch((err) => {
        opts.onError?.(err);
        return err;
      });
      if (closed) break;
      // A static token that was refused or expired cannot succeed on retry (a token function is asked again).
      const code = (failure as { code?: number } | undefined)?.code;
      if (typeof opts.token === 'string' && code !== undefined && AUTH_CLOSE_CODES.has(code)) {
        closed = true;
        break;
      }
      failures++;
      const exp = Math.min(maxRetry, minRetry * 2 ** Math.min(failures - 1, 16));
      const delay = Math.round(exp * (0.5 + Math.random() * 0.5));
      await new Promise<void>((r) => (retryTimer = setTimeout(r, delay)));
    }
  };
  const done = loop();

  return {
    get cursor() {
      return last;
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      stop?.();
      await (client as Client | null)?.dispose();
      await Promise.race([done, new Promise((r) => setTimeout(r, 1000))]);
    },
  };
}

export { AUTH_CLOSE_CODES };
