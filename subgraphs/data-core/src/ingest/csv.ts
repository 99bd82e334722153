// Streamed CSV import (constant memory): body -> [gunzip] -> RecordGuard -> csv-parse -> batches of rows
// through the same ingestBatch every other path uses. Per-row errors {row, column, reason}; rejected rows kept in
// events_raw; valid rows around bad ones committed; a broken stream (truncated gzip) fails the job but keeps the
// rows before it.
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { parse } from 'csv-parse';
import type { AuthClaims } from '@carbon-nexus/plugin-sdk';
import { ingestBatch, type IngestContext } from './pipeline.ts';
import { RecordGuard, OVERSIZE_MARKER } from './record-guard.ts';
import type { ImportJobTracker, RowError } from './jobs.ts';
import type { FieldError } from './validate.ts';

export interface CsvImportOptions {
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

interface Column {
  name: string;
  field: string | null;
  kind: Kind;
  attr: string | null;
}

export class CsvHeaderError extends Error {}

/** Maps header names (snake_case, camelCase or spaced; `attr_*` go to attributes); throws CsvHeaderError. */
export function mapHeader(header: string[]): Column[] {
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
      unknown.push(name || '(empty)');
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
  if (unknown.length) problems.push(`unknown column(s): ${unknown.join(', ')} (prefix extra columns with attr_)`);
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

function rowToEvent(cols: Column[], record: string[]): { event: Record<string, unknown>; payload: Record<string, string>; errors: RowError[] } {
  const event: Record<string, unknown> = {};
  const payload: Record<string, string> = {};
  const errors: RowError[] = [];
  let attrs: Record<string, unknown> | null = null;
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i];
    const v = (record[i] ?? '').trim();
    payload[c.name] = v;
    if (v.includes('\ufffd')) errors.push({ row: 0, column: c.name, reason: 'invalid UTF-8 byte sequence' });
    if (v === '') continue;
    if (c.attr !== null) (attrs ??= {})[c.attr] = v;
    else if (c.field) event[c.field] = convert(v, c.kind);
  }
  if (attrs) event.attributes = attrs;
  return { event, payload, errors };
}

