import {
  badInput,
  decodeCursor,
  defineLoader,
  encodeCursor,
  isUuid,
  parseUuids,
  requireRole,
  supplierScopeSql,
  toIso,
  type ResolverContext,
} from '@carbon-nexus/plugin-sdk';
import type { IngestStatus, Resolvers } from '../generated/resolvers-types.ts';
import { parseTime, st, supplierFilter, svc } from './common.ts';
import { loadSupplier } from './suppliers.ts';
import { ingestBatch, MAX_BATCH } from '../ingest/pipeline.ts';
import { FACTORS, expandUses } from '../domain/factors/index.ts';
import type { DataCoreState } from '../state.ts';

export const EVENT_COLS = `e.id, e.external_id, e.event_type, e.supplier_id, e."timestamp", e.distance_km, e.load_kg, e.vehicle_type,
  e.fuel_type, e.speed_kmh, e.fuel_l, e.energy_kwh, e.route, e.facility_id, e.region, e.attributes, e.co2e_kg, e.tonne_km,
  e.factor_id, e.factor_version, e.factor_source, e.data_source, e.quality_status, e.quality_reason, e.confidence,
  e.predicted_by, e.created_at, e.ttw_kg, e.wtt_kg, e.method, e.factor_boundary, e.factors, e.method_note, e.factor_set`;

const FACTOR_BY_KEY = new Map(FACTORS.map((f) => [`${f.id}@${f.version}`, f]));

export function toEvent(r: Record<string, any>) {
  const a = (r.attributes ?? {}) as Record<string, any>;
  const f = FACTOR_BY_KEY.get(`${r.factor_id}@${r.factor_version}`);
  return {
    id: r.id,
    supplierId: r.supplier_id,
    externalId: r.external_id,
    eventType: String(r.event_type).toUpperCase(),
    timestamp: toIso(r.timestamp),
    distanceKm: r.distance_km,
    loadKg: r.load_kg,
    vehicleType: r.vehicle_type,
    fuelType: r.fuel_type,
    speedKmh: r.speed_kmh,
    fuelL: r.fuel_l,
    energyKwh: r.energy_kwh,
    route: r.route,
    facilityId: r.facility_id,
    region: r.region,
    productionUnits: a.productionUnits ?? null,
    areaM2: a.areaM2 ?? null,
    refrigerated: a.refrigerated ?? null,
    stops: a.stops ?? null,
    parcels: a.parcels ?? null,
    idleMinutes: a.idleMinutes ?? null,
    gradientPct: a.gradientPct ?? null,
    attributes: a,
    fuelKg: a.fuelKg ?? null,
    co2eKg: r.co2e_kg,
    ttwKg: r.ttw_kg,
    wttKg: r.wtt_kg,
    method: r.method ? String(r.method).toUpperCase() : null,
    boundary: r.factor_boundary,
    methodNote: r.method_note,
    factors: expandUses(r.factors).map((f) => ({ ...f, role: String(f.role ?? 'emission').toUpperCase() })),
    factorSet: r.factor_set,
    pending: r.co2e_kg == null,
    tonneKm: r.tonne_km,
    factor: f
      ? { ...f, region: f.region ?? null, year: f.year }
      : {
          id: r.factor_id,
          version: r.factor_version,
          source: r.factor_source,
          activity: r.factor_id === 'gap-fill' ? 'gap fill (predicted value)' : r.factor_id,
          unit: 'kg CO2e',
          value: r.factor_id === 'gap-fill' ? (r.co2e_kg ?? 0) : 0,
          boundary: r.factor_boundary ?? 'n/a',
          year: null,
          region: null,
        },
    dataSource: String(r.data_source).toUpperCase(),
    qualityStatus: String(r.quality_status).toUpperCase(),
    qualityReason: r.quality_reason,
    confidence: r.confidence,
    predictedBy: r.predicted_by,
    createdAt: toIso(r.created_at),
  };
}

