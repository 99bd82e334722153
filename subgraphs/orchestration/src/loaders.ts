// A tiny per-request batch loader (DataLoader-style): keys requested in the same tick are fetched in one query.
// Keyed by the resolver context object, so batches never cross requests (or callers' scopes).
const registry = new WeakMap<object, Map<string, Loader<any, any>>>();

class Loader<K, V> {
  private pending = new Map<K, { resolve: (v: V | undefined) => void; reject: (e: unknown) => void }[]>();
  private scheduled = false;
  constructor(private batch: (keys: K[]) => Promise<Map<K, V>>) {}

  load(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const list = this.pending.get(key);
      if (list) list.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => void this.flush());
      }
    });
  }

  private async flush() {
    // Let sibling resolvers enqueue their keys before the query goes out.
    await new Promise((r) => setImmediate(r));
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    try {
      const values = await this.batch([...batch.keys()]);
      for (const [k, waiters] of batch) for (const w of waiters) w.resolve(values.get(k));
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  }
}

export function loaderFor<K, V>(ctx: object, name: string, batch: (keys: K[]) => Promise<Map<K, V>>): Loader<K, V> {
  let m = registry.get(ctx);
  if (!m) registry.set(ctx, (m = new Map()));
  let l = m.get(name);
  if (!l) m.set(name, (l = new Loader(batch)));
  return l;
}
