// What the plugin's init returns: caches, throttles, metrics and the in-flight import jobs (for drain).
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import { createRecalculator, type Recalculator } from './figures/recalculate.ts';
import { emissionsPulse } from '../client/topics.ts';

export interface SupplierCacheEntry {
  id: string;
  externalId: string | null;
  country: string | null;
  category: string;
}

export interface DataCoreState {
  supplierCache: { byId: Map<string, SupplierCacheEntry>; byExternal: Map<string, SupplierCacheEntry>; loadedAt: number };
  /** Throttled `emissions.pulse` publisher (at most one per second, trailing edge). */
  pulse: { kick(): void; stop(): void };
  metrics: { events: ReturnType<PluginServices['metrics']['counter']> };
  /** Background work (CSV imports) to await on stop. */
  inflight: Set<Promise<unknown>>;
  stopping: boolean;
  /** Closes WebSocket connections on stop. */
  closers: Set<() => void>;
  /** Recomputes stored figures made with another factor set (runs at start and on demand). */
  recalc: Recalculator;
}

export function throttle(fn: () => void, ms: number) {
  let last = 0;
  let timer: NodeJS.Timeout | null = null;
  return {
    kick() {
      const wait = last + ms - Date.now();
      if (wait <= 0) {
        last = Date.now();
        fn();
      } else if (!timer) {
        timer = setTimeout(() => {
          timer = null;
          last = Date.now();
          fn();
        }, wait);
        timer.unref?.();
      }
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export function createState(services: PluginServices<any>): DataCoreState {
  const pulse = throttle(() => {
    services.bus.publish(emissionsPulse, { at: new Date().toISOString() }).catch((err) => services.logger.warn({ err }, 'emissions.pulse publish failed'));
  }, 1000);
  return {
    supplierCache: { byId: new Map(), byExternal: new Map(), loadedAt: Date.now() },
    pulse,
    metrics: { events: services.metrics.counter('datacore_events_total', 'Ingested events by outcome', ['status']) },
    inflight: new Set(),
    stopping: false,
    closers: new Set(),
    recalc: createRecalculator(services, () => pulse.kick()),
  };
}
