// The audit plugin reads audit_logs as written by the SDK's audit writer. Entries come from a small plugin whose
// mutation calls services.audit (the same writer every plugin uses), so user ids and correlation ids are real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin, gql, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import { createSubgraphTestkit, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { testDatabaseTargets } from '@carbon-nexus/db';
import audit from '../src/plugin.ts';

const SUP_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const SUP_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

const writer = definePlugin({
  id: 'ledger',
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Query { ledgerPing: Boolean! }
    type Mutation { record(action: String!, entityType: String, entityId: String, supplierId: String): Boolean! }
  `,
  resolvers: {
    Query: { ledgerPing: () => true },
    Mutation: {
      async record(
        _: unknown,
        a: { action: string; entityType?: string; entityId?: string; supplierId?: string },
        ctx: ResolverContext,
      ) {
        await ctx.services.audit({
          action: a.action,
          entityType: a.entityType,
          entityId: a.entityId,
          metadata: a.supplierId ? { supplierId: a.supplierId } : { note: 'no supplier' },
        });
        return true;
      },
    },
  },
});

const RECORD = `mutation($action: String!, $entityType: String, $entityId: String, $supplierId: String) { record(action: $action, entityType: $entityType, entityId: $entityId, supplierId: $supplierId) }`;
const LOG = `query($filter: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id action plugin userId entityType entityId supplierId correlationId metadata at } }
    nodes { id action }
    pageInfo { hasNextPage endCursor }
  }
}`;

const analyst = { sub: 'ana', roles: ['analyst'], supplierIds: null };
const approver = { sub: 'appr', roles: ['approver'], supplierIds: null };
const scopedA = { sub: 'sup-a', roles: ['analyst'], supplierIds: [SUP_A] };

describe.each(testDatabaseTargets())('audit log (%s)', (target) => {
  let kit: SubgraphTestkit;
  const log = async (vars: Record<string, unknown>, auth: any = analyst) =>
    (await kit.query(LOG, vars, { auth })).auditLog;

  beforeAll(async () => {
    kit = await createSubgraphTestkit(audit, { target, with: [writer] });
    // 7 entries, oldest first: 3 about supplier A, 2 about B, 2 without a supplier.
    const rec = (vars: Record<string, unknown>, auth: any) => kit.query(RECORD, vars, { plugin: 'ledger', auth });
    await rec(
      { action: 'recommendation.approve', entityType: 'recommendation', entityId: 'r1', supplierId: SUP_A },
      approver,
    );
    await rec(
      { action: 'recommendation.dismiss', entityType: 'recommendation', entityId: 'r2', supplierId: SUP_B },
      approver,
    );
    await rec({ action: 'goal.set', entityType: 'goal', entityId: 'g1' }, analyst);
    await rec({ action: 'acknowledgeAlert', entityType: 'alert', entityId: 'a1', supplierId: SUP_A }, analyst);
    await rec({ action: 'supplier.update', entityType: 'supplier', entityId: SUP_B }, analyst);
    await rec({ action: 'hotspotSettings.update', entityType: 'hotspot_settings', entityId: 'default' }, approver);
    await rec(
      { action: 'recommendation.approve', entityType: 'recommendation', entityId: 'r3', supplierId: SUP_A },
      approver,
    );
  });
  afterAll(async () => kit?.stop());

  it('lists entries newest first with the caller, plugin, entity, supplier and metadata the writer stored', async () => {
    const page = await log({ first: 50 });
    expect(page.nodes.map((n: any) => n.action)).toEqual([
      'recommendation.approve',
      'hotspotSettings.update',
      'supplier.update',
      'acknowledgeAlert',
      'goal.set',
      'recommendation.dismiss',
      'recommendation.approve',
    ]);
    const newest = page.edges[0].node;
    expect(newest).toMatchObject({
      plugin: 'ledger',
      userId: 'appr',
      entityType: 'recommendation',
      entityId: 'r3',
      supplierId: SUP_A,
      metadata: { supplierId: SUP_A },
    });
    expect(Date.parse(newest.at)).toBeGreaterThan(Date.now() - 60_000);
    // A supplier entity is "about" that supplier even without metadata.supplierId.
    expect(page.edges[2].node).toMatchObject({ action: 'supplier.update', supplierId: SUP_B });
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  it('pages with cursors: no entry lost or repeated, and the last page says so', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: any = await log({ first: 3, after });
      seen.push(...page.nodes.map((n: any) => n.id));
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(seen).toEqual((await log({ first: 7 })).nodes.map((n: any) => n.id));
  });

  it('filters by action, entity, user and time', async () => {
    expect((await log({ filter: { action: 'recommendation.approve' } })).nodes.map((n: any) => n.action)).toEqual([
      'recommendation.approve',
      'recommendation.approve',
    ]);
    expect((await log({ filter: { entityType: 'recommendation', entityId: 'r2' } })).nodes).toHaveLength(1);
    expect((await log({ filter: { userId: 'appr' } })).nodes).toHaveLength(4);
    expect((await log({ filter: { plugin: 'nobody' } })).nodes).toHaveLength(0);
    expect((await log({ filter: { from: new Date(Date.now() + 60_000).toISOString() } })).nodes).toHaveLength(0);
    expect((await log({ filter: { to: new Date(Date.now() + 60_000).toISOString() } })).nodes).toHaveLength(7);
  });

  it('supplier-scoped callers see only entries about their suppliers', async () => {
    const page = await log({ first: 50 }, scopedA);
    expect(page.nodes.map((n: any) => n.action)).toEqual([
      'recommendation.approve',
      'acknowledgeAlert',
      'recommendation.approve',
    ]);
    const facets = (await kit.query(`{ auditLogFacets { plugins actions entityTypes } }`, {}, { auth: scopedA }))
      .auditLogFacets;
    expect(facets.actions).toEqual(['acknowledgeAlert', 'recommendation.approve']);
    const all = (await kit.query(`{ auditLogFacets { plugins actions entityTypes } }`, {}, { auth: analyst }))
      .auditLogFacets;
    expect(all.plugins).toEqual(['ledger']);
    expect(all.actions).toHaveLength(6);
  });

  it('needs analyst, approver or admin, and names the bad argument', async () => {
    const viewer = await kit.execute(LOG, {}, { auth: { sub: 'v', roles: ['viewer'], supplierIds: null } });
    expect(viewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const anon = await kit.execute(LOG, {}, { auth: null });
    expect(anon.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const bad = async (vars: Record<string, unknown>) => (await kit.execute(LOG, vars, { auth: analyst })).errors?.[0];
    expect((await bad({ first: 0 }))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect((await bad({ after: 'nonsense' }))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect((await bad({ filter: { from: 'yesterday' } }))?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'filter.from',
    });
    const order = await bad({ filter: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } });
    expect(order?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.to' });
    expect(order?.message).toBe('filter.to: must be after filter.from');
  });
});
