// data-quality against a MOCKED data-core (built from data-core's real SDL, so the mock cannot drift from the
// contract): the behaviours that only need data-core's answers, not its logic — the badge arithmetic, scoping before
// any call, and gap fills written as GAP_FILL events (as the platform) and retried when data-core refused them.
// quality.test.ts runs the same plugin with the real data-core (the end-to-end contract).
import { describe, it, expect } from 'vitest';
import { createSubgraphTestkit, mockPlugin, testDatabaseTargets } from '@carbon-nexus/plugin-sdk/testkit';
import type { AuthClaims, ResolverContext } from '@carbon-nexus/plugin-sdk';
import plugin from '../src/plugin.ts';

const H = 3_600_000;
const S1 = '11111111-1111-4111-8111-111111111111';
const S2 = '22222222-2222-4222-8222-222222222222';
const iso = (t: number) => new Date(t).toISOString();
const ANALYST: AuthClaims = { sub: 'ana', roles: ['analyst'], supplierIds: null };

interface HourRow {
  supplierId: string;
  hour: number;
  real: number;
  predicted: number;
  kg: number;
}

/** A small stand-in for data-core's stored figures: per supplier-hour counts and kg; fills add predicted rows. */
function fakeDataCore(rows: HourRow[], opts: { refuseFills?: () => boolean } = {}) {
  const ingested: { events: Record<string, unknown>[]; roles: string[] }[] = [];
  let nextId = 1;
  const inRange = (r: HourRow, a: { from: string; to: string; supplierIds?: string[] | null }) =>
    r.hour >= Date.parse(a.from) &&
    r.hour < Date.parse(a.to) &&
    (!a.supplierIds || a.supplierIds.includes(r.supplierId));
  const mock = mockPlugin('data-core', {
    Query: {
      emissionsSeries(
        _: unknown,
        a: {
          from: string;
          to: string;
          bucket: 'HOUR' | 'DAY';
          groupBy: 'NONE' | 'SUPPLIER';
          supplierIds?: string[] | null;
        },
      ) {
        const size = a.bucket === 'DAY' ? 24 * H : H;
        const points = new Map<
          string,
          {
            bucketStart: string;
            key: string;
            co2eKg: number;
            eventCount: number;
            realCount: number;
            predictedCount: number;
            suspectCount: number;
            pendingCount: number;
          }
        >();
        for (const r of rows.filter((x) => inRange(x, a))) {
          const start = Math.floor(r.hour / size) * size;
          const key = a.groupBy === 'SUPPLIER' ? r.supplierId : 'all';
          const p = points.get(`${key}|${start}`) ?? {
            bucketStart: iso(start),
            key,
            co2eKg: 0,
            eventCount: 0,
            realCount: 0,
            predictedCount: 0,
            suspectCount: 0,
            pendingCount: 0,
          };
          p.co2eKg += r.kg;
          p.eventCount += r.real + r.predicted;
          p.realCount += r.real;
          p.predictedCount += r.predicted;
          points.set(`${key}|${start}`, p);
        }
        return [...points.values()];
      },
      // Gap-fill events (the badge's predicted kg); no real events are listed, so no outliers are judged here.
      events(
        _: unknown,
        a: { filter?: { dataSources?: string[]; from?: string; to?: string; supplierIds?: string[] | null } },
      ) {
        const fills = a.filter?.dataSources?.includes('GAP_FILL')
          ? rows.filter(
              (r) =>
                r.predicted > 0 &&
                inRange(r, { from: a.filter!.from!, to: a.filter!.to!, supplierIds: a.filter!.supplierIds }),
            )
          : [];
        const nodes = fills.map((r, i) => ({
          id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          supplierId: r.supplierId,
          eventType: 'TRANSPORT',
          timestamp: iso(r.hour),
          distanceKm: null,
          loadKg: null,
          vehicleType: null,
          productionUnits: null,
          areaM2: null,
          fuelL: null,
          energyKwh: null,
          region: null,
          route: null,
          co2eKg: r.kg,
          tonneKm: null,
          dataSource: 'GAP_FILL',
          qualityStatus: 'PREDICTED',
        }));
        return { nodes, edges: [], totalCount: nodes.length, pageInfo: { hasNextPage: false, endCursor: null } };
      },
    },
    Mutation: {
      ingestEvents(_: unknown, a: { events: Record<string, unknown>[] }, ctx: ResolverContext) {
        ingested.push({ events: a.events, roles: ctx.auth?.roles ?? [] });
        const refuse = opts.refuseFills?.() ?? false;
        const results = a.events.map((e, index) => {
          if (refuse)
            return {
              index,
              status: 'REJECTED',
              eventId: null,
              errors: [{ field: 'supplierId', reason: 'unknown supplier' }],
            };
          rows.push({
            supplierId: String(e.supplierId),
            hour: Date.parse(String(e.timestamp)),
            real: 0,
            predicted: 1,
            kg: Number(e.co2eKg),
          });
          return {
            index,
            status: 'ACCEPTED',
            eventId: `99999999-0000-4000-8000-${String(nextId++).padStart(12, '0')}`,
            errors: [],
          };
        });
        const accepted = results.filter((r) => r.status === 'ACCEPTED').length;
        return { accepted, rejected: results.length - accepted, duplicates: 0, results };
      },
      flagEvents: (_: unknown, a: { flags: unknown[] }) => a.flags.length,
    },
    Supplier: {
      __resolveReference: (ref: { id: string }) => ({
        id: ref.id,
        name: ref.id === S1 ? 'North Haul' : 'Rhine Freight',
        category: 'TRANSPORT',
        country: 'GB',
      }),
    },
  });
  return { mock, ingested };
}

