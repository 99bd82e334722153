// Property-based fuzzing of ingestion (fast-check): batches through the GraphQL ingestEvents mutation and CSV files
// through POST /ingest/csv, each mixing valid events with invalid ones (one broken field each, or garbage lines).
// Properties: no crash and no 5xx; every invalid item is rejected with an error naming its row/index and field;
// every valid item is persisted exactly once (counted in the database). Bounded and seeded: FUZZ_SEED=<n> replays
// a run; fast-check prints the seed and the shrunk counterexample when a property fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startSubgraph, type SubgraphServer, type RunningPlugin } from '@carbon-nexus/plugin-sdk';
import { createTestDatabase, testDatabaseTargets, signDevToken, TEST_ADMIN } from '@carbon-nexus/plugin-sdk/testkit';
import type { Database } from '@carbon-nexus/db';
import { plugin, INGEST } from './helpers.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_127);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const HOUR = 3_600_000;
const VEHICLES = ['rigid_truck', 'articulated_truck', 'truck', 'hgv', 'rail', 'ferry', 'air'];

/** A past, zoned timestamp (between 1 hour and ~7 months ago). */
const pastTimestamp = fc
  .record({ h: fc.integer({ min: 1, max: 5000 }), m: fc.integer({ min: 0, max: 59 }) })
  .map(({ h, m }) => new Date(Math.floor(Date.now() / HOUR) * HOUR - h * HOUR + m * 60_000).toISOString());
const km = fc.double({ min: 0, max: 20_000, noNaN: true, noDefaultInfinity: true });
const kg = fc.double({ min: 0, max: 60_000, noNaN: true, noDefaultInfinity: true });

