// A tiny per-request DataLoader: keys requested in the same tick are fetched with one call.
const loaders = new WeakMap<object, Map<string, BatchLoader<any>>>();

export interface BatchLoader<V> {
  load(key: string): Promise<V>;
}

export function batchLoader<V>(ctx: object, name: string, fetch: (keys: readonly string[]) => Promise<V[]>): BatchLoader<V> {
  let perCtx = loaders.get(ctx);
  if (!perCtx) loaders.set(ctx, (perCtx = new Map()));
  const existing = perCtx.get(name);
  if (existing) return existing as BatchLoader<V>;
  const cache = new Map<string, Promise<V>>();
  let pending: { key: string; resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    try {
      const values = await fetch(batch.map((b) => b.key));
      batch.forEach((b, i) => b.resolve(values[i]!));
    } catch (err) {
      batch.forEach((b) => b.reject(err));
    }
  };
  const loader: BatchLoader<V> = {
    load(key) {
      let p = cache.get(key);
      if (!p) {
        p = new Promise<V>((resolve, reject) => {
          if (pending.length === 0) queueMicrotask(() => void flush());
          pending.push({ key, resolve, reject });
        });
        cache.set(key, p);
      }
      return p;
    },
  };
  perCtx.set(name, loader);
  return loader;
}
