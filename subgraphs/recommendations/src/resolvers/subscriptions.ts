/** Wraps a bus iterator, passing only matching payloads; return() ends the underlying iteration at once. */
export function filterIterator<T>(inner: AsyncIterableIterator<T>, pred: (t: T) => boolean): AsyncIterableIterator<T> {
  const it: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const r = await inner.next();
        if (r.done || pred(r.value)) return r;
      }
    },
    async return() {
      return inner.return ? inner.return() : { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return it;
    },
  };
  return it;
}