/** Events by id, one query per request batch (entity references from ml-engine). */
const eventById = defineLoader(async (ids: string[], ctx: ResolverContext) => {
  const rows = await svc(ctx).db.query<Record<string, any>>(
    `SELECT ${EVENT_COLS} FROM events_normalized e WHERE e.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, toEvent(r)]));
});

const lowerList = (v: readonly string[] | null | undefined) => (v ? v.map((x) => x.toLowerCase()) : null);

export const eventResolvers: Resolvers = {
  Query: {
    async events(_p, args, ctx) {
      const first = args.first ?? 100;
      if (first < 1 || first > 1000) throw badInput('first', 'must be between 1 and 1000');
      const f = args.filter ?? {};
      parseUuids('filter.ids', f.ids, 'an event id');
      parseUuids('filter.supplierIds', f.supplierIds, 'a supplier id');
      const where: string[] = [];
      const params: unknown[] = [];
      const p = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      const suppliers = supplierFilter(ctx, f.supplierIds);
      if (suppliers) where.push(supplierScopeSql(suppliers, params, 'e.supplier_id'));
      if (f.ids) where.push(`e.id = ANY(${p(f.ids)}::uuid[])`);
      if (f.from) where.push(`e."timestamp" >= ${p(parseTime('filter.from', f.from).toISOString())}::timestamptz`);
      if (f.to) where.push(`e."timestamp" < ${p(parseTime('filter.to', f.to).toISOString())}::timestamptz`);
      if (f.eventTypes) where.push(`e.event_type = ANY(${p(lowerList(f.eventTypes))}::text[])`);
      if (f.dataSources) where.push(`e.data_source = ANY(${p(lowerList(f.dataSources))}::text[])`);
      if (f.qualityStatuses) where.push(`e.quality_status = ANY(${p(lowerList(f.qualityStatuses))}::text[])`);
      if (f.methods) where.push(`e.method = ANY(${p(lowerList(f.methods))}::text[])`);
      if (f.pending != null) where.push(f.pending ? 'e.co2e_kg IS NULL' : 'e.co2e_kg IS NOT NULL');
      if (f.ingestedFrom)
        where.push(`e.created_at >= ${p(parseTime('filter.ingestedFrom', f.ingestedFrom).toISOString())}::timestamptz`);
      if (f.ingestedTo)
        where.push(`e.created_at < ${p(parseTime('filter.ingestedTo', f.ingestedTo).toISOString())}::timestamptz`);
      // INGESTED_ASC: the order events were stored in (created_at, id), for consumers catching up after a stop.
      const ingested = args.orderBy === 'INGESTED_ASC';
      const col = ingested ? 'e.created_at' : 'e."timestamp"';
      const asc = args.orderBy === 'TIMESTAMP_ASC' || ingested;
      if (args.after) {
        const [ts, id] = decodeCursor('after', args.after, ['datetime', 'uuid'])!;
        where.push(`(${col}, e.id) ${asc ? '>' : '<'} (${p(ts)}::timestamptz, ${p(id)}::uuid)`);
      }
      const dir = asc ? 'ASC' : 'DESC';
      const rows = await ctx.services.db.query<Record<string, any>>(
        `SELECT ${EVENT_COLS} FROM events_normalized e ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY ${col} ${dir}, e.id ${dir} LIMIT ${first + 1}`,
        params,
      );
      const page = rows.slice(0, first);
      const edges = page.map((r) => ({
        cursor: encodeCursor([toIso(ingested ? r.created_at : r.timestamp), r.id]),
        node: toEvent(r),
      }));
      return {
        edges,
        nodes: edges.map((e) => e.node),
        pageInfo: { hasNextPage: rows.length > first, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
      };
    },
    async activityFeed(_p, { first }, ctx) {
      const n = first ?? 20;
      if (n < 1 || n > 200) throw badInput('first', 'must be between 1 and 200');
      const scope = ctx.auth?.supplierIds;
      const rows = await ctx.services.db.query<Record<string, any>>(
        `SELECT ${EVENT_COLS} FROM events_normalized e
         WHERE e.quality_status <> 'superseded' ${scope ? 'AND e.supplier_id = ANY($1::uuid[])' : ''}
         ORDER BY e."timestamp" DESC, e.id DESC LIMIT ${n}`,
        scope ? [scope.filter(isUuid)] : [],
      );
      return rows.map(toEvent);
    },
    async emissionFactors(_p, { activity, includeRetired }, ctx) {
      const params: unknown[] = [];
      const where: string[] = [];
      if (activity) {
        params.push(`%${activity}%`);
        where.push(`activity ILIKE $${params.length}`);
      }
      if (!includeRetired) {
        params.push(FACTORS.map((f) => `${f.id}@${f.version}`));
        where.push(`(id || '@' || version) = ANY($${params.length}::text[])`);
      }
      const rows = await ctx.services.db.query<Record<string, any>>(
        `SELECT id, version, activity, unit, value, boundary, source, region, year FROM emission_factors
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id, version`,
        params,
      );
      return rows;
    },
  },
  Mutation: {
    async ingestEvents(_p, { events }, ctx) {
      const auth = requireRole(ctx.auth, 'analyst', 'partner');
      if (events.length > MAX_BATCH)
        throw badInput('events', `at most ${MAX_BATCH} events per call (got ${events.length})`);
      const r = await ingestBatch({ services: svc(ctx), state: st(ctx) }, events as unknown[], {
        defaultSource: 'api',
        auth,
      });
      return {
        accepted: r.accepted,
        rejected: r.rejected,
        duplicates: r.duplicates,
        results: r.results.map((x) => ({ ...x, status: x.status.toUpperCase() as IngestStatus })),
      };
    },
    async flagEvents(_p, { flags }, ctx) {
      const auth = requireRole(ctx.auth, 'analyst');
      if (flags.length > 5000) throw badInput('flags', 'at most 5000 flags per call');
      flags.forEach((f, i) => {
        if (!isUuid(f.eventId)) throw badInput(`flags[${i}].eventId`, 'must be a uuid');
        if (f.reason && f.reason.length > 500) throw badInput(`flags[${i}].reason`, 'must be at most 500 characters');
      });
      if (!flags.length) return 0;
      const scope = auth.supplierIds;
      const rows = await ctx.services.db.query<{ id: string }>(
        `UPDATE events_normalized e SET quality_status = f.status, quality_reason = f.reason
         FROM unnest($1::uuid[], $2::text[], $3::text[]) AS f(id, status, reason)
         WHERE e.id = f.id AND e.quality_status IN ('valid', 'suspect')
           AND (e.quality_status <> f.status OR e.quality_reason IS DISTINCT FROM f.reason)
           ${scope ? 'AND e.supplier_id = ANY($4::uuid[])' : ''}
         RETURNING e.id`,
        [
          flags.map((f) => f.eventId),
          flags.map((f) => f.status.toLowerCase()),
          flags.map((f) => f.reason ?? null),
          ...(scope ? [scope.filter(isUuid)] : []),
        ],
      );
      await ctx.services.audit({
        action: 'events.flag',
        entityType: 'event',
        entityId: flags[0].eventId,
        metadata: { requested: flags.length, changed: rows.length, statuses: [...new Set(flags.map((f) => f.status))] },
      });
      if (rows.length) (ctx.state as DataCoreState).pulse.kick();
      return rows.length;
    },
  },
  Event: {
    // Entity: ml-engine joins its prediction to the event (Event.prediction); one query per request batch.
    __resolveReference(ref: { id: string }, ctx: ResolverContext) {
      if (!isUuid(ref.id)) return null;
      return eventById.load(ctx, ref.id.toLowerCase()).then((e) => e ?? null);
    },
    supplier(e, _a, ctx) {
      return loadSupplier(ctx, e.supplierId);
    },
  },
};