/** Runs one CSV import to its end; never throws (the job records the failure). */
export async function importCsv(ctx: IngestContext, job: ImportJobTracker, body: Readable, opts: CsvImportOptions): Promise<void> {
  const batchSize = opts.batchSize ?? 1000;
  const maxRecord = opts.maxRecordBytes ?? 1024 * 1024;
  const guard = new RecordGuard(maxRecord);
  const parser = parse({ relax_column_count: true, relax_quotes: true, skip_records_with_error: true, info: true, bom: true, max_record_size: maxRecord * 2 });
  const skipped: RowError[] = [];
  parser.on('skip', (err: any) => {
    skipped.push({ row: Math.max(1, Number(err.records ?? 0)), column: null, reason: `unparseable CSV record: ${String(err.message).split(' at line')[0]}` });
  });
  body.on('data', (c: Buffer) => (job.counters.bytesRead += c.length));
  const stages: any[] = [];
  if (opts.gzip) stages.push(zlib.createGunzip());
  stages.push(guard, parser);
  let streamError: Error | null = null;
  // The request body is piped, not part of the pipeline: a failure inside must not destroy the socket
  // (the client still gets its answer); the rest of the body is drained instead.
  pipeline(stages as any, (err: Error | null) => {
    if (err) {
      streamError ??= err;
      body.unpipe(stages[0]);
      body.resume();
    }
  });
  body.on('error', (err) => stages[0].destroy(err));
  const aborted = () => {
    if (!body.readableEnded) stages[0].destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
  };
  body.on('aborted', aborted);
  // After an early answer Node detaches the request from its socket: a closed connection no longer reaches the
  // request as 'aborted', so watch the socket itself.
  opts.socket?.once('close', aborted);
  body.pipe(stages[0]);

  let cols: Column[] | null = null;
  let items: unknown[] = [];
  let rows: number[] = [];
  let pre: (FieldError[] | null)[] = [];
  let payloads: unknown[] = [];
  let columnOf = new Map<string, string>();
  let inflight: Promise<void> | null = null;
  let failure: string | null = null;

  const flush = () => {
    if (!items.length && !skipped.length) return;
    const b = { items, rows, pre, payloads };
    const skippedNow = skipped.splice(0);
    items = [];
    rows = [];
    pre = [];
    payloads = [];
    return (async () => {
      if (skippedNow.length) {
        // Records the parser could not read at all: kept as rejected raw rows too.
        for (const s of skippedNow) {
          b.items.push({});
          b.rows.push(s.row);
          b.pre.push([{ field: '(record)', reason: s.reason }]);
          b.payloads.push({ error: s.reason });
        }
        job.counters.rowsTotal += skippedNow.length;
      }
      for (let i = 0; i < b.items.length; i += 5000) {
        const res = await ingestBatch(ctx, b.items.slice(i, i + 5000), {
          defaultSource: 'csv',
          auth: opts.auth,
          importJobId: job.id,
          rows: b.rows.slice(i, i + 5000),
          preErrors: b.pre.slice(i, i + 5000),
          payloads: b.payloads.slice(i, i + 5000),
        });
        job.counters.rowsAccepted += res.accepted;
        job.counters.rowsRejected += res.rejected;
        job.counters.rowsDuplicate += res.duplicates;
        const errs: RowError[] = [];
        for (const r of res.results) {
          if (r.status !== 'rejected') continue;
          const row = b.rows[i + r.index];
          for (const e of r.errors) errs.push({ row, column: e.field.startsWith('(') ? null : (columnOf.get(e.field) ?? e.field), reason: e.reason });
        }
        job.addErrors(errs);
      }
      await job.save();
    })();
  };

  const push = async (item: unknown, row: number, errors: FieldError[] | null, payload: unknown) => {
    items.push(item);
    rows.push(row);
    pre.push(errors);
    payloads.push(payload);
    if (items.length >= batchSize) {
      if (inflight) await inflight;
      inflight = flush() ?? null;
    }
  };

  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { records: number } }>) {
      if (!cols) {
        cols = mapHeader(record);
        columnOf = new Map(cols.filter((c) => c.field).map((c) => [c.field!, c.name]));
        continue;
      }
      const row = info.records - 1;
      job.counters.rowsTotal++;
      if (record.length === 1 && record[0] === OVERSIZE_MARKER) {
        await push({}, row, [{ field: '(record)', reason: `record longer than ${maxRecord} bytes: skipped` }], { error: 'oversize record' });
        continue;
      }
      if (record.length === 1 && record[0].trim() === '') {
        job.counters.rowsTotal--;
        continue;
      }
      const { event, payload, errors } = rowToEvent(cols, record);
      if (record.length !== cols.length) {
        await push(event, row, [{ field: '(record)', reason: `expected ${cols.length} columns, got ${record.length}` }], payload);
      } else if (errors.length) {
        await push(event, row, errors.map((e) => ({ field: e.column!, reason: e.reason })), payload);
      } else {
        await push(event, row, null, payload);
      }
    }
    if (!cols && !streamError) throw new CsvHeaderError('empty CSV: no header row');
  } catch (err) {
    failure = errorText(err);
  }
  try {
    if (inflight) await inflight;
    await flush();
  } catch (err) {
    failure ??= `storing rows failed: ${(err as Error).message}`;
  }
  if (streamError && !failure) failure = errorText(streamError);
  // Keep consuming what the client still sends, so it sees our answer instead of a reset.
  if (!body.readableEnded) {
    body.unpipe();
    body.resume();
  }
  opts.socket?.off('close', aborted);
  await job.finish(failure ? 'failed' : 'completed', failure);
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e instanceof CsvHeaderError) return e.message;
  if (e?.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(e?.message ?? '')) {
    return 'gzip stream truncated (unexpected end of file): rows before the cut were imported';
  }
  if (e?.code?.startsWith?.('Z_') || /incorrect header check|invalid (block|stored)/i.test(e?.message ?? '')) {
    return `not a valid gzip stream: ${e.message}`;
  }
  if (e?.code === 'ECONNRESET' || /aborted/i.test(e?.message ?? '')) return 'upload aborted by the client before the end of the file';
  return e?.message ?? String(err);
}
