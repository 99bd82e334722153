// MySQL/MariaDB -> PostgreSQL import of the legacy supplier and event tables (seed section 9).
// Suppliers are upserted by external id "<prefix><legacy id>"; events go through the same validation and
// normalization as every other path (data_source 'import'). DATETIME (no zone) -> timestamptz (in --source-tz,
// default UTC); JSON (MySQL JSON or MariaDB LONGTEXT) -> jsonb. Resumable: the last primary key per table is
// checkpointed in import_jobs.checkpoint after each committed batch; a re-run resumes the unfinished job.
// Row counts are verified at the end (source rows = rows recorded on our side).
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { SYSTEM_CLAIMS, runInScope } from '@carbon-nexus/plugin-sdk';
import type { Services } from '../config.ts';
import { ImportJobTracker, type RowError } from '../store/import-jobs.ts';
import { ingestBatch, type IngestContext } from '../ingest/pipeline.ts';
import { createState, type DataCoreState } from '../state.ts';

export const IMPORT_USAGE = `carbon-nexus import-mysql --from mysql://user:pass@host:3306/db [options]
  (or: npx tsx subgraphs/data-core/src/cli/import-mysql.ts --from ...)

Copies the legacy supplier and event tables into data-core (validated, normalized, data_source IMPORT).
  --from <url>              MySQL/MariaDB connection URL (required)
  --suppliers-table <name>  legacy suppliers table   [default: suppliers]
  --events-table <name>     legacy events table      [default: events]
  --prefix <p>              external-id prefix for imported rows   [default: mysql:]
  --source-tz <±hh:mm>      time zone of DATETIME values   [default: +00:00]
  --batch <n>               rows per batch   [default: 1000]
  --max-rows <n>            stop after n event rows (the job stays resumable)
  --fresh                   ignore an unfinished job and start over
  --help
`;

export interface ImportOptions {
  from: string;
  suppliersTable: string;
  eventsTable: string;
  prefix: string;
  sourceTz: string;
  batch: number;
  maxRows?: number;
  fresh?: boolean;
}

