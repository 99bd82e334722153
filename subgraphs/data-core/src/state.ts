// What the plugin's init returns: caches, throttles and metrics. In-flight work, timers and subscriptions end through
// services.lifecycle (no bookkeeping here).
import type { Services } from './config.ts';
import { createRecalculator, type Recalculator } from './jobs/recalculate.ts';
import { emissionsPulse } from '../client/topics.ts';

export interface SupplierCacheEntry {
  id: string;
  externalId: string | null;
  country: string | null;
  category: string;
}

export interface DataCoreState {
  supplierCache: {
    byId: Map<string, SupplierCacheEntry>;
    byExternal: Map<string, SupplierCacheEntry>;
    loadedAt: number;
  };
  /** Throttled `emissions.pulse` publisher (at most one per second, trailing edge). */
  pulse: { kick(): void; stop(): void };
  metrics: { events: ReturnType<Services['metrics']['counter']> };
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

export function createState(services: Services): DataCoreState {
  const pulse = throttle(() => {
    services.bus
      .publish(emissionsPulse, { at: new Date().toISOString() })
      .catch((err) => services.logger.warn({ err }, 'emissions.pulse publish failed'));
  }, 1000);
  return {
    supplierCache: { byId: new Map(), byExternal: new Map(), loadedAt: Date.now() },
    pulse,
    metrics: { events: services.metrics.counter('datacore_events_total', 'Ingested events by outcome', ['status']) },
    recalc: createRecalculator(services, () => pulse.kick()),
  };
}
