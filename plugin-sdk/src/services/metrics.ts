import client from 'prom-client';

export type MetricsRegistry = client.Registry;

export interface Metrics {
  registry: client.Registry;
  counter(name: string, help: string, labelNames?: string[]): client.Counter<string>;
  histogram(name: string, help: string, labelNames?: string[], buckets?: number[]): client.Histogram<string>;
  gauge(name: string, help: string, labelNames?: string[]): client.Gauge<string>;
}

/** Prometheus metrics, names prefixed `carbon_nexus_`; re-registering a name returns the existing metric. */
export function createMetrics(registry = new client.Registry(), prefix = 'carbon_nexus_'): Metrics {
  const get = <T>(name: string, make: () => T): T => (registry.getSingleMetric(prefix + name) as T) ?? make();
  return {
    registry,
    counter: (name, help, labelNames = []) =>
      get(name, () => new client.Counter({ name: prefix + name, help, labelNames, registers: [registry] })),
    histogram: (name, help, labelNames = [], buckets) =>
      get(
        name,
        () =>
          new client.Histogram({
            name: prefix + name,
            help,
            labelNames,
            registers: [registry],
            ...(buckets ? { buckets } : {}),
          }),
      ),
    gauge: (name, help, labelNames = []) =>
      get(name, () => new client.Gauge({ name: prefix + name, help, labelNames, registers: [registry] })),
  };
}

/**
 * Caps the distinct values a label takes (client-chosen names, e.g. GraphQL operation names): the first `max` values
 * pass through, later new ones become `overflow`, so a client cannot grow the registry without bound.
 */
export function boundedLabel(max: number, overflow = 'other'): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= max) return overflow;
    seen.add(value);
    return value;
  };
}

export function collectDefaultMetrics(registry: client.Registry): void {
  client.collectDefaultMetrics({ register: registry, prefix: 'carbon_nexus_' });
}