// ---- GraphQL events ---------------------------------------------------------------------------------------
type Gql = Record<string, unknown>;
const validGql = fc.oneof(
  fc.record({
    eventType: fc.constant('TRANSPORT'),
    timestamp: pastTimestamp,
    distanceKm: km,
    loadKg: kg,
    vehicleType: fc.constantFrom(...VEHICLES),
    stops: fc.integer({ min: 0, max: 10_000 }),
  }),
  fc.record({
    eventType: fc.constant('FACTORY'),
    timestamp: pastTimestamp,
    energyKwh: fc.double({ min: 0, max: 1e8, noNaN: true, noDefaultInfinity: true }),
    region: fc.constantFrom('UK', 'gb', 'EU', 'us'),
  }),
  fc.record({
    eventType: fc.constant('DELIVERY'),
    timestamp: pastTimestamp,
    distanceKm: km,
    parcels: fc.integer({ min: 0, max: 1_000_000 }),
  }),
);
/** One broken field per invalid event, with the field the error must name. */
const breakGql: fc.Arbitrary<{ field: string; apply: (e: Gql) => Gql }> = fc.oneof(
  fc
    .double({ min: 20_000.01, max: 1e12, noNaN: true, noDefaultInfinity: true })
    .map((v) => ({ field: 'distanceKm', apply: (e: Gql) => ({ ...e, eventType: 'TRANSPORT', distanceKm: v }) })),
  fc
    .double({ min: -1e9, max: -0.001, noNaN: true, noDefaultInfinity: true })
    .map((v) => ({ field: 'distanceKm', apply: (e: Gql) => ({ ...e, eventType: 'DELIVERY', distanceKm: v }) })),
  fc.constant({ field: 'distanceKm', apply: (e: Gql) => ({ ...e, eventType: 'TRANSPORT', distanceKm: undefined }) }),
  fc.constant({ field: 'energyKwh', apply: (e: Gql) => ({ ...e, eventType: 'WAREHOUSE', energyKwh: undefined }) }),
  fc
    .double({ min: 60_000.5, max: 1e9, noNaN: true, noDefaultInfinity: true })
    .map((v) => ({ field: 'loadKg', apply: (e: Gql) => ({ ...e, loadKg: v }) })),
  fc
    .constantFrom(
      'yesterday',
      '2026-01-01 10:00:00',
      '2099-01-01T00:00:00Z',
      '1999-12-31T23:00:00Z',
      '',
      '2026-01-01T25:00:00Z',
      '2026-02-30T10:00:00Z',
    )
    .map((v) => ({ field: 'timestamp', apply: (e: Gql) => ({ ...e, timestamp: v }) })),
  fc
    .string({ minLength: 1, maxLength: 20 })
    .filter(
      (s) =>
        !VEHICLES.includes(
          s
            .trim()
            .toLowerCase()
            .replace(/[\s-]+/g, '_'),
        ) && !['van', 'ev_truck', 'ev_van'].includes(s.trim().toLowerCase()),
    )
    .map((v) => ({ field: 'vehicleType', apply: (e: Gql) => ({ ...e, vehicleType: v }) })),
  fc.integer({ min: -1000, max: -1 }).map((v) => ({ field: 'stops', apply: (e: Gql) => ({ ...e, stops: v }) })),
  fc
    .double({ min: 1441, max: 1e6, noNaN: true, noDefaultInfinity: true })
    .map((v) => ({ field: 'idleMinutes', apply: (e: Gql) => ({ ...e, idleMinutes: v }) })),
  fc.constantFrom('XX', 'Mars', '').map((v) => ({ field: 'region', apply: (e: Gql) => ({ ...e, region: v }) })),
  fc
    .constantFrom('not-a-uuid', '123')
    .map((v) => ({ field: 'supplierId', apply: (e: Gql) => ({ ...e, supplierId: v }) })),
  fc.uuid({ version: 4 }).map((v) => ({ field: 'supplierId', apply: (e: Gql) => ({ ...e, supplierId: v }) })), // unknown supplier
  fc.constant({ field: 'externalId', apply: (e: Gql) => ({ ...e, externalId: '' }) }),
  fc
    .array(fc.integer(), { maxLength: 3 })
    .map((v) => ({ field: 'attributes', apply: (e: Gql) => ({ ...e, attributes: v }) })),
);
const gqlItem = fc.oneof(
  validGql.map((e) => ({ e, broken: null as null | { field: string; apply: (e: Gql) => Gql } })),
  fc.tuple(validGql, breakGql).map(([e, broken]) => ({ e, broken })),
);

