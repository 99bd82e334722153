// The one ingestion path every entry point uses (GraphQL, POST /ingest/event, CSV, WebSocket, mock, MySQL
// import): validate -> resolve supplier -> estimate -> dedupe -> bulk insert (events_raw + events_normalized,
// multi-row INSERT ... SELECT FROM unnest ... ON CONFLICT) in one transaction -> publish after commit.
import crypto from 'node:crypto';
import type { AuthClaims } from '@carbon-nexus/plugin-sdk';
import type { Services } from '../config.ts';
import { combineWrites, type SqlStatement } from '@carbon-nexus/db';
import { validateEvent, type DataSourceName, type FieldError, type ValidEvent } from './validate.ts';
import { emissionFigure, type EmissionFigure } from '../domain/figure.ts';
import { compactUses } from '../domain/factors/index.ts';
import type { DataCoreState } from '../state.ts';
import { eventNormalized, type EventNormalized } from '../../client/topics.ts';

export const MAX_BATCH = 5000;
/** Ids per `event.normalized` message: fits PostgreSQL NOTIFY (8000 bytes) and events(first: 100) default. */
const IDS_PER_MESSAGE = 100;

export type ItemStatus = 'accepted' | 'rejected' | 'duplicate';

export interface ItemResult {
  index: number;
  status: ItemStatus;
  eventId: string | null;
  errors: FieldError[];
}

export interface BatchResult {
  accepted: number;
  rejected: number;
  duplicates: number;
  co2eKg: number;
  results: ItemResult[];
}

export interface IngestOptions {
  defaultSource: DataSourceName;
  auth: AuthClaims | null;
  importJobId?: string | null;
  /** Row numbers (CSV / import) per item, stored on events_raw. */
  rows?: (number | null)[];
  /** Pre-computed errors (e.g. CSV parse errors) per item: the item is rejected with these. */
  preErrors?: (FieldError[] | null)[];
  /** Original payloads to keep in events_raw when `items` were converted (CSV rows). */
  payloads?: unknown[];
}

export interface IngestContext {
  services: Services;
  state: DataCoreState;
}

interface SupplierInfo {
  id: string;
  externalId: string | null;
  country: string | null;
  category: string;
}

const sha = (s: string) => crypto.createHash('sha1').update(s).digest('base64url');
const HOUR = 3_600_000;

function dedupeKey(e: ValidEvent, supplierId: string): string {
  if (e.dataSource === 'gap_fill') return `g:${supplierId}:${Math.floor(e.timestamp.getTime() / HOUR)}`;
  if (e.externalId) return `x:${supplierId}:${sha(e.externalId)}`;
  const { externalId: _x, supplierExternalId: _s, supplierId: _i, timestamp, attributes, ...rest } = e;
  const keys = Object.keys(rest).sort();
  const canon = keys.map((k) => `${k}=${JSON.stringify((rest as Record<string, unknown>)[k])}`).join('&');
  return `h:${supplierId}:${sha(`${timestamp.getTime()}|${canon}|${attributes ? JSON.stringify(attributes) : ''}`)}`;
}

/** Looks up suppliers by id or external id (cached briefly per process). */
async function resolveSuppliers(ctx: IngestContext, ids: Set<string>, externalIds: Set<string>) {
  const cache = ctx.state.supplierCache;
  const now = Date.now();
  if (now - cache.loadedAt > 30_000 || cache.byId.size > 50_000) {
    cache.byId.clear();
    cache.byExternal.clear();
    cache.loadedAt = now;
  }
  const missingIds = [...ids].filter((i) => !cache.byId.has(i));
  const missingExt = [...externalIds].filter((x) => !cache.byExternal.has(x));
  if (missingIds.length || missingExt.length) {
    const rows = await ctx.services.db.query<{
      id: string;
      external_id: string | null;
      country: string | null;
      category: string;
    }>(
      `SELECT id, external_id, country, category FROM suppliers WHERE id = ANY($1::uuid[]) OR external_id = ANY($2::text[])`,
      [missingIds, missingExt],
    );
    for (const r of rows) {
      const info: SupplierInfo = { id: r.id, externalId: r.external_id, country: r.country, category: r.category };
      cache.byId.set(r.id, info);
      if (r.external_id) cache.byExternal.set(r.external_id, info);
    }
  }
  return cache;
}

const isRealAuthority = (auth: AuthClaims | null) =>
  !!auth && (auth.roles.includes('system') || auth.roles.includes('admin'));

