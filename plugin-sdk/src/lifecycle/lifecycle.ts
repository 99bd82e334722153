// A running plugin's lifecycle: starting -> started -> draining -> stopped. What a plugin opens through its services
// (bus subscriptions and iterators, timers, tracked in-flight work) ends on its own when draining starts, so a plugin
// does not keep `closers`, `inflight` sets or stored `unsubscribe`s. Stop order: abort the signal, end subscriptions
// and timers, wait for tracked work (bounded), the plugin's own `stop`, then `onStop` callbacks (last first).
import type { Logger } from '../services/logger.ts';

export type PluginPhase = 'starting' | 'started' | 'draining' | 'stopped';

export interface PluginLifecycle {
  readonly phase: PluginPhase;
  /** Aborted when draining starts: pass it to long waits, fetches and loops so they end with the plugin. */
  readonly signal: AbortSignal;
  /** Runs at stop, after in-flight work settled and the plugin's own `stop`; the last registered runs first. */
  onStop(fn: () => void | Promise<void>): void;
  /** Work the drain waits for (bounded by PLUGIN_DRAIN_SECONDS); returns the same promise. */
  track<T>(work: Promise<T>): Promise<T>;
  /** A repeating timer that ends when draining starts (unref'd: it never keeps the process alive). */
  setInterval(fn: () => void, ms: number): Timer;
  /** A one-shot timer that is cancelled when draining starts (unref'd). */
  setTimeout(fn: () => void, ms: number): Timer;
}

export interface Timer {
  clear(): void;
}

/** The host's side of a lifecycle: moves it through its phases. */
export interface LifecycleController {
  readonly lifecycle: PluginLifecycle;
  /** Registers what ends when draining starts (the plugin's bus subscriptions). */
  onDrain(fn: () => void): () => void;
  started(): void;
  /** Drains and stops; `pluginStop` is the plugin's own `stop` (run after tracked work settled). Idempotent. */
  stop(pluginStop?: () => void | Promise<void>): Promise<void>;
}

export function createLifecycle(opts: {
  pluginId: string;
  logger: Logger;
  drainTimeoutMs: number;
}): LifecycleController {
  const { logger } = opts;
  let phase: PluginPhase = 'starting';
  const ac = new AbortController();
  const drainHooks = new Set<() => void>();
  const stopHooks: (() => void | Promise<void>)[] = [];
  const inflight = new Set<Promise<unknown>>();
  let stopping: Promise<void> | null = null;

  const timer = (kind: 'interval' | 'timeout', fn: () => void, ms: number): Timer => {
    if (phase === 'draining' || phase === 'stopped') return { clear() {} };
    const handle = kind === 'interval' ? setInterval(fn, ms) : setTimeout(() => (off(), fn()), ms);
    handle.unref();
    const clear = () => (kind === 'interval' ? clearInterval(handle) : clearTimeout(handle));
    const off = controller.onDrain(clear);
    return {
      clear() {
        clear();
        off();
      },
    };
  };

  const lifecycle: PluginLifecycle = {
    get phase() {
      return phase;
    },
    signal: ac.signal,
    onStop(fn) {
      stopHooks.push(fn);
    },
    track(work) {
      const settled = work.then(
        () => undefined,
        () => undefined,
      );
      inflight.add(settled);
      void settled.then(() => inflight.delete(settled));
      return work;
    },
    setInterval: (fn, ms) => timer('interval', fn, ms),
    setTimeout: (fn, ms) => timer('timeout', fn, ms),
  };

  const controller: LifecycleController = {
    lifecycle,
    onDrain(fn) {
      drainHooks.add(fn);
      return () => void drainHooks.delete(fn);
    },
    started() {
      if (phase === 'starting') phase = 'started';
    },
    stop(pluginStop) {
      stopping ??= (async () => {
        phase = 'draining';
        ac.abort(new Error(`plugin "${opts.pluginId}" is stopping`));
        for (const fn of [...drainHooks]) fn();
        drainHooks.clear();
        if (inflight.size) {
          let timedOut = false;
          let t: NodeJS.Timeout | undefined;
          await Promise.race([
            Promise.all([...inflight]),
            new Promise<void>((resolve) => {
              t = setTimeout(() => ((timedOut = true), resolve()), opts.drainTimeoutMs);
              t.unref();
            }),
          ]);
          clearTimeout(t);
          if (timedOut)
            logger.warn(
              { pending: inflight.size, drainTimeoutMs: opts.drainTimeoutMs },
              'in-flight work did not finish in time; stopping anyway',
            );
        }
        const run = async (what: string, fn: () => void | Promise<void>) => {
          try {
            await fn();
          } catch (err) {
            logger.error({ err }, `${what} failed`);
          }
        };
        if (pluginStop) await run('plugin stop', pluginStop);
        for (const fn of stopHooks.splice(0).reverse()) await run('onStop callback', fn);
        phase = 'stopped';
      })();
      return stopping;
    },
  };
  return controller;
}
