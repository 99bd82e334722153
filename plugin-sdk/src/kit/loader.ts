// Request-scoped batch loading (the N+1 fix), one implementation for every plugin, on DataLoader. One flush rule:
// keys asked for while a request's resolvers run are collected until the event loop has no ready work left
// (setImmediate — after every promise job and nextTick, so resolvers that await first still join the batch), then
// fetched with ONE `batch` call per loader and argument set. No result cache: a subscription keeps its context for its
// whole life, and a cache there would serve stale rows; repeated keys within one batch are fetched once.
import DataLoader from 'dataloader';

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
  const loaderFor = (ctx: Ctx, args: Args): DataLoader<K, V | undefined> => {
    let byArgs = perContext.get(ctx);
    if (!byArgs) perContext.set(ctx, (byArgs = new Map()));
    const argsKey = args === undefined ? '' : JSON.stringify(args);
    let loader = byArgs.get(argsKey);
    if (!loader) {
      loader = new DataLoader<K, V | undefined>(
        async (keys) => {
          const found = await batch([...new Set(keys)], ctx, args);
          if (!(found instanceof Map)) throw new TypeError('a loader batch must resolve to a Map of key -> value');
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
