// Test helpers: the REAL data-core (and, for tests of MODEL figures, ml-engine) beside orchestration — dynamic
// imports: tests may compose plugins, src may not — suppliers, steady history and a planned spike through data-core
// ingestEvents. Tests that only need data-core's answers mock it instead (mocked-data-core.test.ts).
import { createSubgraphTestkit, waitFor, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import type { Database, TestDatabaseTarget } from '@carbon-nexus/db';
import orchestration from '../src/plugin.ts';

export const HOUR = 3_600_000;

export interface KitOptions {
  target?: TestDatabaseTarget;
  db?: Database;
  env?: Record<string, string>;
  scheduler?: boolean;
  /** Boot ml-engine (ONNX) too: only for MODEL figures (events without fuel, energy or activity data). */
  mlEngine?: boolean;
  recommendations?: boolean;
}

export async function startKit(opts: KitOptions = {}): Promise<SubgraphTestkit> {
  const dataCore = (await import('@carbon-nexus/data-core')).default;
  const more = [
    ...(opts.mlEngine ? [(await import('@carbon-nexus/ml-engine')).default] : []),
    ...(opts.recommendations ? [(await import('@carbon-nexus/recommendations')).default] : []),
  ];
  return createSubgraphTestkit(orchestration, {
    with: [dataCore, ...more],
    target: opts.target,
    db: opts.db,
    scheduler: opts.scheduler,
    env: { ...process.env, HOTSPOT_WINDOW_MINUTES: '60', ...opts.env },
  });
}

export async function createSupplier(
  kit: SubgraphTestkit,
  name: string,
  category = 'TRANSPORT',
  country = 'GB',
): Promise<string> {
  const r = await kit.query<{ createSupplier: { id: string } }>(
    `mutation($input: SupplierInput!) { createSupplier(input: $input) { id } }`,
    { input: { name, category, country } },
    { plugin: 'data-core' },
  );
  return r.createSupplier.id;
}

let ext = 0;
/** A steady road-freight leg (same measures every time, so predictions are steady). */
export function leg(supplierId: string, at: Date, loadKg = 12_000) {
  return {
    externalId: `t-${++ext}-${at.getTime()}`,
    supplierId,
    eventType: 'TRANSPORT',
    timestamp: at.toISOString(),
    distanceKm: 120,
    loadKg,
    vehicleType: 'rigid_truck',
    fuelType: 'diesel',
    speedKmh: 70,
    region: 'UK',
    route: 'R1',
  };
}

export async function ingest(kit: SubgraphTestkit, events: ReturnType<typeof leg>[]): Promise<void> {
  for (let i = 0; i < events.length; i += 2000) {
    const r = await kit.query<{
      ingestEvents: { accepted: number; rejected: number; results: { errors: { field: string; reason: string }[] }[] };
    }>(
      `mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted rejected results { errors { field reason } } } }`,
      { e: events.slice(i, i + 2000) },
      { plugin: 'data-core' },
    );
    if (r.ingestEvents.rejected)
      throw new Error(`rejected: ${JSON.stringify(r.ingestEvents.results.find((x) => x.errors.length))}`);
  }
}

/** Steady history: `perHour` identical legs per hour per supplier from `hours` ago up to 2 h ago. */
export function history(supplierIds: string[], now: Date, hours: number, perHour = 1) {
  const out: ReturnType<typeof leg>[] = [];
  const lastHour = Math.floor(now.getTime() / HOUR) * HOUR - 2 * HOUR;
  for (let h = hours; h >= 0; h--)
    for (const s of supplierIds)
      for (let i = 0; i < perHour; i++)
        out.push(leg(s, new Date(lastHour - h * HOUR + (10 + i * (45 / perHour)) * 60_000)));
  return out;
}

/** `n` legs of a supplier spread over the `minutes` before `end`. */
export function legsBefore(supplierId: string, end: Date, n: number, minutes = 50, loadKg?: number) {
  return Array.from({ length: n }, (_, i) =>
    leg(supplierId, new Date(end.getTime() - (5 + (i * minutes) / n) * 60_000), loadKg),
  );
}

/** The kg CO2e data-core stores for one event (its one figure), by external id. */
export async function figureOf(kit: SubgraphTestkit, externalId: string): Promise<number> {
  const [row] = await kit.db.query<{ co2e_kg: number }>(
    `SELECT co2e_kg FROM events_normalized WHERE external_id = $1`,
    [externalId],
  );
  if (!row) throw new Error(`no event ${externalId}`);
  return Number(row.co2e_kg);
}

/** Polls (bounded) until `check` holds — for bus deliveries, which are asynchronous. */
export async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  await waitFor('the expected bus deliveries', check, timeoutMs);
}
