// Streamed CSV import (constant memory): body -> [gunzip] -> CsvRecordReader -> batches of rows through the same
// ingestBatch every other path uses. Per-row errors {row, column, reason}; rejected rows kept in events_raw; valid
// rows around bad ones committed; a broken stream (truncated gzip, cut upload) fails the job but keeps the rows
// before it. Never throws and never leaves the job open: whatever happens, the job ends COMPLETED or FAILED.
//
// Row numbers follow the file's lines: row n is the record that starts n lines after the header (row 1 = the line
// right after it), so "row 41" is line 42 of a file with a one-line header.
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { AuthClaims } from '@carbon-nexus/plugin-sdk';
import { ingestBatch, type BatchResult, type IngestContext } from './pipeline.ts';
import { CsvRecordReader, type CsvRecord } from './csv-reader.ts';
import type { ImportJobTracker, RowError } from '../store/import-jobs.ts';
import type { FieldError } from './validate.ts';
import { quoted, safeText } from './safe-text.ts';
import { sniffUpload } from './sniff.ts';

export interface CsvImportOptions {
  /** The sender declared gzip (content-encoding or content type). Gzip bytes are recognised without it too. */
  gzip: boolean;
  auth: AuthClaims | null;
  /** Longest accepted record in bytes (longer ones become a row error). */
  maxRecordBytes?: number;
  batchSize?: number;
  /** The upload's connection (to notice it closing after an early answer). */
  socket?: import('node:net').Socket;
}

type Kind = 'string' | 'number' | 'int' | 'bool';
const FIELDS: Record<string, [string, Kind]> = {
  externalid: ['externalId', 'string'],
  id: ['externalId', 'string'],
  eventid: ['externalId', 'string'],
  supplierid: ['supplierId', 'string'],
  supplierexternalid: ['supplierExternalId', 'string'],
  eventtype: ['eventType', 'string'],
  type: ['eventType', 'string'],
  timestamp: ['timestamp', 'string'],
  distancekm: ['distanceKm', 'number'],
  loadkg: ['loadKg', 'number'],
  vehicletype: ['vehicleType', 'string'],
  fueltype: ['fuelType', 'string'],
  speedkmh: ['speedKmh', 'number'],
  fuell: ['fuelL', 'number'],
  energykwh: ['energyKwh', 'number'],
  gaskwh: ['gasKwh', 'number'],
  route: ['route', 'string'],
  facilityid: ['facilityId', 'string'],
  region: ['region', 'string'],
  productionunits: ['productionUnits', 'number'],
  aream2: ['areaM2', 'number'],
  refrigerated: ['refrigerated', 'bool'],
  stops: ['stops', 'int'],
  parcels: ['parcels', 'int'],
  idleminutes: ['idleMinutes', 'number'],
  gradientpct: ['gradientPct', 'number'],
  datasource: ['dataSource', 'string'],
};
export const CSV_COLUMNS = [...new Set(Object.values(FIELDS).map(([f]) => f))];

/** The event field a CSV header name maps to (same normalisation as the import), or null. */
export function fieldOfColumn(name: string): string | null {
  return (
    FIELDS[
      name
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '')
    ]?.[0] ?? null
  );
}

interface Column {
  name: string;
  field: string | null;
  kind: Kind;
  attr: string | null;
}

export class CsvHeaderError extends Error {}

/** Refuses header cells that cannot be column names (NUL bytes, broken UTF-8), naming their position. */
function checkHeaderCells(header: string[]) {
  const problems: string[] = [];
  header.forEach((raw, i) => {
    if (raw.includes('\u0000')) problems.push(`column ${i + 1} (${quoted(raw)}) contains a NUL byte (shown as \\0)`);
    else if (raw.includes('\ufffd'))
      problems.push(`column ${i + 1} (${quoted(raw)}) is not valid UTF-8 (shown as \ufffd)`);
  });
  if (problems.length) {
    throw new CsvHeaderError(
      `bad CSV header: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}. ` +
        'Is this a binary, compressed or UTF-16 file? Send the CSV as UTF-8 text (gzip is fine).',
    );
  }
}

