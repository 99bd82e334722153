// Typed REST client for the Carbon Nexus API (/api/v1). One method per operation of operations/*.graphql, generated
// into ./generated/rest-operations.ts (route table and types) by `npm run build`: variables in, the endpoint's JSON
// out, problem+json errors thrown as RestProblemError. Streams (alertStream, hotspotStream) are Server-Sent Events with
// automatic reconnect; both resume from the last event id (Last-Event-ID), so no alert or hotspot change is missed or
// delivered twice, across reconnects and — with a persistent cursor store — restarts.
import { createParser } from 'eventsource-parser';
import { memoryCursorStore, type CursorStore } from './alerts.ts';
import { restOperations, type RestOperationTypes } from './generated/rest-operations.ts';

export { restOperations };
export type { RestOperationTypes };

/** RFC 9457 problem details as the API sends them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  correlationId: string;
  code: string;
  errors?: { field: string; reason: string }[];
  subgraph?: string;
  retryAfterSeconds?: number;
  [extra: string]: unknown;
}

export class RestProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = 'RestProblemError';
  }
  get status() {
    return this.problem.status;
  }
}

export interface RestClientOptions {
  /** The gateway, e.g. https://carbon.example.com (no /api/v1). */
  url: string;
  /** A bearer token, or a function returning the current one (called per request and per reconnect). */
  token?: string | null | (() => string | null | Promise<string | null>);
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

export interface StreamHandlers<T> {
  onEvent: (event: T, id: string | null) => void | Promise<void>;
  /** Connection problems (the stream reconnects) and problems the server sent (the stream stops). */
  onError?: (err: unknown) => void;
  /** Where the last event id survives restarts (one store per stream). Default: memory. */
  cursorStore?: CursorStore;
  /** Delay before a reconnect, ms (default: the server's `retry:` hint, else 2000). */
  retryMs?: number;
}

export interface StreamHandle {
  close(): Promise<void>;
}

type Ops = typeof restOperations;
type Vars<K extends keyof RestOperationTypes> = RestOperationTypes[K]['variables'];
type Result<K extends keyof RestOperationTypes> = NonNullable<RestOperationTypes[K]['result']>;
type Method<K extends keyof RestOperationTypes> = Ops[K]['kind'] extends 'subscription'
  ? (variables: Vars<K>, handlers: StreamHandlers<Result<K>>) => StreamHandle
  : {} extends Vars<K>
    ? (variables?: Vars<K>) => Promise<Result<K>>
    : (variables: Vars<K>) => Promise<Result<K>>;

export type RestClient = { [K in keyof RestOperationTypes]: Method<K> };

interface Route {
  name: string;
  kind: string;
  method: string;
  path: string;
  pathParams: readonly string[];
}

/** The URL and init of one call: path parameters substituted, the rest in the query string (GET) or JSON body. */
export function buildRequest(
  route: Route,
  variables: Record<string, unknown> = {},
): { path: string; method: string; body?: string } {
  let path = route.path;
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(variables)) {
    if (v === undefined) continue;
    if (route.pathParams.includes(k)) path = path.replace(`{${k}}`, encodeURIComponent(String(v)));
    else rest[k] = v;
  }
  const missing = route.pathParams.filter((p) => path.includes(`{${p}}`));
  if (missing.length) throw new TypeError(`${route.name}: ${missing.join(', ')} is required`);
  if (route.method !== 'GET') return { path, method: route.method, body: JSON.stringify(rest) };
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(rest)) {
    if (Array.isArray(v)) for (const item of v) qs.append(k, String(item));
    else if (v !== null && typeof v === 'object') qs.append(k, JSON.stringify(v));
    else qs.append(k, v === null ? '' : String(v));
  }
  const q = qs.toString();
  return { path: q ? `${path}?${q}` : path, method: 'GET' };
}

export function createRestClient(opts: RestClientOptions): RestClient {
  const f = opts.fetch ?? fetch;
  const base = opts.url.replace(/\/+$/, '');
  const headers = async (): Promise<Record<string, string>> => {
    const token = typeof opts.token === 'function' ? await opts.token() : opts.token;
    return {
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(opts.headers ?? {}),
    };
  };

  const call = async (route: Route, variables?: Record<string, unknown>) => {
    const req = buildRequest(route, variables);
    const res = await f(base + req.path, {
      method: req.method,
      headers: { ...(await headers()), ...(req.body ? { 'content-type': 'application/json' } : {}) },
      body: req.body,
    });
    const text = await res.text();
    const body = text ? JSON.parse(text) : null;
    if (!res.ok)
      throw new RestProblemError(
        body && typeof body === 'object' && 'status' in body
          ? body
          : {
              type: 'about:blank',
              title: res.statusText,
              status: res.status,
              detail: text,
              instance: req.path,
              correlationId: res.headers.get('x-correlation-id') ?? '',
              code: 'HTTP_ERROR',
            },
      );
    return body;
  };

  const stream = (route: Route, variables: Record<string, unknown>, h: StreamHandlers<unknown>): StreamHandle => {
    let closed = false;
    let controller: AbortController | null = null;
    let retryMs = h.retryMs ?? 2000;
    const store = h.cursorStore ?? memoryCursorStore();
    const run = async () => {
      while (!closed) {
        controller = new AbortController();
        try {
          const last = await store.get();
          const req = buildRequest(route, variables);
          const res = await f(base + req.path, {
            headers: { ...(await headers()), accept: 'text/event-stream', ...(last ? { 'last-event-id': last } : {}) },
            signal: controller.signal,
          });
          if (!res.ok || !res.body) {
            const text = await res.text();
            const problem = text
              ? JSON.parse(text)
              : { status: res.status, code: 'HTTP_ERROR', detail: res.statusText };
            // Client errors will not heal by retrying; server errors (503...) do.
            if (res.status < 500 && res.status !== 429) {
              h.onError?.(new RestProblemError(problem));
              return;
            }
            throw new RestProblemError(problem);
          }
          let stop = false;
          let chain = Promise.resolve();
          const parser = createParser({
            onRetry: (ms) => {
              if (h.retryMs === undefined) retryMs = ms;
            },
            onEvent: (ev) => {
              if (ev.event === 'problem') {
                stop = true;
                h.onError?.(new RestProblemError(JSON.parse(ev.data)));
                return;
              }
              // Handled one at a time, in order; the cursor advances only after the handler has taken the event.
              chain = chain.then(async () => {
                await h.onEvent(JSON.parse(ev.data), ev.id ?? null);
                if (ev.id) await store.set(ev.id);
              });
            },
          });
          const decoder = new TextDecoder();
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            parser.feed(decoder.decode(chunk, { stream: true }));
            await chain;
            if (stop || closed) break;
          }
          await chain;
          if (stop) return;
        } catch (err) {
          if (closed) return;
          h.onError?.(err);
        }
        if (!closed) await new Promise((r) => setTimeout(r, retryMs));
      }
    };
    const done = run();
    return {
      async close() {
        closed = true;
        controller?.abort();
        await done.catch(() => undefined);
      },
    };
  };

  const client: Record<string, unknown> = {};
  for (const [key, route] of Object.entries(restOperations)) {
    client[key] =
      route.kind === 'subscription'
        ? (variables: Record<string, unknown>, handlers: StreamHandlers<unknown>) =>
            stream(route, variables ?? {}, handlers)
        : (variables?: Record<string, unknown>) => call(route, variables);
  }
  return client as RestClient;
}
