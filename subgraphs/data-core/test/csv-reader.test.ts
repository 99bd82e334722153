// The CSV reader decides record boundaries alone. Properties (fast-check, seeded: FUZZ_SEED replays):
// - on well-formed files (quoted fields with commas, "" and line breaks; stray quotes inside fields; CRLF or LF; BOM;
//   NUL bytes; invalid UTF-8) it returns exactly what csv-parse with relax_quotes returns, in any chunking;
// - every record starts on the line the file says (row numbers can point at lines);
// - a line longer than the limit becomes one oversize record and nothing around it is lost;
// - a stray opening quote never swallows the following lines.
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { CsvRecordReader, type CsvRecord } from '../src/ingest/csv-reader.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_204);

async function read(input: Buffer, chunkSizes: number[] = [65536], max = 1024 * 1024): Promise<CsvRecord[]> {
  const parts: Buffer[] = [];
  for (let i = 0, k = 0; i < input.length; k++) {
    const n = Math.max(1, chunkSizes[k % chunkSizes.length]);
    parts.push(input.subarray(i, i + n));
    i += n;
  }
  const reader = new CsvRecordReader(max);
  Readable.from(parts).pipe(reader);
  const out: CsvRecord[] = [];
  for await (const batch of reader as AsyncIterable<CsvRecord[]>) out.push(...batch);
  return out;
}

const oracle = (input: Buffer) =>
  parse(input, { relax_quotes: true, relax_column_count: true, bom: true }) as string[][];

// A field: plain text (stray quotes allowed, never first), or quoted (anything, quotes doubled).
const plainChar = fc.constantFrom(...'abcxyz019 ._-/\t€é'.split(''), '"', '\u0000');
const plain = fc
  .array(plainChar, { maxLength: 12 })
  .map((cs) => cs.join(''))
  .filter((s) => !s.startsWith('"'));
const quotedContent = fc
  .array(fc.constantFrom(...'abc ,;"'.split(''), '\n', '\r\n', '\u0000'), { maxLength: 12 })
  .map((cs) => cs.join(''));
const field = fc.oneof(
  { weight: 4, arbitrary: plain.map((v) => ({ text: v, value: v })) },
  { weight: 2, arbitrary: quotedContent.map((v) => ({ text: `"${v.replaceAll('"', '""')}"`, value: v })) },
);
const csvFile = fc.record({
  cols: fc.integer({ min: 1, max: 5 }),
  rows: fc.array(fc.array(field, { minLength: 5, maxLength: 5 }), { minLength: 0, maxLength: 30 }),
  crlf: fc.boolean(),
  bom: fc.boolean(),
  trailingBreak: fc.boolean(),
  chunks: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
});

function build(f: {
  cols: number;
  rows: { text: string; value: string }[][];
  crlf: boolean;
  bom: boolean;
  trailingBreak: boolean;
}) {
  const eol = f.crlf ? '\r\n' : '\n';
  const header = Array.from({ length: f.cols }, (_, i) => `c${i}`);
  // In a CRLF file a quoted field's line breaks are CRLF too (csv-parse's rule for mixed breaks is not ours to copy).
  const fix = (s: string) => (f.crlf ? s.replace(/\r?\n/g, '\r\n') : s.replace(/\r\n/g, '\n'));
  const records = [
    header.map((h) => ({ text: h, value: h })),
    ...f.rows.map((r) => r.slice(0, f.cols).map((c) => ({ text: fix(c.text), value: fix(c.value) }))),
  ];
  // A one-column record whose only field is empty is a blank line: give it content.
  for (const r of records) if (r.length === 1 && r[0].text === '') r[0] = { text: 'x', value: 'x' };
  const lines = records.map((r) => r.map((c) => c.text).join(','));
  const text = (f.bom ? '\ufeff' : '') + lines.join(eol) + (f.trailingBreak ? eol : '');
  // The line each record starts on.
  const starts: number[] = [];
  let line = 1;
  for (const l of lines) {
    starts.push(line);
    line += 1 + (l.match(/\r\n|\n/g)?.length ?? 0);
  }
  return { buf: Buffer.from(text), records: records.map((r) => r.map((c) => c.value)), starts };
}