interface Prepared {
  index: number;
  id: string;
  key: string;
  supplierId: string | null;
  eventType: string | null;
  timestamp: Date | null;
  externalId: string | null;
  payload: unknown;
  dataSource: string;
  errors: FieldError[] | null;
  event?: ValidEvent;
  /** The event's emission figure (method, kg, factors); co2eKg null while a MODEL estimate is pending. */
  figure?: EmissionFigure;
  quality?: string;
  qualityReason?: string | null;
  region?: string | null;
  attributes?: Record<string, unknown>;
}

const ATTR_FIELDS = [
  'productionUnits',
  'areaM2',
  'refrigerated',
  'stops',
  'parcels',
  'idleMinutes',
  'gradientPct',
  'gasKwh',
  'fuelKg',
] as const;

type Validation = ReturnType<typeof validateEvent>;
type SupplierCache = DataCoreState['supplierCache'];

/** What one batch stores: first occurrences to insert, rejected rows, and in-batch repeats (index -> first). */
interface PreparedBatch {
  prepared: Prepared[];
  valid: Prepared[];
  rejected: Prepared[];
  inBatchDup: Map<number, Prepared>;
}

/** What the transaction stored: rows inserted (new), raw ids of rows already stored, gap fills superseded. */
interface Stored {
  inserted: Set<string>;
  existing: Map<string, string>;
  supersededFills: number;
}

export async function ingestBatch(ctx: IngestContext, items: unknown[], opts: IngestOptions): Promise<BatchResult> {
  if (items.length > MAX_BATCH) throw new Error(`at most ${MAX_BATCH} events per batch (got ${items.length})`);
  const now = Date.now();
  const validations = validateItems(items, opts, now);
  const { ids, externalIds } = referencedSuppliers(validations);
  const cache = await resolveSuppliers(ctx, ids, externalIds);
  const batch = prepareBatch(items, validations, cache, opts);
  const stored = await storeBatch(ctx, batch, opts, now);
  const summary = summarizeBatch(items.length, batch, stored);
  signalStored(ctx, summary, stored.supersededFills);
  const { accepted, rejected, duplicates, co2eKg, results } = summary;
  return { accepted, rejected, duplicates, co2eKg, results };
}

/** Each item validated (or rejected with the errors its caller already found, e.g. CSV parse errors). */
function validateItems(items: unknown[], opts: IngestOptions, now: number): Validation[] {
  const allowGapFill = isRealAuthority(opts.auth);
  return items.map((it, i) =>
    opts.preErrors?.[i]
      ? ({ ok: false, errors: opts.preErrors[i]! } as const)
      : validateEvent(it, { defaultSource: opts.defaultSource, allowGapFill, now }),
  );
}

/** The supplier ids and external ids the valid items name. */
function referencedSuppliers(validations: Validation[]): { ids: Set<string>; externalIds: Set<string> } {
  const ids = new Set<string>();
  const externalIds = new Set<string>();
  for (const v of validations) {
    if (!v.ok) continue;
    if (v.event.supplierId) ids.add(v.event.supplierId.toLowerCase());
    else if (v.event.supplierExternalId) externalIds.add(v.event.supplierExternalId);
  }
  return { ids, externalIds };
}

/** Every item as a row to store: rejected with its errors, or valid with its supplier, figure and dedupe key. */
function prepareBatch(
  items: unknown[],
  validations: Validation[],
  cache: SupplierCache,
  opts: IngestOptions,
): PreparedBatch {
  const prepared: Prepared[] = [];
  const firstByKey = new Map<string, Prepared>();
  const inBatchDup = new Map<number, Prepared>();
  for (let i = 0; i < items.length; i++) {
    const p = prepareItem(i, items[i], validations[i], cache, opts);
    prepared.push(p);
    if (p.errors) continue;
    const first = firstByKey.get(p.key);
    if (first) inBatchDup.set(i, first);
    else firstByKey.set(p.key, p);
  }
  return { prepared, valid: [...firstByKey.values()], rejected: prepared.filter((p) => p.errors), inBatchDup };
}