export interface ImportResult {
  jobId: string;
  status: 'completed' | 'failed' | 'interrupted';
  resumed: boolean;
  suppliers: { source: number; imported: number };
  events: { source: number; recorded: number; accepted: number; rejected: number; duplicates: number };
  error: string | null;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function redact(url: string) {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** 'YYYY-MM-DD HH:MM:SS[.fff]' in the source zone -> ISO-8601 with offset. */
export function datetimeToIso(v: unknown, tz: string): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (v instanceof Date) return v.toISOString();
  const s = String(v).trim();
  if (/^0000-00-00/.test(s)) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(s);
  if (!m) return s; // let validation explain what is wrong
  return `${m[1]}T${m[2]}${tz === '+00:00' ? 'Z' : tz}`;
}

function parseJson(v: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (v === null || v === undefined || v === '') return { ok: true, value: null };
  if (typeof v === 'object' && !Buffer.isBuffer(v)) return { ok: true, value: v };
  try {
    return { ok: true, value: JSON.parse(String(v)) };
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
  }
}

const num = (v: unknown) =>
  v === null || v === undefined || v === '' ? undefined : typeof v === 'number' ? v : Number(v);
const str = (v: unknown) => (v === null || v === undefined || v === '' ? undefined : String(v));

type Connection = mysql.Connection;
type Checkpoint = { suppliers?: string; events?: string };
type LegacyRow = Record<string, unknown>;

/** Copies the legacy suppliers, then the events, resumably (a checkpoint per batch), and verifies the counts. */
export async function importMysql(
  services: Services,
  o: ImportOptions,
  state: DataCoreState = createState(services),
): Promise<ImportResult> {
  checkOptions(o);
  const source = `${redact(o.from)}#${o.suppliersTable},${o.eventsTable}`;
  const conn = await mysql.createConnection({
    uri: o.from,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  try {
    const { job, checkpoint, resumed } = await openJob(services, o, source);
    const result: ImportResult = {
      jobId: job.id,
      status: 'completed',
      resumed,
      suppliers: { source: 0, imported: 0 },
      events: { source: 0, recorded: 0, accepted: 0, rejected: 0, duplicates: 0 },
      error: null,
    };
    try {
      const tsCol = await legacyTimestampColumn(conn, o);
      await importSuppliers(services, conn, o, job, checkpoint);
      state.supplierCache.byExternal.clear();
      state.supplierCache.byId.clear();
      const complete = await importEvents({ services, state }, conn, o, job, checkpoint, tsCol);
      if (!complete) result.status = 'interrupted';
      await countRows(services, conn, o, job, result);
      await finishJob(job, o, result, checkpoint);
    } catch (err) {
      result.status = 'failed';
      result.error = (err as Error).message;
      await job.finish('failed', result.error);
    }
    return result;
  } finally {
    await conn.end();
  }
}

function checkOptions(o: ImportOptions): void {
  for (const t of [o.suppliersTable, o.eventsTable])
    if (!IDENT.test(t)) throw new Error(`table name "${t}" is not a plain identifier`);
  if (!/^[+-]\d{2}:\d{2}$/.test(o.sourceTz)) throw new Error(`--source-tz must look like +00:00 (got "${o.sourceTz}")`);
}

/** Resumes the last unfinished job for the same source (unless --fresh), or starts one. */
async function openJob(services: Services, o: ImportOptions, source: string) {
  const [prev] = o.fresh
    ? []
    : await services.db.query<{ id: string; checkpoint: Checkpoint | null }>(
        `SELECT id, checkpoint FROM import_jobs WHERE kind = 'mysql' AND source = $1 AND status <> 'completed' ORDER BY started_at DESC LIMIT 1`,
        [source],
      );
  const job = prev
    ? await ImportJobTracker.resume(services, prev.id)
    : await ImportJobTracker.create(services, 'mysql', source, 'system', {});
  const checkpoint: Checkpoint = { ...(prev?.checkpoint ?? {}) };
  return { job, checkpoint, resumed: !!prev };
}

/** Checks the legacy tables have the columns the import needs; returns the events' timestamp column. */
async function legacyTimestampColumn(conn: Connection, o: ImportOptions): Promise<string> {
  const cols = async (table: string) => {
    const [rows] = await conn.query(`SHOW COLUMNS FROM \`${table}\``);
    return new Set((rows as { Field: unknown }[]).map((r) => String(r.Field).toLowerCase()));
  };
  const supCols = await cols(o.suppliersTable);
  const evCols = await cols(o.eventsTable);
  for (const [t, c, need] of [
    [o.suppliersTable, supCols, ['id', 'name']],
    [o.eventsTable, evCols, ['id', 'supplier_id', 'event_type']],
  ] as const) {
    const missing = need.filter((n) => !c.has(n));
    if (missing.length) throw new Error(`legacy table ${t} lacks column(s) ${missing.join(', ')}`);
  }
  const tsCol = ['timestamp', 'event_time', 'occurred_at', 'created_at'].find((c) => evCols.has(c));
  if (!tsCol)
    throw new Error(
      `legacy table ${o.eventsTable} has no timestamp column (timestamp, event_time, occurred_at or created_at)`,
    );
  return tsCol;
}

interface SupplierRowIn {
  ext: string;
  name: string;
  category: string;
  country: string | null;
  location: string;
  fleet: string;
  baseline: number | null;
  lastSeen: string | null;
  created: string | null;
}

/** Suppliers: keyset over the primary key, upserted by external id; invalid rows become job errors. */
async function importSuppliers(
  services: Services,
  conn: Connection,
  o: ImportOptions,
  job: ImportJobTracker,
  checkpoint: Checkpoint,
) {
  for (;;) {
    const [rows] = await conn.query(`SELECT * FROM \`${o.suppliersTable}\` WHERE id > ? ORDER BY id LIMIT ?`, [
      checkpoint.suppliers ?? -1,
      o.batch,
    ]);
    const list = rows as LegacyRow[];
    if (!list.length) break;
    const errors: RowError[] = [];
    const good: SupplierRowIn[] = [];
    for (const r of list) {
      const row = supplierRowOf(r, o, errors);
      if (row) good.push(row);
    }
    if (good.length) await upsertSuppliers(services, good);
    job.addErrors(errors);
    checkpoint.suppliers = String(list[list.length - 1].id);
    await job.save(checkpoint);
  }
}

/** A legacy supplier row as a row to upsert, or null with its errors added to `errors`. */
function supplierRowOf(r: LegacyRow, o: ImportOptions, errors: RowError[]): SupplierRowIn | null {
  const row = Number(r.id);
  const loc = parseJson(r.location);
  const fleet = parseJson(r.fleet_info);
  const name = str(r.name)?.trim();
  const category = (str(r.category) ?? 'transport').toLowerCase();
  const before = errors.length;
  const rowErr = (column: string, reason: string) =>
    errors.push({ row, column: `${o.suppliersTable}.${column}`, reason });
  if (!name) rowErr('name', 'required');
  if (!['transport', 'factory', 'warehouse', 'delivery'].includes(category))
    rowErr('category', 'must be transport, factory, warehouse or delivery');
  if (!loc.ok) rowErr('location', loc.reason);
  if (!fleet.ok) rowErr('fleet_info', fleet.reason);
  const country = str(r.country)?.toUpperCase() ?? null;
  if (errors.length > before || !loc.ok || !fleet.ok) return null;
  return {
    ext: `${o.prefix}${r.id}`,
    name: name!,
    category,
    country: country && /^[A-Z]{2}$/.test(country) ? country : null,
    location: JSON.stringify(loc.value ?? {}),
    fleet: JSON.stringify(fleet.value ?? {}),
    baseline: num(r.baseline_emission) ?? null,
    lastSeen: datetimeToIso(r.last_seen_at, o.sourceTz),
    created: datetimeToIso(r.created_at, o.sourceTz),
  };
}

async function upsertSuppliers(services: Services, good: SupplierRowIn[]) {
  await services.db.query(
    `INSERT INTO suppliers (id, external_id, name, category, country, location, fleet_info, baseline_emission, last_seen_at, created_at, updated_at)
     SELECT gen_random_uuid(), u.ext, u.name, u.category, u.country, u.location::jsonb, u.fleet::jsonb, u.baseline, u.last_seen,
            COALESCE(u.created, now()), now()
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::timestamptz[], $9::timestamptz[])
       AS u(ext, name, category, country, location, fleet, baseline, last_seen, created)
     ON CONFLICT (external_id) DO UPDATE SET name = EXCLUDED.name, category = EXCLUDED.category, country = EXCLUDED.country,
       location = EXCLUDED.location, fleet_info = EXCLUDED.fleet_info, baseline_emission = EXCLUDED.baseline_emission,
       last_seen_at = GREATEST(suppliers.last_seen_at, EXCLUDED.last_seen_at), updated_at = now()`,
    [
      good.map((g) => g.ext),
      good.map((g) => g.name),
      good.map((g) => g.category),
      good.map((g) => g.country),
      good.map((g) => g.location),
      good.map((g) => g.fleet),
      good.map((g) => g.baseline),
      good.map((g) => g.lastSeen),
      good.map((g) => g.created),
    ],
  );
}

/** Events: batches through the same pipeline as every ingestion path. False when --max-rows stopped it early. */
async function importEvents(
  ctx: IngestContext,
  conn: Connection,
  o: ImportOptions,
  job: ImportJobTracker,
  checkpoint: Checkpoint,
  tsCol: string,
): Promise<boolean> {
  const known = new Set([
    'id',
    'supplier_id',
    'event_type',
    tsCol,
    'distance_km',
    'load_kg',
    'vehicle_type',
    'fuel_type',
    'speed',
    'speed_kmh',
    'fuel_l',
    'energy_kwh',
    'route',
    'region',
    'facility_id',
    'payload',
  ]);
  let processed = 0;
  for (;;) {
    if (o.maxRows !== undefined && processed >= o.maxRows) return false;
    const limit = o.maxRows !== undefined ? Math.min(o.batch, o.maxRows - processed) : o.batch;
    const [rows] = await conn.query(`SELECT * FROM \`${o.eventsTable}\` WHERE id > ? ORDER BY id LIMIT ?`, [
      checkpoint.events ?? -1,
      limit,
    ]);
    const list = rows as LegacyRow[];
    if (!list.length) return true;
    const items: unknown[] = [];
    const pre: ({ field: string; reason: string }[] | null)[] = [];
    const rowNums: number[] = [];
    for (const r of list) {
      const { item, error } = eventItemOf(r, o, tsCol, known);
      items.push(item);
      pre.push(error ? [error] : null);
      rowNums.push(Number(r.id));
    }
    const res = await runInScope({ auth: SYSTEM_CLAIMS }, () =>
      ingestBatch(ctx, items, {
        defaultSource: 'import',
        auth: SYSTEM_CLAIMS,
        importJobId: job.id,
        rows: rowNums,
        preErrors: pre,
      }),
    );
    job.counters.rowsTotal += list.length;
    job.counters.rowsAccepted += res.accepted;
    job.counters.rowsRejected += res.rejected;
    job.counters.rowsDuplicate += res.duplicates;
    job.addErrors(
      res.results.flatMap((x) =>
        x.errors.map((e) => ({
          row: rowNums[x.index],
          column: `${o.eventsTable}.${toColumn(e.field)}`,
          reason: e.reason,
        })),
      ),
    );
    processed += list.length;
    checkpoint.events = String(list[list.length - 1].id);
    await job.save(checkpoint);
  }
}

/** A legacy event row as an ingestion item (unknown columns kept as legacy_ attributes); a bad payload is its error. */
function eventItemOf(r: LegacyRow, o: ImportOptions, tsCol: string, known: Set<string>) {
  const payload = parseJson(r.payload);
  const attributes: Record<string, unknown> = {};
  if (payload.ok && payload.value && typeof payload.value === 'object' && !Array.isArray(payload.value))
    Object.assign(attributes, payload.value);
  for (const [k, v] of Object.entries(r)) if (!known.has(k.toLowerCase()) && v !== null) attributes[`legacy_${k}`] = v;
  const speed = num(r.speed_kmh ?? r.speed);
  const item = {
    externalId: `${o.prefix}${r.id}`,
    supplierExternalId: `${o.prefix}${r.supplier_id}`,
    eventType: str(r.event_type)?.toLowerCase(),
    timestamp: datetimeToIso(r[tsCol], o.sourceTz) ?? undefined,
    distanceKm: num(r.distance_km),
    loadKg: num(r.load_kg),
    vehicleType: str(r.vehicle_type),
    fuelType: str(r.fuel_type),
    speedKmh: speed,
    fuelL: num(r.fuel_l),
    energyKwh: num(r.energy_kwh),
    route: str(r.route),
    region: str(r.region),
    facilityId: str(r.facility_id),
    attributes: Object.keys(attributes).length ? attributes : undefined,
    dataSource: 'import',
  };
  return { item, error: payload.ok ? null : { field: 'payload', reason: payload.reason } };
}

/** Source and imported counts: every source row must be recorded on our side (accepted, duplicate or rejected). */
async function countRows(
  services: Services,
  conn: Connection,
  o: ImportOptions,
  job: ImportJobTracker,
  result: ImportResult,
) {
  const count = async (table: string) => {
    const [[c]] = (await conn.query(`SELECT COUNT(*) AS n FROM \`${table}\``)) as unknown as [[{ n: unknown }]];
    return Number(c.n);
  };
  result.suppliers.source = await count(o.suppliersTable);
  result.events.source = await count(o.eventsTable);
  const [ours] = await services.db.query<{ s: number; e: number }>(
    `SELECT (SELECT count(*)::int FROM suppliers WHERE external_id LIKE $1) AS s,
            (SELECT count(DISTINCT external_id)::int FROM events_raw WHERE external_id LIKE $1 AND data_source = 'import') AS e`,
    [`${o.prefix.replace(/[\\%_]/g, (m) => '\\' + m)}%`],
  );
  result.suppliers.imported = ours.s;
  result.events.recorded = ours.e;
  result.events.accepted = job.counters.rowsAccepted;
  result.events.rejected = job.counters.rowsRejected;
  result.events.duplicates = job.counters.rowsDuplicate;
}

/** Ends the job: interrupted (resumable), failed on a count mismatch, or completed. */
async function finishJob(job: ImportJobTracker, o: ImportOptions, result: ImportResult, checkpoint: Checkpoint) {
  if (result.status === 'interrupted') {
    await job.finish(
      'failed',
      `interrupted after --max-rows ${o.maxRows}; run again to resume from ${o.eventsTable}.id > ${checkpoint.events}`,
    );
    result.error = 'interrupted';
    return;
  }
  const supplierErrors = job.errors.filter((e) => e.column?.startsWith(`${o.suppliersTable}.`)).length;
  const problems: string[] = [];
  if (result.suppliers.imported + supplierErrors < result.suppliers.source) {
    problems.push(
      `suppliers: ${result.suppliers.source} in source, ${result.suppliers.imported} imported, ${supplierErrors} rejected`,
    );
  }
  if (result.events.recorded < result.events.source) {
    problems.push(`events: ${result.events.source} in source, ${result.events.recorded} recorded`);
  }
  if (problems.length) {
    result.status = 'failed';
    result.error = `row count mismatch: ${problems.join('; ')}`;
  }
  await job.finish(result.status === 'completed' ? 'completed' : 'failed', result.error);
}

function toColumn(field: string): string {
  const map: Record<string, string> = {
    supplierExternalId: 'supplier_id',
    eventType: 'event_type',
    timestamp: 'timestamp',
    distanceKm: 'distance_km',
    loadKg: 'load_kg',
    speedKmh: 'speed',
    fuelL: 'fuel_l',
    energyKwh: 'energy_kwh',
    vehicleType: 'vehicle_type',
    fuelType: 'fuel_type',
  };
  return map[field] ?? field;
}

export function parseImportArgs(argv: string[]): ImportOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      'suppliers-table': { type: 'string', default: 'suppliers' },
      'events-table': { type: 'string', default: 'events' },
      prefix: { type: 'string', default: 'mysql:' },
      'source-tz': { type: 'string', default: '+00:00' },
      batch: { type: 'string', default: '1000' },
      'max-rows': { type: 'string' },
      fresh: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  if (!values.from || !/^mysql:\/\//.test(values.from))
    throw new Error('--from mysql://user[:password]@host[:port]/database is required');
  const batch = Number(values.batch);
  if (!Number.isInteger(batch) || batch < 1 || batch > 5000)
    throw new Error('--batch must be an integer between 1 and 5000');
  const maxRows = values['max-rows'] === undefined ? undefined : Number(values['max-rows']);
  if (maxRows !== undefined && (!Number.isInteger(maxRows) || maxRows < 1))
    throw new Error('--max-rows must be a positive integer');
  return {
    from: values.from,
    suppliersTable: values['suppliers-table']!,
    eventsTable: values['events-table']!,
    prefix: values.prefix!,
    sourceTz: values['source-tz']!,
    batch,
    maxRows,
    fresh: values.fresh,
  };
}

export async function importMysqlCli(argv: string[], services?: Services): Promise<number> {
  let o: ImportOptions | 'help';
  try {
    o = parseImportArgs(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${IMPORT_USAGE}`);
    return 2;
  }
  if (o === 'help') {
    console.log(IMPORT_USAGE);
    return 0;
  }
  if (!services) throw new Error('import-mysql needs the data-core services (database)');
  const r = await importMysql(services, o);
  console.log(
    `${r.status}${r.resumed ? ' (resumed)' : ''}: job ${r.jobId}; suppliers ${r.suppliers.imported}/${r.suppliers.source}; ` +
      `events ${r.events.recorded}/${r.events.source} recorded (${r.events.accepted} accepted, ${r.events.duplicates} duplicates, ${r.events.rejected} rejected)` +
      (r.error ? `; ${r.error}` : ''),
  );
  return r.status === 'completed' ? 0 : 1;
}