/** Maps header names (snake_case, camelCase or spaced; `attr_*` go to attributes); throws CsvHeaderError. */
export function mapHeader(header: string[]): Column[] {
  checkHeaderCells(header);
  const cols: Column[] = [];
  const unknown: string[] = [];
  const seen = new Map<string, string>();
  for (const raw of header) {
    const name = raw.trim();
    const lower = name.toLowerCase();
    if (lower.startsWith('attr_') || lower.startsWith('attr.')) {
      cols.push({ name, field: null, kind: 'string', attr: name.slice(5) });
      continue;
    }
    const key = lower.replace(/[^a-z0-9]/g, '');
    const f = FIELDS[key];
    if (!f) {
      unknown.push(name ? safeText(name, 60) : '(empty)');
      cols.push({ name, field: null, kind: 'string', attr: null });
      continue;
    }
    if (seen.has(f[0])) throw new CsvHeaderError(`columns "${seen.get(f[0])}" and "${name}" both map to ${f[0]}`);
    seen.set(f[0], name);
    cols.push({ name, field: f[0], kind: f[1], attr: null });
  }
  const missing: string[] = [];
  if (!seen.has('timestamp')) missing.push('timestamp');
  if (!seen.has('eventType')) missing.push('event_type');
  if (!seen.has('supplierId') && !seen.has('supplierExternalId')) missing.push('supplier_id or supplier_external_id');
  const problems: string[] = [];
  if (missing.length) problems.push(`missing required column(s): ${missing.join(', ')}`);
  if (unknown.length) {
    problems.push(
      `unknown column(s): ${unknown.slice(0, 20).join(', ')}${unknown.length > 20 ? ` and ${unknown.length - 20} more` : ''} (prefix extra columns with attr_)`,
    );
  }
  if (problems.length) {
    throw new CsvHeaderError(
      `bad CSV header: ${problems.join('; ')}. Expected columns: supplier_id|supplier_external_id, event_type, timestamp, ` +
        `and optionally external_id, distance_km, load_kg, vehicle_type, fuel_type, speed_kmh, fuel_l, energy_kwh, gas_kwh, ` +
        `route, facility_id, region, production_units, area_m2, refrigerated, stops, parcels, idle_minutes, gradient_pct, attr_*`,
    );
  }
  return cols;
}

const BOOL: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };

function convert(v: string, kind: Kind): unknown {
  if (kind === 'string') return v;
  if (kind === 'bool') return BOOL[v.toLowerCase()] ?? v;
  const n = Number(v);
  return Number.isNaN(n) ? v : n;
}

/** One CSV record as an event, the raw cells to keep (NULs made visible) and the cell-level errors. */
function rowToEvent(
  cols: Column[],
  record: string[],
): { event: Record<string, unknown>; payload: Record<string, string>; errors: FieldError[] } {
  const event: Record<string, unknown> = {};
  const payload: Record<string, string> = {};
  const errors: FieldError[] = [];
  let attrs: Record<string, unknown> | null = null;
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i];
    let v = (record[i] ?? '').trim();
    if (v.includes('\u0000')) {
      errors.push({ field: c.name, reason: 'contains a NUL byte (0x00; shown as \\0): is part of the file binary?' });
      v = v.replaceAll('\u0000', '\\0');
    } else if (v.includes('\ufffd')) {
      errors.push({ field: c.name, reason: 'invalid UTF-8 byte sequence' });
    }
    payload[c.name] = v;
    if (v === '') continue;
    if (c.attr !== null) (attrs ??= {})[c.attr] = v;
    else if (c.field) event[c.field] = convert(v, c.kind);
  }
  if (attrs) event.attributes = attrs;
  return { event, payload, errors };
}

interface Batch {
  items: unknown[];
  rows: number[];
  pre: (FieldError[] | null)[];
  payloads: unknown[];
}

/** SQLSTATE classes caused by the rows themselves (bad value, constraint, permission, size limit): worth isolating. */
const ROW_LEVEL_SQLSTATE = /^(22|23|42|54)/;

function isRowLevel(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && ROW_LEVEL_SQLSTATE.test(code)) return true;
  return err instanceof TypeError || err instanceof RangeError;
}

/**
 * ingestBatch, and when the database refuses the batch because of some row in it, the batch split in halves until
 * the refused rows are alone: each then becomes a rejected row naming the database's reason (kept, so it can be sent
 * again), and every other row is stored. Connection-level failures are not split: they fail the import.
 */
async function ingestIsolating(
  ctx: IngestContext,
  b: Batch,
  opts: Parameters<typeof ingestBatch>[2],
): Promise<BatchResult> {
  const run = (part: Batch) =>
    ingestBatch(ctx, part.items, { ...opts, rows: part.rows, preErrors: part.pre, payloads: part.payloads });
  let refused = 0;
  const go = async (part: Batch): Promise<BatchResult> => {
    try {
      return await run(part);
    } catch (err) {
      if (!isRowLevel(err)) throw err;
      if (part.items.length > 1) {
        const mid = part.items.length >> 1;
        const slice = (a: number, z: number): Batch => ({
          items: part.items.slice(a, z),
          rows: part.rows.slice(a, z),
          pre: part.pre.slice(a, z),
          payloads: part.payloads.slice(a, z),
        });
        const left = await go(slice(0, mid));
        const right = await go(slice(mid, part.items.length));
        return merge(left, right, mid);
      }
      refused++;
      const reason = `could not be stored: ${safeText((err as Error).message ?? String(err), 300)}`;
      ctx.services.logger.debug(
        { err, row: part.rows[0] },
        'csv import: a row refused by the database is kept as rejected',
      );
      try {
        // Keep it as a rejected raw row (the payload is made storable there) so it can be paged like any other.
        return await run({ ...part, pre: [[{ field: '(record)', reason }]] });
      } catch {
        return {
          accepted: 0,
          rejected: 1,
          duplicates: 0,
          co2eKg: 0,
          results: [{ index: 0, status: 'rejected', eventId: null, errors: [{ field: '(record)', reason }] }],
        };
      }
    }
  };
  const r = await go(b);
  if (refused)
    ctx.services.logger.warn(
      { refused, batch: b.items.length },
      'csv import: rows refused by the database kept as rejected',
    );
  return r;
}