function prepareItem(i: number, item: unknown, v: Validation, cache: SupplierCache, opts: IngestOptions): Prepared {
  const input = (item ?? {}) as Record<string, unknown>;
  const base: Prepared = {
    index: i,
    id: crypto.randomUUID(),
    key: '',
    supplierId: null,
    eventType: typeof input.eventType === 'string' ? input.eventType.toLowerCase().slice(0, 40) : null,
    timestamp: null,
    externalId: typeof input.externalId === 'string' ? input.externalId.slice(0, 200) : null,
    payload: opts.payloads?.[i] ?? item,
    dataSource: v.ok ? v.event.dataSource : opts.defaultSource,
    errors: null,
  };
  if (!v.ok) {
    base.errors = v.errors;
    if (typeof input.supplierId === 'string' && cache.byId.has(input.supplierId.toLowerCase())) {
      base.supplierId = input.supplierId.toLowerCase();
    }
    return base;
  }
  const e = v.event;
  const sup = e.supplierId ? cache.byId.get(e.supplierId.toLowerCase()) : cache.byExternal.get(e.supplierExternalId!);
  base.eventType = e.eventType;
  base.timestamp = e.timestamp;
  base.dataSource = e.dataSource;
  const supplierError = supplierErrorOf(e, sup, opts.auth);
  if (supplierError || !sup) {
    base.errors = supplierError ? [supplierError] : [];
    return base;
  }
  base.supplierId = sup.id;
  base.event = e;
  base.key = dedupeKey(e, sup.id);
  const attributes: Record<string, unknown> = { ...(e.attributes ?? {}) };
  for (const f of ATTR_FIELDS) if (e[f] !== undefined) attributes[f] = e[f];
  const fig = emissionFigure(e, sup.country);
  if (!fig.ok) {
    // A measure the method needs is missing or contradictory (e.g. rail without loadKg): the row names it.
    base.errors = [fig.error];
    return base;
  }
  base.figure = fig.figure;
  base.region = fig.figure.region;
  if (e.dataSource === 'gap_fill') {
    base.quality = 'predicted';
    base.qualityReason = null;
  } else {
    base.quality = v.warnings.length ? 'suspect' : 'valid';
    base.qualityReason = v.warnings.join('; ') || null;
  }
  base.attributes = attributes;
  return base;
}

/** Why the event's supplier cannot take it: unknown, or outside the sender's scope; null when it can. */
function supplierErrorOf(e: ValidEvent, sup: SupplierInfo | undefined, auth: AuthClaims | null): FieldError | null {
  if (!sup) {
    return e.supplierId
      ? { field: 'supplierId', reason: `unknown supplier ${e.supplierId}` }
      : { field: 'supplierExternalId', reason: `unknown supplier "${e.supplierExternalId}"` };
  }
  if (auth?.supplierIds && !auth.supplierIds.includes(sup.id)) {
    return {
      field: e.supplierId ? 'supplierId' : 'supplierExternalId',
      reason: 'this token may not send data for this supplier',
    };
  }
  return null;
}

/**
 * One transaction: raw rows (valid and rejected), normalized rows of new events, supersedes, outbox signals — one
 * `db.batch`, whose statements run back to back without waiting for this thread between them (on PGlite, a single
 * connection, those waits held every other statement up: measured under bench/load, 8.6 ms per ingest transaction,
 * most of it waiting). The batch assumes its events are new; one already stored fails its insert on the content hash,
 * nothing is kept, and the batch is stored again after looking its events up (they are then duplicates). Imports look
 * up first: a file sent again is where stored rows come back.
 */
async function storeBatch(ctx: IngestContext, batch: PreparedBatch, opts: IngestOptions, now: number): Promise<Stored> {
  let lookUp = opts.importJobId != null;
  for (let attempt = 1; ; attempt++) {
    try {
      return await storeOnce(ctx, batch, opts, now, lookUp);
    } catch (err) {
      if (attempt >= STORE_ATTEMPTS || !isContentHashConflict(err)) throw err;
      lookUp = true;
      ctx.services.logger.debug({ attempt }, 'events of the batch are stored already; looking them up');
    }
  }
}

const STORE_ATTEMPTS = 3;
/** A unique violation on events_raw's content hash: an event of the batch was stored since it was looked up. */
function isContentHashConflict(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  return e?.code === '23505' && `${e.constraint ?? ''} ${e.message ?? ''}`.includes('events_raw_content_hash_key');
}