describe('CsvRecordReader', () => {
  it('reads well-formed files exactly as csv-parse (relax_quotes) does, in any chunking, with the line each record starts on', async () => {
    await fc.assert(
      fc.asyncProperty(csvFile, async (f) => {
        const { buf, records, starts } = build(f);
        const ours = await read(buf, f.chunks);
        expect(ours.map((r) => r.fields)).toEqual(oracle(buf));
        expect(ours.map((r) => r.fields)).toEqual(records);
        expect(ours.map((r) => r.line)).toEqual(starts);
        expect(ours.map((r) => r.row)).toEqual(records.map((_, i) => i));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('a stray quote inside a field is an ordinary character (it used to hide ~1 MB of following rows)', async () => {
    const rows = Array.from(
      { length: 5000 },
      (_, i) => `r${i},5" pipes,${i % 7 === 0 ? 'a "quoted" word' : 'x'}\n`,
    ).join('');
    const recs = await read(Buffer.from(`id,what,note\n${rows}`), [4096, 333]);
    expect(recs).toHaveLength(5001);
    expect(recs[1].fields).toEqual(['r0', '5" pipes', 'a "quoted" word']);
    expect(recs.at(-1)).toEqual({ row: 5000, line: 5001, fields: ['r4999', '5" pipes', 'x'] });
  });

  it('a stray opening quote never swallows the following lines: they are read one by one', async () => {
    for (const text of [
      'a,b,c\n1,"oops,3\n4,5,6\n7,8,9\n', // never closes
      'a,b,c\n1,"oops,3\n4,"5",6\n7,8,9\n', // "closes" on a later line, followed by text
      'a,b,c\n1,"oops,3\n4,5,6"\n7,8,9\n', // closes cleanly, but the record then has too few fields
    ]) {
      for (const chunks of [[1], [3], [1000]]) {
        const recs = await read(Buffer.from(text), chunks);
        expect(
          recs.map((r) => r.line),
          text,
        ).toEqual([1, 2, 3, 4]);
        expect(recs[1].fields![0]).toBe('1');
        expect(recs[2].fields![0]).toBe('4');
        expect(recs[3].fields).toEqual(['7', '8', '9']);
      }
    }
    // Closing cleanly with the right number of fields is a legitimate multi-line field (CSV cannot tell it from a
    // stray quote): one record, as csv-parse reads it; the importer then judges its values.
    const merged = await read(Buffer.from('a,b,c\n1,"oops,3\n4,5",6\n7,8,9\n'));
    expect(merged.map((r) => [r.line, r.fields])).toEqual([
      [1, ['a', 'b', 'c']],
      [2, ['1', 'oops,3\n4,5', '6']],
      [4, ['7', '8', '9']],
    ]);
    // A legitimate multi-line field stays one record.
    const ok = await read(Buffer.from('a,b,c\n1,"two\nlines",3\n4,5,6\n'), [2]);
    expect(ok.map((r) => [r.line, r.fields])).toEqual([
      [1, ['a', 'b', 'c']],
      [2, ['1', 'two\nlines', '3']],
      [4, ['4', '5', '6']],
    ]);
  });

  it('skips a line longer than the limit as one oversize record, keeping every line around it', async () => {
    const big = 'x'.repeat(5000);
    for (const text of [`a,b\n1,2\n3,${big}\n5,6\n`, `a,b\n1,2\n3,"${big}"\n5,6\n`, `a,b\r\n1,2\r\n3,${big}\r\n5,6`]) {
      for (const chunks of [[7], [4096], [100000]]) {
        const recs = await read(Buffer.from(text), chunks, 1000);
        expect(recs.map((r) => [r.line, r.fields])).toEqual([
          [1, ['a', 'b']],
          [2, ['1', '2']],
          [3, null],
          [4, ['5', '6']],
        ]);
      }
    }
    // A quoted field running over the limit across lines is read line by line instead.
    const runaway = `a,b\n1,"${'y\n'.repeat(600)}2,3\n`;
    const recs = await read(Buffer.from(runaway), [50], 1000);
    expect(recs[1]).toEqual({ row: 1, line: 2, fields: ['1', '"y'] });
    expect(recs.at(-1)).toEqual({ row: 601, line: 602, fields: ['2', '3'] });
  });

  it('reads classic Mac (CR) files, BOM, blank lines and a last line without a break', async () => {
    const recs = await read(Buffer.from('\ufeffa,b\r1,"x\ry"\r\r2,3'), [1]);
    expect(recs.map((r) => [r.line, r.fields])).toEqual([
      [1, ['a', 'b']],
      [2, ['1', 'x\ry']],
      [4, ['']],
      [5, ['2', '3']],
    ]);
  });

  it('keeps NUL bytes and broken UTF-8 in the field they belong to (the importer reports them by column)', async () => {
    const buf = Buffer.concat([Buffer.from('a,b,c\n1,x\u0000y,3\n4,'), Buffer.from([0xe2, 0x28]), Buffer.from(',6\n')]);
    const recs = await read(buf, [5]);
    expect(recs[1].fields).toEqual(['1', 'x\u0000y', '3']);
    expect(recs[2].fields).toEqual(['4', '\ufffd(', '6']);
  });
});
