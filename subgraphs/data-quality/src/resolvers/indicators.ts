// The badge (live counts from data-core), the panel (gaps, outliers, fills from our tables) and PACT indicators.
import { canSeeSupplier, forbidden, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import { allEvents, emissionsSeries, supplierMeta } from '../datacore.ts';
import { badgeOf, pactIndicators, type EventEvidence } from '../domain/pact.ts';
import { DAY_MS, expectedInHour, floorHour, HOUR_MS, learnCadence, type HourCounts } from '../domain/completeness.ts';
import { cadenceRows, iso } from '../store.ts';
import { checkUuid, decodeCursor, encodeCursor, parseFirst, parseRange, scopedSuppliers, svc } from './common.ts';

const r2 = (x: number) => Math.round(x * 100) / 100;

export async function badge(_: unknown, a: { from: string; to: string; supplierIds?: string[] | null }, ctx: ResolverContext) {
  const { from, to } = parseRange(a.from, a.to);
  const suppliers = scopedSuppliers(ctx, a.supplierIds);
  const s = svc(ctx);
  const points = await emissionsSeries(s, { from: iso(from)!, to: iso(to)!, bucket: 'DAY', groupBy: 'NONE', supplierIds: suppliers });
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
    const fills = await allEvents(s, { from: iso(from)!, to: iso(to)!, supplierIds: suppliers, dataSources: ['GAP_FILL'], qualityStatuses: ['PREDICTED'] }, 100, true);
    predictedKg = fills.reduce((acc, e) => acc + e.co2eKg, 0);
  }
  const b = badgeOf(real, predicted);
  return {
    from: iso(from),
    to: iso(to),
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

interface PanelParent {
  from: string;
  to: string;
  suppliers: string[] | null;
  first: number;
}

export function panel(_: unknown, a: { from: string; to: string; supplierIds?: string[] | null; first?: number | null }, ctx: ResolverContext): PanelParent {
  const { from, to } = parseRange(a.from, a.to);
  return { from: iso(from)!, to: iso(to)!, suppliers: scopedSuppliers(ctx, a.supplierIds), first: parseFirst(a.first, 50, 500) };
}

async function page<T extends { id: string }>(
  ctx: ResolverContext,
  p: PanelParent,
  a: { first?: number | null; after?: string | null },
  table: string,
  timeCol: string,
  extra: string,
): Promise<{ rows: T[]; hasNext: boolean; total: number; cursor: (r: T) => string }> {
  const first = parseFirst(a.first, p.first, 500);
  const params: unknown[] = [new Date(p.from), new Date(p.to)];
  const where = [`${timeCol} >= $1`, `${timeCol} < $2`];
  if (extra) where.push(extra);
  if (p.suppliers) {
    params.push(p.suppliers);
    where.push(`supplier_id = ANY($${params.length}::uuid[])`);
  }
  const total = (await svc(ctx).db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where.join(' AND ')}`, params))[0].n;
  const after = decodeCursor('after', a.after);
  if (after) {
    params.push(new Date(after[0]), after[1]);
    where.push(`(${timeCol}, id) < ($${params.length - 1}, $${params.length}::uuid)`);
  }
  params.push(first + 1);
  const rows = await svc(ctx).db.query<T>(`SELECT * FROM ${table} WHERE ${where.join(' AND ')} ORDER BY ${timeCol} DESC, id DESC LIMIT $${params.length}`, params);
  return { rows: rows.slice(0, first), hasNext: rows.length > first, total, cursor: (r) => encodeCursor([iso((r as any)[timeCol])!, r.id]) };
}

const gapView = (r: GapRow) => ({
  id: r.id,
  supplierId: r.supplier_id,
  supplier: { __typename: 'Supplier', id: r.supplier_id },
  hourStart: iso(r.window_start),
  expectedCount: Number(r.expected_count),
  status: r.status.toUpperCase(),
  co2eKg: r.co2e_kg,
  confidence: r.confidence,
  predictedBy: r.predicted_by,
  eventId: r.event_id,
  detectedAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

const flagView = (r: FlagRow) => ({
  id: r.id,
  eventId: r.event_id,
  supplierId: r.supplier_id,
  supplier: { __typename: 'Supplier', id: r.supplier_id },
  timestamp: iso(r.event_timestamp),
  method: r.method.toUpperCase(),
  metric: r.metric,
  value: r.value,
  lowerFence: r.lower_fence,
  upperFence: r.upper_fence,
  reason: r.reason,
  detectedAt: iso(r.created_at),
});

function connection<T extends { id: string }, V>(p: { rows: T[]; hasNext: boolean; total: number; cursor: (r: T) => string }, view: (r: T) => V) {
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
  checkUuid('supplierId', a.supplierId);
  const { from, to } = parseRange(a.from, a.to, 366);
  scopedSuppliers(ctx, null);
  if (!canSeeSupplier(ctx.auth, a.supplierId)) throw forbidden('you may not see this supplier');
  const s = svc(ctx);
  const points = await emissionsSeries(s, { from: iso(from)!, to: iso(to)!, bucket: 'HOUR', groupBy: 'SUPPLIER', supplierIds: [a.supplierId] });
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
  const events = await allEvents(s, { supplierIds: [a.supplierId], from: iso(from)!, to: iso(to)!, qualityStatuses: ['VALID', 'SUSPECT', 'PREDICTED'] }, 20, true);
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
  return { supplierId: a.supplierId, from: iso(from), to: iso(to), ...v, realCount, predictedCount, expectedCount: r2(expectedCount) };
}