async function storeOnce(
  ctx: IngestContext,
  batch: PreparedBatch,
  opts: IngestOptions,
  now: number,
  lookUp: boolean,
): Promise<Stored> {
  const { valid, rejected } = batch;
  const stored: Stored = { inserted: new Set(), existing: new Map(), supersededFills: 0 };
  if (!valid.length && !rejected.length) return stored;
  const db = ctx.services.db;
  if (lookUp && valid.length) {
    const found = await db.query<{ id: string; content_hash: string }>(
      `SELECT id, content_hash FROM events_raw WHERE content_hash = ANY($1::text[])`,
      [valid.map((p) => p.key)],
    );
    for (const f of found) stored.existing.set(f.content_hash, f.id);
  }
  const fresh = valid.filter((p) => !stored.existing.has(p.key));
  // Rejected rows (unique hash, never a conflict) and new events are written without ON CONFLICT/RETURNING, which
  // would need read access: a scoped sender may file rejected rows unattributed but not read them back.
  // The writes are independent of each other, so they go as one statement (combineWrites: atomic by itself, one
  // round trip). New gap fills that real data of their hour supersedes are marked after it, once its rows exist.
  const writes: SqlStatement[] = [];
  if (fresh.length) writes.push(insertRaw(fresh, opts));
  if (rejected.length) writes.push(insertRaw(rejected, opts));
  let count = 'SELECT 0 AS n';
  let fills: SqlStatement | null = null;
  if (fresh.length) {
    writes.push(insertNormalized(fresh));
    const supersede = supersedeStatements(fresh);
    if (supersede.hours) {
      count = `SELECT (SELECT count(*) FROM w${writes.length})::int AS n`;
      writes.push(supersede.hours);
    }
    fills = supersede.fills;
    const touch = touchSuppliers(fresh, now);
    if (touch) writes.push(touch);
    // Durable: the signal commits with the rows, so a bus outage delays predictions but loses none.
    for (const m of normalizedMessages(fresh)) writes.push(ctx.services.outbox.statement(eventNormalized, m));
  }
  if (!writes.length) return stored; // every event of the batch is stored already
  const [combined, marked] = await db.batch(
    fills ? [combineWrites(writes, count), fills] : [combineWrites(writes, count)],
  );
  stored.supersededFills = Number(combined[0]?.n ?? 0) + (marked?.length ?? 0);
  for (const p of fresh) stored.inserted.add(p.id);
  return stored;
}

/** Each item's result in input order, and the counts. */
function summarizeBatch(n: number, batch: PreparedBatch, stored: Stored): BatchResult {
  const { inserted, existing } = stored;
  const results: ItemResult[] = new Array(n);
  let accepted = 0;
  let rejectedCount = 0;
  let duplicates = 0;
  let co2 = 0;
  for (const p of batch.prepared) {
    if (p.errors) {
      rejectedCount++;
      results[p.index] = { index: p.index, status: 'rejected', eventId: null, errors: p.errors };
    } else if (batch.inBatchDup.has(p.index)) {
      duplicates++;
      const first = batch.inBatchDup.get(p.index)!;
      const eventId = inserted.has(first.id) ? first.id : (existing.get(first.key) ?? null);
      results[p.index] = { index: p.index, status: 'duplicate', eventId, errors: [] };
    } else if (inserted.has(p.id)) {
      accepted++;
      co2 += p.figure!.co2eKg ?? 0;
      results[p.index] = { index: p.index, status: 'accepted', eventId: p.id, errors: [] };
    } else {
      duplicates++;
      results[p.index] = { index: p.index, status: 'duplicate', eventId: existing.get(p.key) ?? null, errors: [] };
    }
  }
  return { accepted, rejected: rejectedCount, duplicates, co2eKg: Math.round(co2 * 1e6) / 1e6, results };
}

/** After commit: relay the outbox and pulse when something new was stored; count outcomes. */
function signalStored(ctx: IngestContext, r: BatchResult, supersededFills: number): void {
  if (r.accepted) {
    ctx.services.outbox.kick();
    ctx.state.pulse.kick();
  }
  if (supersededFills) ctx.services.logger.debug({ supersededFills }, 'gap fills superseded by real data');
  ctx.state.metrics.events.inc({ status: 'accepted' }, r.accepted);
  if (r.rejected) ctx.state.metrics.events.inc({ status: 'rejected' }, r.rejected);
  if (r.duplicates) ctx.state.metrics.events.inc({ status: 'duplicate' }, r.duplicates);
}