describe.each(testDatabaseTargets())('data-quality on %s with a mocked data-core', (target) => {
  it('the badge: shares, label and primary data share from data-core counts and fill kg', async () => {
    const day = Math.floor(Date.now() / (24 * H)) * 24 * H - 2 * 24 * H;
    // 80 real events (1000 kg) and 10 fills (50 kg in all) over one day.
    const rows: HourRow[] = [
      ...Array.from({ length: 8 }, (_, i) => ({
        supplierId: S1,
        hour: day + i * H,
        real: 10,
        predicted: 0,
        kg: 125 - 50 / 8,
      })),
      ...Array.from({ length: 10 }, (_, i) => ({
        supplierId: S2,
        hour: day + (10 + i) * H,
        real: 0,
        predicted: 1,
        kg: 5,
      })),
    ];
    const { mock } = fakeDataCore(rows);
    await using kit = await createSubgraphTestkit(plugin, { with: [mock], target });
    const Q = `query($from: String!, $to: String!, $ids: [ID!]) { dataQualityBadge(from: $from, to: $to, supplierIds: $ids) { realPct predictedPct realCount predictedCount totalCount primaryDataShare label } }`;
    const b = (await kit.query<any>(Q, { from: iso(day), to: iso(day + 24 * H) })).dataQualityBadge;
    expect(b).toEqual({
      realPct: 88.9,
      predictedPct: 11.1,
      realCount: 80,
      predictedCount: 10,
      totalCount: 90,
      primaryDataShare: 95,
      label: '88.9% Real | 11.1% Predicted',
    });
    expect(mock.callsOf('Query.emissionsSeries')[0].args).toEqual({
      from: iso(day),
      to: iso(day + 24 * H),
      bucket: 'DAY',
      groupBy: 'NONE',
      supplierIds: null,
    });
    // A supplier-scoped caller: data-core is asked for its suppliers only, and another supplier is refused before any call.
    const scoped: AuthClaims = { sub: 'p', roles: ['viewer'], supplierIds: [S1] };
    const own = (await kit.query<any>(Q, { from: iso(day), to: iso(day + 24 * H) }, { auth: scoped })).dataQualityBadge;
    expect(own).toMatchObject({ realPct: 100, predictedPct: 0, realCount: 80, primaryDataShare: 100 });
    expect(mock.callsOf('Query.emissionsSeries').at(-1)!.args.supplierIds).toEqual([S1]);
    const calls = mock.calls.length;
    const denied = await kit.execute(Q, { from: iso(day), to: iso(day + 24 * H), ids: [S2] }, { auth: scoped });
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(mock.calls.length).toBe(calls);
    const bad = await kit.execute(Q, { from: 'yesterday', to: iso(day) });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
  });

  it('fills a gap as a GAP_FILL event written as the platform; a fill data-core refused is sent again on the next run', async () => {
    const end = Math.floor(Date.now() / H) * H - H;
    const gapHour = end - 20 * H;
    // Ten days of a steady supplier: 4 events an hour, 100 kg, except one missing hour.
    const rows: HourRow[] = [];
    for (let t = end - 10 * 24 * H; t < end + H; t += H)
      if (t !== gapHour) rows.push({ supplierId: S1, hour: t, real: 4, predicted: 0, kg: 100 });
    let refuse = true;
    const { mock, ingested } = fakeDataCore(rows, { refuseFills: () => refuse });
    await using kit = await createSubgraphTestkit(plugin, { with: [mock], target });
    const RUN = `mutation($from: String, $to: String) { runDataQuality(from: $from, to: $to) { gapsDetected gapsFilled fillsSuperseded suppliersAssessed } }`;
    const PANEL = `query($from: String!, $to: String!) { dataQualityPanel(from: $from, to: $to) { gaps { nodes { hourStart status eventId predictedBy co2eKg } } fills { totalCount } } }`;
    const window = { from: iso(end - 48 * H), to: iso(end) };

    expect((await kit.query<any>(RUN, window, { auth: ANALYST })).runDataQuality).toEqual({
      gapsDetected: 1,
      gapsFilled: 0,
      fillsSuperseded: 0,
      suppliersAssessed: 1,
    });
    const [fill] = ingested[0].events;
    expect(ingested[0].roles).toContain('system');
    expect(fill).toMatchObject({
      supplierId: S1,
      eventType: 'TRANSPORT',
      timestamp: iso(gapHour),
      dataSource: 'GAP_FILL',
      predictedBy: 'gapfill@1.1.0',
      externalId: `gapfill:${iso(gapHour)}`,
    });
    expect(fill.co2eKg as number).toBeGreaterThan(50);
    expect(fill.co2eKg as number).toBeLessThan(200);
    const p1 = (await kit.query<any>(PANEL, window)).dataQualityPanel;
    expect(p1.gaps.nodes).toEqual([
      { hourStart: iso(gapHour), status: 'FILLED', eventId: null, predictedBy: 'gapfill@1.1.0', co2eKg: fill.co2eKg },
    ]);
    expect(p1.fills.totalCount).toBe(0);

    refuse = false;
    expect((await kit.query<any>(RUN, window, { auth: ANALYST })).runDataQuality).toMatchObject({
      gapsDetected: 1,
      gapsFilled: 1,
    });
    expect(ingested).toHaveLength(2);
    const p2 = (await kit.query<any>(PANEL, window)).dataQualityPanel;
    expect(p2.gaps.nodes[0]).toMatchObject({ status: 'FILLED', eventId: '99999999-0000-4000-8000-000000000001' });
    expect(p2.fills.totalCount).toBe(1);
    // A third run finds the fill in data-core and sends nothing again.
    expect((await kit.query<any>(RUN, window, { auth: ANALYST })).runDataQuality).toMatchObject({
      gapsDetected: 1,
      gapsFilled: 0,
    });
    expect(ingested).toHaveLength(2);
  });
});
