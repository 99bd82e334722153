// Property (issue 17 item 5): for random CSV files with stray quotes inside fields, quoted fields holding commas,
// quotes and line breaks, NUL bytes, CRLF or LF, a BOM, blank lines and long fields, imported through POST
// /ingest/csv: every data record of the file is stored exactly once (accepted, or rejected with its row error),
// nothing else is, and each stored row number is the record's first line minus the header line.
// Seeded: FUZZ_SEED=<n> replays a run; FUZZ_RUNS sets how many files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startSubgraph, type SubgraphServer } from '@carbon-nexus/plugin-sdk';
import { createTestDatabase, testDatabaseTargets, signDevToken } from '@carbon-nexus/plugin-sdk/testkit';
import type { Database } from '@carbon-nexus/db';
import { plugin, hoursAgo } from './helpers.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 1_704_2026);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

type Note = { text: string; nul: boolean };
// The note cell: plain text with quotes anywhere but first, or a quoted field (commas, "" and line breaks inside).
const plainNote = fc
  .array(fc.constantFrom(...'ab xyz-5.'.split(''), '"', '\u0000'), { maxLength: 14 })
  .map((cs) => cs.join(''))
  .filter((s) => !s.startsWith('"'))
  .map((s): Note => ({ text: s, nul: s.includes('\u0000') }));
const quotedNote = fc
  .array(fc.constantFrom(...'ab ,"'.split(''), '\n', '\u0000'), { maxLength: 14 })
  .map((cs) => cs.join(''))
  .map((s): Note => ({ text: `"${s.replaceAll('"', '""')}"`, nul: s.includes('\u0000') }));
const longNote = fc.integer({ min: 10_000, max: 200_000 }).map((n): Note => ({ text: 'L'.repeat(n), nul: false }));
const note = fc.oneof(
  { weight: 5, arbitrary: plainNote },
  { weight: 3, arbitrary: quotedNote },
  { weight: 1, arbitrary: longNote },
);
const record = fc.record({
  note,
  badDistance: fc.boolean(),
  blankBefore: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
});
const file = fc.record({
  records: fc.array(record, { minLength: 1, maxLength: 40 }),
  crlf: fc.boolean(),
  bom: fc.boolean(),
  trailingBreak: fc.boolean(),
});

describe.each(testDatabaseTargets())('CSV import property on %s', (target) => {
  let db: Database;
  let srv: SubgraphServer;
  let base: string;
  let token: string;
  let counter = 0;

  beforeAll(async () => {
    db = await createTestDatabase(target);
    srv = await startSubgraph(plugin, {
      db,
      port: 0,
      env: { ...process.env, BUS_URL: undefined, REDIS_URL: undefined },
    });
    base = srv.url.replace(/\/graphql$/, '');
    token = await signDevToken({ sub: 'property', roles: ['analyst'] });
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `mutation { createSupplier(input: { name: "Property carrier", externalId: "PROP-T", category: TRANSPORT, country: "GB" }) { id } }`,
      }),
    });
    expect(((await res.json()) as any).errors).toBeUndefined();
  });
  afterAll(async () => {
    await srv?.close();
    await db?.close();
  });

  it('every record is stored once, accepted or rejected with a row error, under the row number of its line', async () => {
    await fc.assert(
      fc.asyncProperty(file, async (f) => {
        const eol = f.crlf ? '\r\n' : '\n';
        let text =
          (f.bom ? '\ufeff' : '') +
          'external_id,supplier_external_id,event_type,timestamp,distance_km,load_kg,vehicle_type,attr_note' +
          eol;
        let line = 2;
        const expected = new Map<number, 'accepted' | 'rejected'>();
        f.records.forEach((r, i) => {
          if (r.blankBefore) {
            text += eol;
            line++;
          }
          counter++;
          const noteText = f.crlf ? r.note.text.replace(/\n/g, '\r\n') : r.note.text;
          const ts = hoursAgo(2 + Math.floor(counter / 60), counter % 60);
          text += `p${counter},PROP-T,transport,${ts},${r.badDistance ? '-3' : '40'},1000,rigid_truck,${noteText}`;
          if (i < f.records.length - 1 || f.trailingBreak) text += eol;
          expected.set(line - 1, r.badDistance || r.note.nul ? 'rejected' : 'accepted');
          line += 1 + (noteText.match(/\n/g)?.length ?? 0);
        });
        const res = await fetch(`${base}/ingest/csv`, {
          method: 'POST',
          headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
          body: text,
        });
        expect(res.status).toBe(202);
        const job = (await res.json()) as any;
        expect(job.status).toBe('COMPLETED');
        expect(job.rowsTotal).toBe(f.records.length);
        const got = await db.query<{ row_number: number; quality_status: string }>(
          `SELECT row_number, quality_status FROM events_raw WHERE import_job_id = $1 ORDER BY row_number`,
          [job.jobId],
        );
        const actual = new Map(
          got.map((g) => [g.row_number, g.quality_status === 'rejected' ? 'rejected' : 'accepted']),
        );
        expect(got).toHaveLength(f.records.length); // each record once
        expect(actual).toEqual(expected);
        const rejectedRows = [...expected].filter(([, s]) => s === 'rejected').map(([r]) => r);
        expect(job.rowsRejected).toBe(rejectedRows.length);
        expect([...new Set(job.errors.map((e: any) => e.row))]).toEqual(rejectedRows);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
