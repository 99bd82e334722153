// The badge (live counts from data-core), the panel (gaps, outliers, fills from our tables) and PACT indicators.
import {
  canSeeSupplier,
  decodeCursor,
  encodeCursor,
  forbidden,
  parseFirst,
  parseRange,
  parseUuid,
  supplierScopeSql,
  toIso,
  type ResolverContext,
} from '@carbon-nexus/plugin-sdk';
import { allEvents, emissionsSeries, supplierMeta } from '../datacore.ts';
import { badgeOf, pactIndicators, type EventEvidence } from '../domain/pact.ts';
import { DAY_MS, expectedInHour, floorHour, HOUR_MS, learnCadence, type HourCounts } from '../domain/completeness.ts';
import { cadenceRows } from '../store.ts';
import { svc, visibleSuppliers } from './common.ts';
import type { DataQualityPanelParent as PanelParent } from './parents.ts';
import type { GapStatus, OutlierMethod } from '../generated/resolvers-types.ts';

const r2 = (x: number) => Math.round(x * 100) / 100;

export async function badge(
  _: unknown,
  a: { from: string; to: string; supplierIds?: string[] | null },
  ctx: ResolverContext,
) {
  const { from, to } = parseRange(a.from, a.to);
  const suppliers = visibleSuppliers(ctx, a.supplierIds);
  const s = svc(ctx);
  const points = await emissionsSeries(s, {
    from: toIso(from),
    to: toIso(to),
    bucket: 'DAY',
    groupBy: 'NONE',
    supplierIds: suppliers,
  });
  let total = 0;
  let predicted = 0;
  let suspect = 0;
  let kg = 0;
  for (const p of points) {
    total += p.eventCount;
    predicted += p.predictedCount;
    suspect += p.suspectCount;
    kg += p.co2eKg;
  }
  const real = total - predicted;
  let predictedKg = 0;
  if (predicted > 0) {
    const fills = await allEvents(
      s,
      {
        from: toIso(from),
        to: toIso(to),
        supplierIds: suppliers,
        dataSources: ['GAP_FILL'],
        qualityStatuses: ['PREDICTED'],
      },
      100,
      true,
    );
    predictedKg = fills.reduce((acc, e) => acc + e.co2eKg, 0);
  }
  const b = badgeOf(real, predicted);
  return {
    from: toIso(from),
    to: toIso(to),
    ...b,
    suspectCount: suspect,
    primaryDataShare: kg > 0 ? r2(Math.min(100, Math.max(0, ((kg - predictedKg) / kg) * 100))) : real > 0 ? 100 : 0,
  };
}

interface GapRow {
  id: string;
  supplier_id: string;
  window_start: Date;
  expected_count: number;
  co2e_kg: number | null;
  confidence: number | null;
  predicted_by: string | null;
  event_id: string | null;
  status: string;
  created_at: Date;
  updated_at: Date;
}

interface FlagRow {
  id: string;
  event_id: string;
  supplier_id: string;
  event_timestamp: Date;
  method: string;
  metric: string;
  value: number | null;
  lower_fence: number | null;
  upper_fence: number | null;
  reason: string;
  created_at: Date;
}

export function panel(
  _: unknown,
  a: { from: string; to: string; supplierIds?: string[] | null; first?: number | null },
  ctx: ResolverContext,
): PanelParent {
  const { from, to } = parseRange(a.from, a.to);
  return {
    from: toIso(from),
    to: toIso(to),
    suppliers: visibleSuppliers(ctx, a.supplierIds),
    first: parseFirst(a.first, 50, 500),
  };
}