// ---- CSV rows ---------------------------------------------------------------------------------------------
const CSV_HEADER = 'external_id,supplier_external_id,event_type,timestamp,distance_km,load_kg,vehicle_type,stops';
interface CsvRow {
  cells: string[];
  /** null = valid; otherwise the column the error must name (null column = record-level error). */
  bad: { column: string | null } | null;
}
const validCsv = fc.record({
  ts: pastTimestamp,
  d: km,
  l: kg,
  v: fc.constantFrom(...VEHICLES),
  s: fc.integer({ min: 0, max: 10_000 }),
  quoted: fc.boolean(),
  type: fc.constantFrom('transport', 'TRANSPORT', ' Transport '),
});
const cellsOf = (r: { ts: string; d: number; l: number; v: string; s: number; type: string }) => [
  '',
  'FUZZ-T',
  r.type,
  r.ts,
  String(r.d),
  String(r.l),
  r.v,
  String(r.s),
];
const breakCsv: fc.Arbitrary<{ column: string | null; apply: (c: string[]) => string[] }> = fc.oneof(
  fc
    .constantFrom('abc', '-5', '20000.5', '1e9', 'NaN', 'Infinity', '0x10z')
    .map((v) => ({ column: 'distance_km', apply: (c: string[]) => c.map((x, i) => (i === 4 ? v : x)) })),
  fc.constant({ column: null, apply: (c: string[]) => c.map((x, i) => (i === 4 ? '1,5' : x)) }), // decimal comma unquoted: 9 columns
  fc
    .constantFrom('70000', 'heavy', '-1')
    .map((v) => ({ column: 'load_kg', apply: (c: string[]) => c.map((x, i) => (i === 5 ? v : x)) })),
  fc
    .constantFrom(
      'yesterday',
      '2026-01-01 10:00:00',
      '2099-01-01T00:00:00Z',
      '1999-12-31T23:00:00Z',
      '2026-01-01T25:00:00Z',
      '2026-02-30T10:00:00Z',
      '2025-04-31T00:00:00+02:00',
    )
    .map((v) => ({ column: 'timestamp', apply: (c: string[]) => c.map((x, i) => (i === 3 ? v : x)) })),
  fc
    .constantFrom('teleport', 'boat', '42')
    .map((v) => ({ column: 'event_type', apply: (c: string[]) => c.map((x, i) => (i === 2 ? v : x)) })),
  fc
    .constantFrom('spaceship', 'bike')
    .map((v) => ({ column: 'vehicle_type', apply: (c: string[]) => c.map((x, i) => (i === 6 ? v : x)) })),
  fc
    .constantFrom('1.5', '-1', 'many')
    .map((v) => ({ column: 'stops', apply: (c: string[]) => c.map((x, i) => (i === 7 ? v : x)) })),
  fc.constant({ column: 'supplier_external_id', apply: (c: string[]) => c.map((x, i) => (i === 1 ? 'NOBODY-X' : x)) }),
  fc.constant({ column: null, apply: (c: string[]) => c.slice(0, 5) }), // too few columns
  fc.constant({ column: null, apply: (c: string[]) => [...c, 'extra'] }), // too many
);
/** Garbage lines (no quotes or line breaks, which would legitimately merge lines): rejected, column unspecified. */
const garbageChar = fc.constantFrom(..."abcxyzAZ019 ;:._-/\\'é€\t".split(''));
const garbage = fc
  .array(fc.string({ unit: garbageChar, maxLength: 12 }), { minLength: 1, maxLength: 12 })
  .map((cells) => cells.join(','))
  .filter((s) => s.trim() !== '' && s.split(',').length !== 8);
