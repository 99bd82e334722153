// The bus as a plugin sees it: the shared bus, with the plugin's subscriptions and iterators ending when it starts
// draining, and async handlers tracked as in-flight work the drain waits for.
import type { Bus, BusHandler } from '../services/bus.ts';
import type { BusTopic } from '../contract/topics.ts';
import type { LifecycleController } from './lifecycle.ts';

export function pluginBus(bus: Bus, lc: LifecycleController): Bus {
  const lifecycle = lc.lifecycle;
  const closed = () => lifecycle.phase === 'draining' || lifecycle.phase === 'stopped';
  const scoped = {
    get kind() {
      return bus.kind;
    },
    get onDeliver() {
      return bus.onDeliver;
    },
    set onDeliver(fn) {
      bus.onDeliver = fn;
    },
    get connected() {
      return bus.connected;
    },
    get listenings() {
      return bus.listenings;
    },
    publish: (topic: BusTopic<unknown>, payload: unknown) => bus.publish(topic, payload),
    publishNow: bus.publishNow.bind(bus),
    subscribe(topic: BusTopic<unknown>, handler: BusHandler<never>): () => void {
      if (closed()) return () => undefined;
      const off = bus.subscribe(topic as BusTopic<never>, (payload, envelope) => {
        const r = handler(payload, envelope);
        if (r && typeof (r as Promise<void>).then === 'function') lifecycle.track(r as Promise<void>);
        return r;
      });
      const dispose = () => {
        forget();
        off();
      };
      const forget = lc.onDrain(off);
      return dispose;
    },
    iterate<P>(topic: BusTopic<P>, opts: { signal?: AbortSignal; bufferSize?: number } = {}): AsyncIterableIterator<P> {
      // One controller per iterator, aborted by the caller's signal or the plugin's drain; listeners are removed
      // when the iterator ends, so a long-lived plugin does not collect them.
      const ac = new AbortController();
      const abort = () => ac.abort();
      const cleanup = () => {
        lifecycle.signal.removeEventListener('abort', abort);
        opts.signal?.removeEventListener('abort', abort);
      };
      ac.signal.addEventListener('abort', cleanup, { once: true });
      if (closed() || opts.signal?.aborted) ac.abort();
      else {
        lifecycle.signal.addEventListener('abort', abort, { once: true });
        opts.signal?.addEventListener('abort', abort, { once: true });
      }
      const inner = bus.iterate(topic, { bufferSize: opts.bufferSize, signal: ac.signal });
      const it: AsyncIterableIterator<P> = {
        next: () => inner.next(),
        async return(value?: unknown) {
          ac.abort();
          return inner.return ? inner.return(value) : { done: true as const, value: undefined };
        },
        [Symbol.asyncIterator]() {
          return it;
        },
      };
      return it;
    },
    /** Ends this plugin's subscriptions; the shared bus stays open (the host owns it). */
    async close() {
      // Nothing of the shared bus is closed here: the host closes it after every plugin stopped.
    },
  };
  return scoped as Bus;
}