function insertRaw(rows: Prepared[], opts: IngestOptions): SqlStatement {
  return statement(
    `INSERT INTO events_raw (id, supplier_id, external_id, content_hash, event_type, "timestamp", payload, data_source,
                             quality_status, errors, import_job_id, row_number)
     SELECT u.id, u.supplier_id, u.external_id, u.content_hash, u.event_type, u.ts, u.payload::jsonb, u.data_source,
            u.quality_status, u.errors::jsonb, $11::uuid, u.row_number
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[],
                 $9::text[], $10::text[], $12::int[])
       AS u(id, supplier_id, external_id, content_hash, event_type, ts, payload, data_source, quality_status, errors, row_number)`,
    [
      rows.map((r) => r.id),
      // A rejected row is kept for the sender's audit, but never filed under a supplier the sender may not see
      // (the database's row-level security refuses that write for scoped callers).
      rows.map((r) =>
        r.errors && opts.auth?.supplierIds && !opts.auth.supplierIds.includes(r.supplierId ?? '') ? null : r.supplierId,
      ),
      rows.map((r) => r.externalId),
      rows.map((r) => (r.errors ? `rejected:${r.id}` : r.key)),
      rows.map((r) => r.eventType),
      rows.map((r) => (r.timestamp ? r.timestamp.toISOString() : null)),
      rows.map((r) => safeJson(r.payload)),
      rows.map((r) => r.dataSource),
      rows.map((r) => (r.errors ? 'rejected' : r.quality!)),
      rows.map((r) => (r.errors ? safeJson(r.errors) : null)),
      opts.importJobId ?? null,
      rows.map((r) => opts.rows?.[r.index] ?? null),
    ],
  );
}

function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v ?? null);
    // jsonb rejects \u0000 and unpaired surrogates (JSON.stringify writes those as \udXXX escapes); keep the payload
    // readable instead of failing the batch.
    return s.includes('\\u') ? s.replace(/\\u0000|\\ud[89a-f][0-9a-f]{2}/gi, '\\ufffd') : s;
  } catch {
    return JSON.stringify(String(v));
  }
}

function insertNormalized(rows: Prepared[]): SqlStatement {
  const col = <T>(f: (p: Prepared) => T) => rows.map(f);
  return statement(
    `INSERT INTO events_normalized (id, raw_id, external_id, event_type, supplier_id, "timestamp", distance_km, load_kg,
        vehicle_type, fuel_type, speed_kmh, fuel_l, energy_kwh, route, facility_id, region, attributes, co2e_kg, tonne_km,
        factor_id, factor_version, factor_source, data_source, quality_status, quality_reason, confidence, predicted_by,
        ttw_kg, wtt_kg, method, factor_boundary, factors, method_note, factor_set)
     SELECT u.id, u.id, u.external_id, u.event_type, u.supplier_id, u.ts, u.distance_km, u.load_kg, u.vehicle_type,
        u.fuel_type, u.speed_kmh, u.fuel_l, u.energy_kwh, u.route, u.facility_id, u.region, u.attributes::jsonb, u.co2e_kg,
        u.tonne_km, u.factor_id, u.factor_version, u.factor_source, u.data_source, u.quality_status, u.quality_reason,
        u.confidence, u.predicted_by, u.ttw_kg, u.wtt_kg, u.method, u.factor_boundary, u.factors::jsonb, u.method_note, u.factor_set
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::timestamptz[], $6::float8[], $7::float8[], $8::text[],
                 $9::text[], $10::float8[], $11::float8[], $12::float8[], $13::text[], $14::text[], $15::text[], $16::text[],
                 $17::float8[], $18::float8[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[],
                 $25::float8[], $26::text[], $27::float8[], $28::float8[], $29::text[], $30::text[], $31::text[], $32::text[],
                 $33::text[])
       AS u(id, external_id, event_type, supplier_id, ts, distance_km, load_kg, vehicle_type, fuel_type, speed_kmh, fuel_l,
            energy_kwh, route, facility_id, region, attributes, co2e_kg, tonne_km, factor_id, factor_version, factor_source,
            data_source, quality_status, quality_reason, confidence, predicted_by, ttw_kg, wtt_kg, method, factor_boundary,
            factors, method_note, factor_set)
     ON CONFLICT (id) DO NOTHING`,
    [
      col((p) => p.id),
      col((p) => p.externalId),
      col((p) => p.eventType),
      col((p) => p.supplierId),
      col((p) => p.timestamp!.toISOString()),
      col((p) => p.event!.distanceKm ?? null),
      col((p) => p.event!.loadKg ?? null),
      col((p) => p.event!.vehicleType ?? null),
      col((p) => p.event!.fuelType ?? null),
      col((p) => p.event!.speedKmh ?? null),
      col((p) => p.event!.fuelL ?? null),
      col((p) => p.event!.energyKwh ?? null),
      col((p) => p.event!.route ?? null),
      col((p) => p.event!.facilityId ?? null),
      col((p) => p.region ?? null),
      col((p) => safeJson(p.attributes ?? {})),
      col((p) => p.figure!.co2eKg),
      col((p) => p.figure!.tonneKm),
      col((p) => p.figure!.factorId),
      col((p) => p.figure!.factorVersion),
      col((p) => p.figure!.factorSource),
      col((p) => p.dataSource),
      col((p) => p.quality!),
      col((p) => p.qualityReason ?? null),
      col((p) => p.event!.confidence ?? null),
      col((p) => p.event!.predictedBy ?? null),
      col((p) => p.figure!.ttwKg),
      col((p) => p.figure!.wttKg),
      col((p) => p.figure!.method),
      col((p) => p.figure!.boundary),
      col((p) => JSON.stringify(compactUses(p.figure!.factors))),
      col((p) => p.figure!.note),
      col((p) => p.figure!.factorSet),
    ],
  );
}