async function page<T extends { id: string }>(
  ctx: ResolverContext,
  p: PanelParent,
  a: { first?: number | null; after?: string | null },
  table: string,
  timeCol: keyof T & string,
  extra: string,
): Promise<{ rows: T[]; hasNext: boolean; total: number; cursor: (r: T) => string }> {
  const first = parseFirst(a.first, p.first, 500);
  const params: unknown[] = [new Date(p.from), new Date(p.to)];
  const where = [`${timeCol} >= $1`, `${timeCol} < $2`];
  if (extra) where.push(extra);
  if (p.suppliers) where.push(supplierScopeSql(p.suppliers, params));
  const total = (
    await svc(ctx).db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE ${where.join(' AND ')}`,
      params,
    )
  )[0].n;
  const after = decodeCursor('after', a.after, ['datetime', 'uuid']);
  if (after) {
    params.push(new Date(after[0]), after[1]);
    where.push(`(${timeCol}, id) < ($${params.length - 1}, $${params.length}::uuid)`);
  }
  params.push(first + 1);
  const rows = await svc(ctx).db.query<T>(
    `SELECT * FROM ${table} WHERE ${where.join(' AND ')} ORDER BY ${timeCol} DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return {
    rows: rows.slice(0, first),
    hasNext: rows.length > first,
    total,
    cursor: (r) => encodeCursor([toIso(r[timeCol] as Date), r.id]),
  };
}

const gapView = (r: GapRow) => ({
  id: r.id,
  supplierId: r.supplier_id,
  supplier: { __typename: 'Supplier' as const, id: r.supplier_id },
  hourStart: toIso(r.window_start),
  expectedCount: Number(r.expected_count),
  status: r.status.toUpperCase() as GapStatus,
  co2eKg: r.co2e_kg,
  confidence: r.confidence,
  predictedBy: r.predicted_by,
  eventId: r.event_id,
  detectedAt: toIso(r.created_at),
  updatedAt: toIso(r.updated_at),
});

const flagView = (r: FlagRow) => ({
  id: r.id,
  eventId: r.event_id,
  supplierId: r.supplier_id,
  supplier: { __typename: 'Supplier' as const, id: r.supplier_id },
  timestamp: toIso(r.event_timestamp),
  method: r.method.toUpperCase() as OutlierMethod,
  metric: r.metric,
  value: r.value,
  lowerFence: r.lower_fence,
  upperFence: r.upper_fence,
  reason: r.reason,
  detectedAt: toIso(r.created_at),
});

function connection<T extends { id: string }, V>(
  p: { rows: T[]; hasNext: boolean; total: number; cursor: (r: T) => string },
  view: (r: T) => V,
) {
  return {
    nodes: p.rows.map(view),
    pageInfo: { hasNextPage: p.hasNext, endCursor: p.rows.length ? p.cursor(p.rows[p.rows.length - 1]) : null },
    totalCount: p.total,
  };
}

export const panelResolvers = {
  async gaps(p: PanelParent, a: { first?: number | null; after?: string | null }, ctx: ResolverContext) {
    return connection(await page<GapRow>(ctx, p, a, 'gap_fills', 'window_start', ''), gapView);
  },
  async fills(p: PanelParent, a: { first?: number | null; after?: string | null }, ctx: ResolverContext) {
    return connection(await page<GapRow>(ctx, p, a, 'gap_fills', 'window_start', `event_id IS NOT NULL`), gapView);
  },
  async outliers(p: PanelParent, a: { first?: number | null; after?: string | null }, ctx: ResolverContext) {
    return connection(await page<FlagRow>(ctx, p, a, 'data_quality_flags', 'event_timestamp', ''), flagView);
  },
};

export async function pact(_: unknown, a: { supplierId: string; from: string; to: string }, ctx: ResolverContext) {
  parseUuid('supplierId', a.supplierId, 'a supplier id');
  const { from, to } = parseRange(a.from, a.to, { maxDays: 366 });
  visibleSuppliers(ctx, null);
  if (!canSeeSupplier(ctx.auth, a.supplierId)) throw forbidden('you may not see this supplier');
  const s = svc(ctx);
  const points = await emissionsSeries(s, {
    from: toIso(from),
    to: toIso(to),
    bucket: 'HOUR',
    groupBy: 'SUPPLIER',
    supplierIds: [a.supplierId],
  });
  const byHour = new Map<number, HourCounts>();
  let realCount = 0;
  let predictedCount = 0;
  for (const p of points) {
    if (p.key !== a.supplierId) continue;
    const hour = Date.parse(p.bucketStart);
    const real = p.eventCount - p.predictedCount;
    byHour.set(hour, { hour, real, predicted: p.predictedCount, co2eKg: p.co2eKg });
    realCount += real;
    predictedCount += p.predictedCount;
  }
  // Cadence: the stored one (override or learned), else learned from this window.
  const row = (await cadenceRows(s.db, [a.supplierId])).get(a.supplierId);
  const learned = learnCadence([...byHour.values()], from, to);
  const profile = {
    perHour: row?.override_per_hour ?? row?.learned_per_hour ?? learned.learnedPerHour,
    activeHoursOfDay: row?.active_hours_of_day?.length ? row.active_hours_of_day : learned.activeHoursOfDay,
    firstSeen: learned.firstSeen ?? from,
  };
  let expectedCount = 0;
  let expectedHours = 0;
  let coveredHours = 0;
  const days = new Map<number, boolean>();
  for (let h = floorHour(from); h < to; h += HOUR_MS) {
    const e = expectedInHour(profile, h);
    if (e <= 0) continue;
    expectedCount += e;
    expectedHours++;
    const c = byHour.get(h);
    if (c && c.real + c.predicted > 0) coveredHours++;
    const d = Math.floor(h / DAY_MS) * DAY_MS;
    days.set(d, (days.get(d) ?? false) || (c?.real ?? 0) > 0);
  }
  const events = await allEvents(
    s,
    {
      supplierIds: [a.supplierId],
      from: toIso(from),
      to: toIso(to),
      qualityStatuses: ['VALID', 'SUSPECT', 'PREDICTED'],
    },
    20,
    true,
  );
  const countryKnown = !!(await supplierMeta(s, [a.supplierId])).get(a.supplierId)?.country;
  const evidence: EventEvidence[] = events.map((e) => ({
    co2eKg: e.co2eKg,
    predicted: e.dataSource === 'GAP_FILL',
    suspect: e.qualityStatus === 'SUSPECT',
    measuredEnergy: e.fuelL != null || e.energyKwh != null,
    geoSpecific: !!(e.region || e.route),
  }));
  const v = pactIndicators({
    events: evidence,
    supplierCountryKnown: countryKnown,
    expectedCount,
    realCount,
    predictedCount,
    expectedHours,
    coveredHours,
    expectedDays: days.size,
    daysWithoutRealData: [...days.values()].filter((x) => !x).length,
  });
  return {
    supplierId: a.supplierId,
    from: toIso(from),
    to: toIso(to),
    ...v,
    realCount,
    predictedCount,
    expectedCount: r2(expectedCount),
  };
}
