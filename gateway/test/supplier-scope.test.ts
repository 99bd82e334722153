// A supplier-scoped token cannot read another supplier's data through any path: root fields through the gateway,
// `_entities` lookups straight at each subgraph, and subscriptions. Resolvers check the scope and, behind them,
// the database's row-level security policies do (prisma/migrations/*_supplier_row_level_security).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { signDevToken, testDatabaseTargets, waitFor } from '@carbon-nexus/plugin-sdk/testkit';
import type { Database } from '@carbon-nexus/db';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';
import type { GatewayServer } from '../src/index.ts';
import { gql_ } from './subscriptions.fixtures.ts';
import { detectionWindows, escalateHotspot, gqlAt, raiseHotspot, type RaisedHotspot } from './hotspots.fixtures.ts';

describe.each(testDatabaseTargets())('supplier scope on %s', (target) => {
  let platform: TestPlatform;
  let gw: GatewayServer;
  let db: Database;
  let admin: string;
  let scopedToken: string;
  const ids = { a: '', b: '' };
  const rows = { a: {} as Record<string, string>, b: {} as Record<string, string> };
  const scopedAuth = () => ({ sub: 'partner-a', roles: ['partner', 'viewer'], supplierIds: [ids.a] });

  // Each supplier's one event sits in the first half of the detection windows (detectionWindows).
  const windows = detectionWindows();
  const raised: Record<string, RaisedHotspot> = {};

  /**
   * What detection and the recommender commit for a supplier: a WARN hotspot measured on the supplier's own event,
   * its alert, and the one recommendation generated for it. Called again for the supplier, detection escalates the
   * hotspot to CRITICAL with a new alert (published live).
   */
  async function seedSupplierRows(supplier: string) {
    const gql = gqlAt(gw.url, admin);
    const first = !raised[supplier];
    const h = first
      ? await raiseHotspot(gql, { supplierId: supplier, percent: 110, windows, ingest: false })
      : await escalateHotspot(gql, raised[supplier], 160);
    raised[supplier] = h;
    const recommendation = first ? await recommendationOf(h.hotspotId) : '';
    return { hotspot: h.hotspotId, alert: h.alertId, alertSeq: h.alertSeq, recommendation };
  }

  /** The recommendation the recommender generates (hotspot.changed CREATED) for a new hotspot. */
  async function recommendationOf(hotspot: string): Promise<string> {
    const query = `query($h: ID) { recommendations(hotspotId: $h) { nodes { id } } }`;
    const first = async (): Promise<string | undefined> =>
      (await gql_(gw.url, query, { h: hotspot }, admin)).data?.recommendations.nodes[0]?.id;
    return (await waitFor(`the recommendation of hotspot ${hotspot}`, first, 60_000))!;
  }

  beforeAll(async () => {
    // One event per supplier is evidence enough here, and the recommender keeps its best measure only.
    platform = await startTestPlatform({ target, env: { HOTSPOT_MIN_EVENTS: '1', RECOMMENDATIONS_PER_HOTSPOT: '1' } });
    ({ gateway: gw, db } = platform);
    admin = await platform.token('admin', { sub: 'admin' });
    for (const [k, name] of [
      ['a', 'Alpha Haulage'],
      ['b', 'Beta Steel'],
    ] as const) {
      const r = await gql_(
        gw.url,
        `mutation($n: String!) { createSupplier(input: { name: $n, category: FACTORY }) { id } }`,
        { n: name },
        admin,
      );
      expect(r.errors).toBeUndefined();
      ids[k] = r.data.createSupplier.id;
    }
    const ts = new Date(windows.start.getTime() + 10 * 60_000).toISOString();
    const ingest = await gql_(
      gw.url,
      `mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted } }`,
      {
        e: (['a', 'b'] as const).map((k) => ({
          externalId: `scope-${k}`,
          supplierId: ids[k],
          eventType: 'FACTORY',
          timestamp: ts,
          energyKwh: 1000,
        })),
      },
      admin,
    );
    expect(ingest.data?.ingestEvents.accepted).toBe(2);
    // ml-engine predicts each event from the bus: wait for both predictions.
    await waitFor(
      'predictions for both suppliers',
      async () =>
        (await db.query<{ n: number }>(`SELECT count(DISTINCT supplier_id)::int AS n FROM predictions`))[0].n === 2,
    );
    rows.a = await seedSupplierRows(ids.a);
    rows.b = await seedSupplierRows(ids.b);
    scopedToken = await signDevToken({ sub: 'partner-a', roles: ['partner', 'viewer'], supplierIds: [ids.a] });
  }, 240_000); // the whole platform, then detection and the recommender for each supplier, like rest.test's setup
  afterAll(() => platform?.close());

  it('root fields through the gateway return only the caller’s supplier', async () => {
    const r = await gql_(
      gw.url,
      `query($b: ID!) {
        suppliers { totalCount nodes { id } }
        other: supplier(id: $b) { id name }
        events { nodes { supplierId } }
        hotspots { nodes { id supplier { id } } }
        alerts { nodes { id } }
        predictions { supplier { id } }
        recommendations { nodes { id } }
        otherRecs: recommendations(supplierId: $b) { nodes { id } }
      }`,
      { b: ids.b },
      scopedToken,
    );
    expect(r.errors).toBeUndefined();
    const body = JSON.stringify(r.data ?? {});
    for (const v of [ids.b, rows.b.hotspot, rows.b.alert, rows.b.recommendation]) expect(body).not.toContain(v);
    expect(r.data.suppliers.nodes).toEqual([{ id: ids.a }]);
    expect(r.data.other).toBeNull();
    expect(r.data.events.nodes.map((n: any) => n.supplierId)).toEqual([ids.a]);
    expect(r.data.hotspots.nodes).toEqual([{ id: rows.a.hotspot, supplier: { id: ids.a } }]);
    expect(r.data.alerts.nodes).toEqual([{ id: rows.a.alert }]);
    expect(r.data.predictions.map((p: any) => p.supplier?.id)).toEqual([ids.a]);
    expect(r.data.recommendations.nodes).toEqual([{ id: rows.a.recommendation }]);
    // The same query as admin sees both suppliers: the fixture really holds B's rows.
    const all = await gql_(
      gw.url,
      `{ suppliers { totalCount } hotspots { nodes { id } } alerts { nodes { id } } }`,
      {},
      admin,
    );
    expect(all.data.suppliers.totalCount).toBe(2);
    expect(all.data.hotspots.nodes).toHaveLength(2);
    expect(all.data.alerts.nodes).toHaveLength(2);
  });

  it('`_entities` lookups in every owning subgraph resolve nothing of another supplier', async () => {
    const lookup = (plugin: string, reps: Record<string, unknown>[], selection: string) =>
      gw
        .host!.plugins.get(plugin)!
        .execute(
          `query($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`,
          { r: reps },
          { auth: scopedAuth() },
        );
    const cases: [string, string, string, string][] = [
      ['data-core', 'Supplier', ids.b, '... on Supplier { id name }'],
      ['orchestration', 'Hotspot', rows.b.hotspot, '... on Hotspot { id percentAbove }'],
      ['orchestration', 'Alert', rows.b.alert, '... on Alert { id message }'],
      ['recommendations', 'Recommendation', rows.b.recommendation, '... on Recommendation { id title }'],
    ];
    for (const [plugin, typename, id, selection] of cases) {
      const r = await lookup(plugin, [{ __typename: typename, id }], selection);
      expect(JSON.stringify(r.data ?? {}), `${plugin} ${typename}`).not.toContain(id === ids.b ? 'Beta' : id);
      expect(
        (r.data as { _entities?: unknown[] } | undefined)?._entities?.[0] ?? null,
        `${plugin} ${typename}`,
      ).toBeNull();
    }
    // Fields other subgraphs add to B's Supplier are empty for this caller.
    const ext = await lookup(
      'orchestration',
      [{ __typename: 'Supplier', id: ids.b }],
      '... on Supplier { hotspots { id } }',
    );
    expect(JSON.stringify(ext.data)).not.toContain(rows.b.hotspot);
    // Own rows resolve (the lookups work at all).
    const own = await lookup('orchestration', [{ __typename: 'Hotspot', id: rows.a.hotspot }], '... on Hotspot { id }');
    expect((own.data as { _entities?: unknown[] } | undefined)?._entities).toEqual([{ id: rows.a.hotspot }]);
  });

  it('the database itself hides other suppliers from the caller’s statements (no WHERE needed)', async () => {
    const rp = gw.host!.plugins.get('orchestration')!;
    const { runInScope } = await import('@carbon-nexus/plugin-sdk');
    const seen = await runInScope({ auth: scopedAuth() }, async () => ({
      raw: await rp.services.db.query<{ s: string }>(`SELECT DISTINCT supplier_id::text AS s FROM hotspots`),
      // Prisma is not in the plugin API; the host's database (the same one) has it for tools: the scope holds there too.
      prisma: (await db.prisma.alert.findMany({ select: { supplierId: true } })).map((x: any) => x.supplierId),
    }));
    expect(seen.raw).toEqual([{ s: ids.a }]);
    expect(seen.prisma).toEqual([ids.a]);
  });

  it('subscriptions deliver only the caller’s supplier (replay and live)', async () => {
    const client = createClient({
      url: gw.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${scopedToken}` },
      retryAttempts: 0,
    });
    const got: { id: string; supplierId: string | null }[] = [];
    const errors: unknown[] = [];
    const stop = client.subscribe(
      { query: `subscription { alertRaised(after: "0") { id supplier { id } } }` },
      {
        next: (m: any) =>
          m.errors
            ? errors.push(m.errors)
            : got.push({ id: m.data.alertRaised.id, supplierId: m.data.alertRaised.supplier?.id ?? null }),
        error: (e) => void errors.push(e),
        complete: () => undefined,
      },
    );
    try {
      // Replay from the start: only A's stored alert.
      await waitFor('replayed alert', () => got.length >= 1);
      // Live: B's alert first, then A's (detection escalating their hotspots); only A's may arrive.
      await seedSupplierRows(ids.b);
      const liveA = await seedSupplierRows(ids.a);
      await waitFor('live alert of A', () => got.some((g) => g.id === liveA.alert));
      expect(errors).toEqual([]);
      expect(got.map((g) => g.id)).toEqual([rows.a.alert, liveA.alert]);
      expect(got.every((g) => g.supplierId === ids.a)).toBe(true);
    } finally {
      stop();
      await client.dispose();
    }
  });
});