/**
 * Real data always wins. Gap fills that real data supersedes: existing fills of the hours these real events fall in,
 * and these new fills when real data exists for their hour (each statement returns the fills it marked).
 */
function supersedeStatements(rows: Prepared[]): { hours: SqlStatement | null; fills: SqlStatement | null } {
  const hours = new Map<string, [string, string]>();
  const fills: string[] = [];
  for (const p of rows) {
    if (p.dataSource === 'gap_fill') fills.push(p.id);
    else {
      const h = new Date(Math.floor(p.timestamp!.getTime() / HOUR) * HOUR).toISOString();
      hours.set(`${p.supplierId}|${h}`, [p.supplierId!, h]);
    }
  }
  const pairs = [...hours.values()];
  return {
    hours: pairs.length
      ? statement(
          `UPDATE events_normalized g SET quality_status = 'superseded', quality_reason = 'superseded by real data for this hour'
       FROM unnest($1::uuid[], $2::timestamptz[]) AS h(supplier_id, hour)
       WHERE g.data_source = 'gap_fill' AND g.quality_status <> 'superseded'
         AND g.supplier_id = h.supplier_id AND g."timestamp" = h.hour
       RETURNING g.id`,
          [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
        )
      : null,
    fills: fills.length
      ? statement(
          `UPDATE events_normalized g SET quality_status = 'superseded', quality_reason = 'real data exists for this hour'
       WHERE g.id = ANY($1::uuid[]) AND EXISTS (
         SELECT 1 FROM events_normalized r
         WHERE r.supplier_id = g.supplier_id AND r."timestamp" >= g."timestamp" AND r."timestamp" < g."timestamp" + interval '1 hour'
           AND r.data_source <> 'gap_fill')
       RETURNING g.id`,
          [fills],
        )
      : null,
  };
}

/** Suppliers' last-seen time from these real events (none for gap fills only). */
function touchSuppliers(rows: Prepared[], now: number): SqlStatement | null {
  const last = new Map<string, number>();
  for (const p of rows) {
    if (p.dataSource === 'gap_fill') continue;
    const t = Math.min(p.timestamp!.getTime(), now);
    if ((last.get(p.supplierId!) ?? 0) < t) last.set(p.supplierId!, t);
  }
  if (!last.size) return null;
  return statement(
    `UPDATE suppliers s SET last_seen_at = GREATEST(COALESCE(s.last_seen_at, v.ts), v.ts)
     FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, ts)
     WHERE s.id = v.id AND (s.last_seen_at IS NULL OR s.last_seen_at < v.ts)`,
    [[...last.keys()], [...last.values()].map((t) => new Date(t).toISOString())],
  );
}

const statement = (sql: string, params: unknown[]): SqlStatement => ({ sql, params });

/** The event.normalized signals for committed rows, IDS_PER_MESSAGE ids each (consumers read the rows by id). */
function normalizedMessages(rows: Prepared[]): EventNormalized[] {
  const out: EventNormalized[] = [];
  for (let i = 0; i < rows.length; i += IDS_PER_MESSAGE) {
    const chunk = rows.slice(i, i + IDS_PER_MESSAGE);
    let from = Infinity;
    let to = -Infinity;
    let co2 = 0;
    const suppliers = new Set<string>();
    for (const p of chunk) {
      const t = p.timestamp!.getTime();
      if (t < from) from = t;
      if (t > to) to = t;
      co2 += p.figure!.co2eKg ?? 0;
      suppliers.add(p.supplierId!);
    }
    out.push({
      ids: chunk.map((p) => p.id),
      supplierIds: [...suppliers],
      count: chunk.length,
      co2eKg: Math.round(co2 * 1e6) / 1e6,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
    });
  }
  return out;
}