function merge(a: BatchResult, b: BatchResult, offset: number): BatchResult {
  return {
    accepted: a.accepted + b.accepted,
    rejected: a.rejected + b.rejected,
    duplicates: a.duplicates + b.duplicates,
    co2eKg: a.co2eKg + b.co2eKg,
    results: [...a.results, ...b.results.map((r) => ({ ...r, index: r.index + offset }))],
  };
}

/** Runs one CSV import to its end; never throws (the job records the failure). */
export async function importCsv(
  ctx: IngestContext,
  job: ImportJobTracker,
  body: Readable,
  opts: CsvImportOptions,
): Promise<void> {
  let failure: string | null = null;
  let cleanup = () => undefined as void;
  try {
    const r = await readAndStore(ctx, job, body, opts);
    failure = r.failure;
    cleanup = r.cleanup;
  } catch (err) {
    ctx.services.logger.error({ err, jobId: job.id }, 'csv import failed');
    failure = errorText(err);
  }
  // Keep consuming what the client still sends, so it sees our answer instead of a reset.
  if (!body.readableEnded) {
    body.unpipe();
    body.resume();
  }
  cleanup();
  await job.finish(failure ? 'failed' : 'completed', failure);
}

async function readAndStore(
  ctx: IngestContext,
  job: ImportJobTracker,
  body: Readable,
  opts: CsvImportOptions,
): Promise<{ failure: string | null; cleanup: () => void }> {
  const maxRecord = opts.maxRecordBytes ?? 1024 * 1024;
  const sniffed = await sniffUpload(body, opts.gzip);
  if (sniffed.refusal) return { failure: sniffed.refusal, cleanup: () => undefined };
  const upload = openRecordStream(sniffed.stream, sniffed.gzip, body, job, opts, maxRecord);
  const writer = createBatchWriter(ctx, job, opts);
  const onRecord = recordHandler(writer, maxRecord);
  let failure: string | null = null;
  try {
    for await (const records of upload.reader as AsyncIterable<CsvRecord[]>) {
      for (const rec of records) await onRecord(rec);
    }
    if (!writer.hasHeader() && !upload.streamError()) throw new CsvHeaderError('empty CSV: no header row');
  } catch (err) {
    failure = errorText(err);
  }
  try {
    await writer.finish();
  } catch (err) {
    failure ??= `storing rows failed: ${errorText(err)}`;
  }
  const streamError = upload.streamError();
  if (streamError && !failure) failure = errorText(streamError);
  return { failure, cleanup: upload.cleanup };
}

/**
 * The upload as CSV records: [gunzip ->] CsvRecordReader, fed from `source` (the sniffed body). A stream failure is
 * kept (streamError) and the rest of the body drained; a client that goes away aborts the reader.
 */
function openRecordStream(
  source: Readable,
  gzip: boolean,
  body: Readable,
  job: ImportJobTracker,
  opts: CsvImportOptions,
  maxRecord: number,
) {
  source.on('data', (c: Buffer) => (job.counters.bytesRead += c.length));
  const reader = new CsvRecordReader(maxRecord);
  const stages: [zlib.Gunzip, CsvRecordReader] | [CsvRecordReader] = gzip ? [zlib.createGunzip(), reader] : [reader];
  let streamError: Error | null = null;
  // The request body is piped, not part of the pipeline: a failure inside must not destroy the socket
  // (the client still gets its answer); the rest of the body is drained instead.
  const onStreamError = (err: Error | null) => {
    if (err) {
      streamError ??= err;
      source.unpipe(stages[0]);
      source.resume();
    }
  };
  if (stages.length > 1) pipeline(stages[0], reader, onStreamError);
  else reader.once('error', onStreamError);
  source.on('error', (err) => stages[0].destroy(err));
  const aborted = () => {
    if (!body.readableEnded) stages[0].destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
  };
  body.on('aborted', aborted);
  // After an early answer Node detaches the request from its socket: a closed connection no longer reaches the
  // request as 'aborted', so watch the socket itself.
  opts.socket?.once('close', aborted);
  source.pipe(stages[0]);
  return {
    reader,
    streamError: () => streamError,
    cleanup: () => {
      opts.socket?.off('close', aborted);
      body.off('aborted', aborted);
    },
  };
}

