// Request-scoped batch loading (the N+1 fix), one implementation for every plugin, on DataLoader. One flush rule:
// keys asked for while a request's resolvers run are collected until the event loop has no ready work left
// (setImmediate — after every promise job and nextTick, so resolvers that await first still join the batch), then
// fetched with ONE `batch` call per loader and argument set. No result cache: a subscription keeps its context for its
// whole life, and a cache there would serve stale rows; repeated keys within one batch are fetched once.
//
// Across requests, batches coalesce while the loader is busy: when a request's batch is ready while the same loader
// (same arguments, same caller scope) already has one running, it waits for that one to finish and then goes out
// together with every other batch that waited meanwhile — one statement instead of one per request. A batch never
// joins one already sent, so every answer is read after its request asked (a write the caller saw committed is in
// it). Under load this is what turns 32 concurrent entity joins into a few statements (docs/benchmarks.md,
// "coalesced batches"); with nothing running, a batch goes out at once, and behind a call that runs long (a slow or
// stuck statement) the waiting ones go out after maxWaitMs without it.
import DataLoader from 'dataloader';
import { currentScope, runInScope, type RequestScope } from '../context.ts';
import { bindTraceContext, currentTraceIds, withSpan } from '../services/tracing.ts';

export interface BatchLoader<K, V, Ctx extends object, Args> {
  /** The value for `key` (undefined when `batch` did not return it), batched with the request's other loads. */
  load(ctx: Ctx, key: K, ...args: Args extends undefined ? [args?: Args] : [args: Args]): Promise<V | undefined>;
  loadMany(
    ctx: Ctx,
    keys: readonly K[],
    ...args: Args extends undefined ? [args?: Args] : [args: Args]
  ): Promise<(V | undefined)[]>;
}

export interface LoaderOptions {
  /** Keys per `batch` call at most (default unlimited). */
  maxBatchSize?: number;
  /**
   * Whether batches of different requests may go out together (default true). They do only within one plugin
   * instance (the context's `services`) and for callers with the same supplier scope and roles (of the context's
   * `auth` and of the request scope row-level security reads), so this is safe for a batch that depends on its keys,
   * its arguments, those and the plugin's services. Set false for a batch that reads anything else of the request
   * context.
   */
  coalesce?: boolean;
  /** How long a batch waits at most for the call running before it goes out (default 100 ms). */
  maxWaitMs?: number;
}

interface Waiter<K, V, Ctx> {
  keys: K[];
  ctx: Ctx;
  scope: RequestScope | undefined;
  /** Its trace: the call sent for it runs there, whichever call's end sends it. */
  inTrace: <T>(fn: () => T) => T;
  /** The span it waited in (tracing on), linked from the merged call's span. */
  span: { traceId: string; spanId: string } | undefined;
  resolve: (found: ReadonlyMap<K, V>) => void;
  reject: (err: unknown) => void;
}

/** One loader's traffic for one argument set and caller scope: the calls out, and the batches waiting for them. */
interface Lane<K, V, Ctx> {
  key: string;
  /** The lanes of one plugin instance (its `services`), this one among them while in use. */
  home: Map<string, Lane<K, V, Ctx>>;
  running: number;
  waiting: Waiter<K, V, Ctx>[];
  /** Sends the waiting batches when the running call takes longer than maxWaitMs. */
  timer: ReturnType<typeof setTimeout> | null;
}

/** Runs `call` in the request scope (row-level security reads it there) and the trace it was asked in. */
const asCaller = <T>(w: { scope: RequestScope | undefined; inTrace: <R>(fn: () => R) => R }, call: () => T): T =>
  w.inTrace(() => (w.scope ? runInScope(w.scope, call) : call()));

/** Who the batch reads as: the context's auth (SQL filters) and the request scope's (row-level security). */
function callerKey(ctx: object, scope: RequestScope | undefined): string {
  const who = (a: { supplierIds?: readonly string[] | null; roles?: readonly string[] } | null | undefined) =>
    a ? [a.supplierIds ? [...a.supplierIds].sort() : null, a.roles ? [...a.roles].sort() : []] : null;
  return JSON.stringify([who((ctx as { auth?: Parameters<typeof who>[0] }).auth), who(scope?.auth)]);
}

/**
 * Declares a loader once (module level); `load(ctx, key, args)` batches per request context (the resolver context
 * object) and per `args` value
 * (JSON-equal args share a batch), e.g.
 *   const cadence = defineLoader((ids: string[], ctx: ResolverContext) => cadenceRows(ctx.services.db, ids));
 *   const row = await cadence.load(ctx, supplier.id);
 */