const csvRow: fc.Arbitrary<CsvRow & { garbage?: string }> = fc.oneof(
  { weight: 3, arbitrary: validCsv.map((r) => ({ cells: cellsOf(r), bad: null, quoted: r.quoted })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(validCsv, breakCsv)
      .map(([r, b]) => ({ cells: b.apply(cellsOf(r)), bad: { column: b.column } })),
  },
  { weight: 1, arbitrary: garbage.map((g) => ({ cells: [], bad: { column: null }, garbage: g })) },
);

describe.each(testDatabaseTargets())('fuzzing ingestion on %s', (target) => {
  let db: Database;
  let srv: SubgraphServer;
  let rp: RunningPlugin;
  let base: string;
  let token: string;
  let supplierId: string;
  let runNo = 0;

  beforeAll(async () => {
    db = await createTestDatabase(target);
    srv = await startSubgraph(plugin, {
      db,
      port: 0,
      migrate: false,
      scheduler: false,
      env: { ...process.env, BUS_URL: undefined, REDIS_URL: undefined },
    });
    rp = srv.host.plugins.get('data-core')!;
    base = srv.url.replace(/\/graphql$/, '');
    token = await signDevToken({ sub: 'fuzzer', roles: ['analyst'] });
    const r = await rp.execute(
      `mutation { createSupplier(input: { name: "Fuzz Carrier", externalId: "FUZZ-T", category: TRANSPORT }) { id } }`,
      {},
      { auth: TEST_ADMIN },
    );
    expect(r.errors).toBeUndefined();
    supplierId = (r.data as any).createSupplier.id;
  }, 120_000);
  afterAll(async () => {
    await srv?.close();
    await db?.close();
  });

  const stored = async (ids: string[]) => {
    const rows = await db.query<{ external_id: string; n: number }>(
      `SELECT external_id, count(*)::int AS n FROM events_normalized WHERE external_id = ANY($1::text[]) GROUP BY external_id`,
      [ids],
    );
    return new Map(rows.map((r) => [r.external_id, r.n]));
  };

  it('ingestEvents: valid events stored exactly once, each invalid one rejected naming its field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(gqlItem, { minLength: 1, maxLength: 25 }), async (items) => {
        const run = ++runNo;
        const events = items.map(({ e, broken }, i) => {
          const base = { ...e, supplierId, externalId: `gq-${run}-${i}` };
          const out = broken ? broken.apply(base) : base;
          return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
        });
        const r = await rp.execute(
          INGEST,
          { events },
          { auth: { sub: 'fuzzer', roles: ['analyst'], supplierIds: null } },
        );
        expect(r.errors).toBeUndefined();
        const res = (r.data as any).ingestEvents;
        const valid = items.flatMap((it, i) => (it.broken ? [] : [i]));
        expect(res.accepted).toBe(valid.length);
        expect(res.rejected).toBe(items.length - valid.length);
        expect(res.duplicates).toBe(0);
        items.forEach((it, i) => {
          const got = res.results[i];
          expect(got.index).toBe(i);
          if (!it.broken) {
            expect(got.status, JSON.stringify({ event: events[i], got })).toBe('ACCEPTED');
            expect(got.eventId).toBeTruthy();
          } else {
            expect(got.status, JSON.stringify(events[i])).toBe('REJECTED');
            expect(
              got.errors.map((x: any) => x.field),
              JSON.stringify({ event: events[i], got }),
            ).toContain(it.broken.field);
          }
        });
        const counts = await stored(events.map((e) => e.externalId as string).filter(Boolean));
        for (const i of valid) expect(counts.get(`gq-${run}-${i}`)).toBe(1);
        expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(valid.length);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);

  it('CSV import: valid rows stored exactly once, each invalid row reported with its row number and column, no 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(csvRow, { minLength: 1, maxLength: 40 }), async (rows) => {
        const run = ++runNo;
        const lines = rows.map((r, i) => {
          if (r.garbage !== undefined) return r.garbage;
          const cells = [...r.cells];
          if (cells.length) cells[0] = `csv-${run}-${i}`;
          // Quoting a valid row must not change its meaning.
          return (r as any).quoted ? cells.map((c) => `"${c}"`).join(',') : cells.join(',');
        });
        const res = await fetch(`${base}/ingest/csv`, {
          method: 'POST',
          headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
          body: [CSV_HEADER, ...lines].join('\n') + '\n',
        });
        expect(res.status).toBe(202);
        const job = (await res.json()) as any;
        const valid = rows.flatMap((r, i) => (r.bad ? [] : [i]));
        const ctx = JSON.stringify({ lines, errors: job.errors });
        expect(job.status, ctx).toBe('COMPLETED');
        expect(job.rowsTotal, ctx).toBe(rows.length);
        expect(job.rowsAccepted, ctx).toBe(valid.length);
        expect(job.rowsRejected, ctx).toBe(rows.length - valid.length);
        rows.forEach((r, i) => {
          if (!r.bad) return;
          const mine = job.errors.filter((e: any) => e.row === i + 1);
          expect(mine.length, `row ${i + 1}: ${ctx}`).toBeGreaterThan(0);
          if (r.bad.column !== null || r.garbage === undefined) {
            expect(
              mine.map((e: any) => e.column),
              `row ${i + 1}: ${ctx}`,
            ).toContain(r.bad.column);
          }
        });
        const counts = await stored(rows.map((_, i) => `csv-${run}-${i}`));
        for (const i of valid) expect(counts.get(`csv-${run}-${i}`), ctx).toBe(1);
        expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(valid.length);
        const [raw] = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM events_raw WHERE import_job_id = $1`,
          [job.jobId],
        );
        expect(raw.n).toBe(rows.length); // every row kept raw, rejected ones included
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);
});