type BatchWriter = ReturnType<typeof createBatchWriter>;

/** Rows collected into batches of `batchSize`; one batch is stored while the next one is read. */
function createBatchWriter(ctx: IngestContext, job: ImportJobTracker, opts: CsvImportOptions) {
  const batchSize = opts.batchSize ?? 1000;
  let batch: Batch = { items: [], rows: [], pre: [], payloads: [] };
  let columnOf: Map<string, string> | null = null;
  let inflight: Promise<void> | null = null;

  const store = (b: Batch) =>
    (async () => {
      const res = await ingestIsolating(ctx, b, { defaultSource: 'csv', auth: opts.auth, importJobId: job.id });
      job.counters.rowsAccepted += res.accepted;
      job.counters.rowsRejected += res.rejected;
      job.counters.rowsDuplicate += res.duplicates;
      const errs: RowError[] = [];
      for (const r of res.results) {
        if (r.status !== 'rejected') continue;
        const row = b.rows[r.index];
        for (const e of r.errors) {
          const column = e.field.startsWith('(') ? null : (columnOf?.get(e.field) ?? e.field);
          errs.push({ row, column, reason: e.reason });
        }
      }
      job.addErrors(errs);
      await job.save();
    })();

  const flush = async () => {
    if (inflight) await inflight;
    inflight = null;
    if (!batch.items.length) return;
    const b = batch;
    batch = { items: [], rows: [], pre: [], payloads: [] };
    // Marked handled at once: a failure is awaited (and reported) by the next flush, and must not count as an
    // unhandled rejection meanwhile.
    inflight = store(b);
    inflight.catch(() => undefined);
  };

  return {
    /** The header's columns: row errors name the file's column for each field. */
    setColumns(cols: Column[]) {
      columnOf = new Map(cols.filter((c) => c.field).map((c) => [c.field!, c.name]));
    },
    hasHeader: () => columnOf !== null,
    async push(item: unknown, row: number, errors: FieldError[] | null, payload: unknown) {
      batch.items.push(item);
      batch.rows.push(row);
      batch.pre.push(errors);
      batch.payloads.push(payload);
      job.counters.rowsTotal++;
      if (batch.items.length >= batchSize) await flush();
    },
    /** Stores the last batch and waits for the one in flight. */
    async finish() {
      await flush();
      if (inflight) await inflight;
    },
  };
}

/** Each record: the first is the header; the others become rows (oversize and short/long records are row errors). */
function recordHandler(writer: BatchWriter, maxRecord: number): (rec: CsvRecord) => Promise<void> {
  let cols: Column[] | null = null;
  let headerLine = 1;
  return async (rec) => {
    if (!cols) {
      headerLine = rec.line;
      if (!rec.fields)
        throw new CsvHeaderError(
          `bad CSV header: the first line is longer than ${maxRecord} bytes. Is this a CSV file?`,
        );
      cols = mapHeader(rec.fields);
      writer.setColumns(cols);
      return;
    }
    const row = rec.line - headerLine;
    if (!rec.fields) {
      const oversize = [{ field: '(record)', reason: `record longer than ${maxRecord} bytes: skipped` }];
      await writer.push({}, row, oversize, { error: 'oversize record' });
      return;
    }
    if (rec.fields.length === 1 && rec.fields[0].trim() === '') return; // blank line
    const { event, payload, errors } = rowToEvent(cols, rec.fields);
    if (rec.fields.length !== cols.length) {
      const arity = { field: '(record)', reason: `expected ${cols.length} columns, got ${rec.fields.length}` };
      await writer.push(event, row, [arity, ...errors], payload);
    } else {
      await writer.push(event, row, errors.length ? errors : null, payload);
    }
  };
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e instanceof CsvHeaderError) return e.message;
  if (e?.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(e?.message ?? '')) {
    return 'gzip stream truncated (unexpected end of file): rows before the cut were imported';
  }
  if (e?.code?.startsWith?.('Z_') || /incorrect header check|invalid (block|stored)/i.test(e?.message ?? '')) {
    return `not a valid gzip stream: ${safeText(e.message, 200)}`;
  }
  if (e?.code === 'ECONNRESET' || /aborted/i.test(e?.message ?? ''))
    return 'upload aborted by the client before the end of the file';
  return safeText(e?.message ?? String(err), 500);
}