export function defineLoader<K extends string | number, V, Ctx extends object = object, Args = undefined>(
  batch: (keys: K[], ctx: Ctx, args: Args) => Promise<ReadonlyMap<K, V>>,
  opts: LoaderOptions = {},
): BatchLoader<K, V, Ctx, Args> {
  const perContext = new WeakMap<object, Map<string, DataLoader<K, V | undefined>>>();
  // Per plugin instance (the context's `services`): two instances in one process (tests, replicas) each read their
  // own database.
  const lanesOf = new WeakMap<object, Map<string, Lane<K, V, Ctx>>>();
  const lanesFor = (ctx: Ctx): Map<string, Lane<K, V, Ctx>> => {
    const services = (ctx as { services?: unknown }).services;
    const owner = services && typeof services === 'object' ? services : lanesOf;
    let lanes = lanesOf.get(owner);
    if (!lanes) lanesOf.set(owner, (lanes = new Map()));
    return lanes;
  };

  const checked = async (keys: K[], ctx: Ctx, args: Args) => {
    const found = await batch(keys, ctx, args);
    if (!(found instanceof Map)) throw new TypeError('a loader batch must resolve to a Map of key -> value');
    return found;
  };

  /**
   * The batches that waited, as one call (in chunks of maxBatchSize) read as the first of them, in its trace; the
   * span links the other requests' spans, so each trace leads to the call that answered it.
   */
  const mergedCall = (waiters: Waiter<K, V, Ctx>[], args: Args): Promise<ReadonlyMap<K, V>> => {
    const keys = [...new Set(waiters.flatMap((w) => w.keys))];
    const size = opts.maxBatchSize && opts.maxBatchSize > 0 ? opts.maxBatchSize : keys.length;
    const first = waiters[0];
    const call = async () => {
      if (keys.length <= size) return checked(keys, first.ctx, args);
      const merged = new Map<K, V>();
      for (let i = 0; i < keys.length; i += size)
        for (const [k, v] of await checked(keys.slice(i, i + size), first.ctx, args)) merged.set(k, v);
      return merged;
    };
    if (waiters.length === 1) return asCaller(first, call);
    return asCaller(first, () =>
      withSpan('loader coalesced batch', call, {
        attributes: { 'carbon_nexus.loader.requests': waiters.length, 'carbon_nexus.loader.keys': keys.length },
        links: waiters.slice(1).map((w) => w.span),
      }),
    );
  };

  /** Sends what waited, as one call; each waiter gets the merged answer (or, if it fails, its own). */
  const flush = (lane: Lane<K, V, Ctx>, args: Args): void => {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = null;
    const waiters = lane.waiting;
    if (!waiters.length) return;
    lane.waiting = [];
    lane.running++;
    mergedCall(waiters, args)
      .then(
        (found) => {
          for (const w of waiters) w.resolve(found);
        },
        (err) => {
          if (waiters.length === 1) return waiters[0].reject(err);
          // One request's keys must not fail another's: each goes again on its own, and only its own error counts.
          for (const w of waiters) asCaller(w, () => checked(w.keys, w.ctx, args)).then(w.resolve, w.reject);
        },
      )
      .finally(() => finished(lane, args));
  };

  /** A call of the lane is done: what waited goes out now; a lane with nothing running or waiting is dropped. */
  const finished = (lane: Lane<K, V, Ctx>, args: Args): void => {
    lane.running--;
    if (lane.waiting.length) flush(lane, args);
    else if (lane.running === 0) lane.home.delete(lane.key);
  };

  const maxWaitMs = opts.maxWaitMs ?? 100;
  const send = (keys: K[], ctx: Ctx, args: Args, argsKey: string): Promise<ReadonlyMap<K, V>> => {
    if (opts.coalesce === false) return checked(keys, ctx, args);
    const scope = currentScope();
    const key = `${argsKey}\u0000${callerKey(ctx, scope)}`;
    const home = lanesFor(ctx);
    let lane = home.get(key);
    if (!lane) home.set(key, (lane = { key, home, running: 0, waiting: [], timer: null }));
    const l = lane;
    if (l.running > 0)
      return new Promise((resolve, reject) => {
        l.waiting.push({ keys, ctx, scope, inTrace: bindTraceContext(), span: currentTraceIds(), resolve, reject });
        // Waiting is bounded: behind a call that runs long (a slow or stuck statement) the others go out anyway.
        l.timer ??= setTimeout(() => flush(l, args), maxWaitMs);
      });
    l.running++;
    const out = checked(keys, ctx, args);
    out.then(
      () => finished(l, args),
      () => finished(l, args),
    );
    return out;
  };

  const loaderFor = (ctx: Ctx, args: Args): DataLoader<K, V | undefined> => {
    let byArgs = perContext.get(ctx);
    if (!byArgs) perContext.set(ctx, (byArgs = new Map()));
    const argsKey = args === undefined ? '' : JSON.stringify(args);
    let loader = byArgs.get(argsKey);
    if (!loader) {
      loader = new DataLoader<K, V | undefined>(
        async (keys) => {
          const found = await send([...new Set(keys)], ctx, args, argsKey);
          return keys.map((k) => found.get(k));
        },
        { cache: false, batchScheduleFn: (dispatch) => setImmediate(dispatch), maxBatchSize: opts.maxBatchSize },
      );
      byArgs.set(argsKey, loader);
    }
    return loader;
  };
  return {
    load: (ctx, key, ...rest) => loaderFor(ctx, rest[0] as Args).load(key),
    loadMany: async (ctx, keys, ...rest) => {
      const loader = loaderFor(ctx, rest[0] as Args);
      return Promise.all(keys.map((k) => loader.load(k)));
    },
  };
}
