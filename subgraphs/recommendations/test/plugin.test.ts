// Done means (issue 7): with the REAL data-core, ml-engine and orchestration, a planned spike becomes a hotspot and
// the recommendations plugin answers it — with no RAG configured from local retrieval (ranked, sourced).
// Approve/dismiss: approver only, one audit row per action, reason for dismiss. The end-to-end contract with the real
// peers; the refresh after an escalation and the RAG service path run against mocked peers (mocked-peers.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@carbon-nexus/db';
import type { SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { ANALYST, APPROVER, VIEWER, countRows, createSupplier, makeHotspot, startStack, waitFor } from './helpers.ts';
import { hotspotChanged } from '@carbon-nexus/orchestration/client';
import {
  recommendationCreated,
  recommendationUpdated,
  type RecommendationCreated,
  type RecommendationUpdated,
} from '../client/index.ts';

const REC_FIELDS = `id title body rootCause co2ImpactKg costEstimate costLevel feasibilityScore confidence rank score source sourceRef status cause impactBound simulation diagnosis
  history { status by reason at } evidence hotspot { id } supplier { id } measure { id source { publisher title year } }`;
const LIST = `query($status: RecommendationStatus, $hotspotId: ID, $first: Int, $after: String) {
  recommendations(status: $status, hotspotId: $hotspotId, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${REC_FIELDS} } } } }`;
const GENERATE = `mutation($h: ID!) { generateRecommendations(hotspotId: $h) { hotspotId source created recommendations { id title source rank status } } }`;
const APPROVE = `mutation($id: ID!, $reason: String) { approveRecommendation(id: $id, reason: $reason) { id status history { status by reason } } }`;
const DISMISS = `mutation($id: ID!, $reason: String!) { dismissRecommendation(id: $id, reason: $reason) { id status history { status by reason } } }`;

const codeOf = (r: { errors?: readonly any[] }) => r.errors?.[0]?.extensions?.code;

describe.each(testDatabaseTargets())(
  'recommendations with the real data-core, ml-engine and orchestration (%s)',
  (target) => {
    let kit: SubgraphTestkit;
    let hot: string;
    let calm: string;
    let hotspotId: string;
    const created: RecommendationCreated[] = [];
    const updated: RecommendationUpdated[] = [];

    beforeAll(async () => {
      kit = await startStack({ target, env: { RAG_URL: undefined, LLM_URL: undefined } });
      kit.services.bus.subscribe(recommendationCreated, (p) => void created.push(p));
      kit.services.bus.subscribe(recommendationUpdated, (p) => void updated.push(p));
      hot = await createSupplier(kit, 'Hot Haulage');
      calm = await createSupplier(kit, 'Calm Carriers');
      hotspotId = await makeHotspot(kit, hot, [calm]);
      // orchestration published hotspot.changed (created); the plugin generates in the background.
      await waitFor(
        'the run for the new hotspot',
        async () =>
          (await countRows(kit, `SELECT count(*) AS n FROM recommendation_runs WHERE status <> 'running'`)) > 0,
      );
      await kit.state.engine.idle();
    });
    afterAll(async () => {
      await kit?.stop();
    });

    it('with no RAG configured, the hotspot gets ranked, sourced recommendations from local retrieval', async () => {
      const [run] = await kit.db.query<any>(`SELECT * FROM recommendation_runs`);
      expect(run).toMatchObject({
        hotspot_id: hotspotId,
        trigger: 'created:critical',
        status: 'done',
        source: 'retrieval',
        error: null,
      });
      const r = await kit.query<any>(LIST, { hotspotId, first: 10 });
      const nodes = r.recommendations.edges.map((e: any) => e.node);
      expect(nodes.length).toBe(3); // RECOMMENDATIONS_PER_HOTSPOT default
      expect(run.created).toBe(3);
      expect(nodes.map((n: any) => n.rank)).toEqual([1, 2, 3]);
      for (let i = 1; i < nodes.length; i++) expect(nodes[i - 1].score).toBeGreaterThanOrEqual(nodes[i].score);
      for (const n of nodes) {
        expect(n).toMatchObject({
          source: 'RETRIEVAL',
          status: 'OPEN',
          hotspot: { id: hotspotId },
          supplier: { id: hot },
        });
        expect(n.co2ImpactKg).toBeGreaterThan(0);
        expect(n.sourceRef).toMatch(/\(\d{4}\)/);
        expect(n.sourceRef).toContain(n.measure.source.title);
        expect(n.history).toEqual([expect.objectContaining({ status: 'OPEN', by: 'system' })]);
        // The payload: hotspot from orchestration, supplier + last 48 h from data-core (series and events).
        expect(n.rootCause).toContain('Hot Haulage is');
        expect(n.rootCause).toMatch(/Over the last 48 h it emitted [\d.]+ kg CO2e/);
        expect(n.rootCause).toMatch(/average payload up from 12000 to 24000 kg/);
        expect(n.rootCause).toMatch(/average idling up/);
        expect(n.body).toContain('kg CO2e avoided');
        // The estimate is reproducible from its evidence: basis × share × fleet share × mid reduction, bounded by the
        // excess the diagnosis attributes to the cause it answers (never above the hotspot's excess), and says so.
        const e = n.evidence;
        const mid =
          e.basisKg * (e.affectedSharePct / 100) * e.fleetShare * ((e.reductionPct.min + e.reductionPct.max) / 200);
        expect(e.rangeKg[1]).toBeCloseTo(mid, 1);
        expect(n.co2ImpactKg).toBeCloseTo(e.boundApplied === 'published-range' ? mid : e.boundKg, 1);
        expect(n.co2ImpactKg).toBeLessThanOrEqual(e.excessKg + 1e-6);
        expect(n.impactBound).toBe(e.boundApplied);
        // it answers a diagnosed cause: the spike doubled the payload and the idling against the supplier's own history
        expect(n.diagnosis.basis).toBe('own-history');
        expect(n.diagnosis.findings.map((f: any) => f.cause)).toEqual(
          expect.arrayContaining(['payload_increase', 'idling']),
        );
        expect(n.diagnosis.findings.map((f: any) => f.cause)).toContain(n.cause);
        expect(n.rootCause).toMatch(/Diagnosis: /);
      }
      // what the what-if can simulate carries its input, starting from this hotspot
      for (const n of nodes.filter((x: any) => x.simulation)) expect(n.simulation.hotspotId).toBe(hotspotId);
      // A diesel rigid-truck fleet on 120 km legs: no rail shift (needs long haul), no EV vans (vans only).
      const ids = nodes.map((n: any) => n.measure.id);
      expect(ids).not.toContain('transport-rail-shift');
      expect(ids).not.toContain('delivery-ev-vans');
      // Published after the commit, one per recommendation, with the supplier for scoping.
      await waitFor('created events', async () => created.length >= 3);
      expect(created.map((c) => c.id).sort()).toEqual(nodes.map((n: any) => n.id).sort());
      expect(created.every((c) => c.hotspotId === hotspotId && c.supplierId === hot)).toBe(true);
    });

    it('a redelivered hotspot.changed and an on-demand regeneration create no duplicates', async () => {
      const before = await countRows(kit, `SELECT count(*) AS n FROM recommendations`);
      await kit.services.bus.publish(hotspotChanged, {
        id: hotspotId,
        change: 'created',
        severity: 'critical',
        supplierId: hot,
        entityType: 'supplier',
        entityId: hot,
      });
      await new Promise((r) => setImmediate(r));
      await kit.state.engine.idle();
      expect(await countRows(kit, `SELECT count(*) AS n FROM recommendation_runs`)).toBe(1);
      const g = await kit.query<any>(GENERATE, { h: hotspotId }, { auth: ANALYST });
      expect(g.generateRecommendations).toMatchObject({ hotspotId, source: 'RETRIEVAL', created: 0 });
      expect(g.generateRecommendations.recommendations).toHaveLength(before);
      expect(await countRows(kit, `SELECT count(*) AS n FROM recommendations`)).toBe(before);
      expect(
        await countRows(
          kit,
          `SELECT count(*) AS n FROM audit_logs WHERE action = 'recommendation.generate' AND entity_id = $1`,
          [hotspotId],
        ),
      ).toBe(1);
      const denied = await kit.execute(GENERATE, { h: hotspotId }, { auth: VIEWER });
      expect(codeOf(denied)).toBe('FORBIDDEN');
      const missing = await kit.execute(GENERATE, { h: '00000000-0000-4000-8000-000000000000' }, { auth: ANALYST });
      expect(codeOf(missing)).toBe('NOT_FOUND');
    });

    it('approve without the approver role is FORBIDDEN and changes nothing', async () => {
      const r = await kit.query<any>(LIST, { hotspotId, first: 1 });
      const id = r.recommendations.edges[0].node.id;
      for (const auth of [ANALYST, VIEWER]) {
        const res = await kit.execute(APPROVE, { id, reason: 'looks good' }, { auth });
        expect(codeOf(res)).toBe('FORBIDDEN');
        const d = await kit.execute(DISMISS, { id, reason: 'no' }, { auth });
        expect(codeOf(d)).toBe('FORBIDDEN');
      }
      const anon = await kit.execute(APPROVE, { id }, { auth: null });
      expect(codeOf(anon)).toBe('UNAUTHENTICATED');
      const after = await kit.query<any>(`query($id: ID!) { recommendation(id: $id) { status history { status } } }`, {
        id,
      });
      expect(after.recommendation).toEqual({ status: 'OPEN', history: [{ status: 'OPEN' }] });
      expect(await countRows(kit, `SELECT count(*) AS n FROM audit_logs WHERE entity_type = 'recommendation'`)).toBe(0);
    });

    it('dismiss needs a reason: BAD_USER_INPUT naming reason, nothing written', async () => {
      const r = await kit.query<any>(LIST, { hotspotId, first: 3 });
      const id = r.recommendations.edges[2].node.id;
      const res = await kit.execute(DISMISS, { id, reason: '   ' }, { auth: APPROVER });
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe('reason');
      const noArg = await kit.execute(
        `mutation($id: ID!) { dismissRecommendation(id: $id) { id } }`,
        { id },
        { auth: APPROVER },
      );
      expect(noArg.errors?.[0]?.message).toMatch(/reason/);
      expect(await countRows(kit, `SELECT count(*) AS n FROM audit_logs WHERE entity_id = $1`, [id])).toBe(0);
      expect(
        await countRows(kit, `SELECT count(*) AS n FROM recommendations WHERE id = $1 AND status = 'open'`, [id]),
      ).toBe(1);
    });

    it('approve and dismiss append the status history, leave exactly one audit row each and publish recommendation.updated', async () => {
      const r = await kit.query<any>(LIST, { hotspotId, first: 3 });
      const [a, b] = r.recommendations.edges.map((e: any) => e.node.id);
      const ap = await kit.query<any>(APPROVE, { id: a, reason: 'cheap and quick' }, { auth: APPROVER });
      expect(ap.approveRecommendation).toMatchObject({
        status: 'APPROVED',
        history: [{ status: 'OPEN' }, { status: 'APPROVED', by: 'appy', reason: 'cheap and quick' }],
      });
      const di = await kit.query<any>(DISMISS, { id: b, reason: 'fleet renewal already planned' }, { auth: APPROVER });
      expect(di.dismissRecommendation).toMatchObject({
        status: 'DISMISSED',
        history: [{ status: 'OPEN' }, { status: 'DISMISSED', by: 'appy', reason: 'fleet renewal already planned' }],
      });
      const audits = await kit.db.query<any>(
        `SELECT * FROM audit_logs WHERE entity_type = 'recommendation' ORDER BY created_at`,
      );
      expect(audits.map((x) => [x.action, x.entity_id, x.user_id, x.plugin])).toEqual([
        ['recommendation.approve', a, 'appy', 'recommendations'],
        ['recommendation.dismiss', b, 'appy', 'recommendations'],
      ]);
      const meta = typeof audits[1].metadata === 'string' ? JSON.parse(audits[1].metadata) : audits[1].metadata;
      expect(meta).toMatchObject({ reason: 'fleet renewal already planned', from: 'open', to: 'dismissed', hotspotId });
      // The same decision twice is refused (no second audit row).
      const again = await kit.execute(APPROVE, { id: a }, { auth: APPROVER });
      expect(codeOf(again)).toBe('BAD_USER_INPUT');
      expect(await countRows(kit, `SELECT count(*) AS n FROM audit_logs WHERE entity_id = $1`, [a])).toBe(1);
      await waitFor('updated events', async () => updated.length >= 2);
      expect(updated.map((u) => [u.id, u.status, u.supplierId])).toEqual([
        [a, 'approved', hot],
        [b, 'dismissed', hot],
      ]);
    });

    it('the catch-up job regenerates for open hotspots whose run was lost', async () => {
      await kit.db.query(`DELETE FROM recommendation_runs`);
      await kit.runJob('catchUp');
      await kit.state.engine.idle();
      const runs = await kit.db.query<any>(`SELECT hotspot_id, trigger, status FROM recommendation_runs`);
      expect(runs).toEqual([{ hotspot_id: hotspotId, trigger: 'catchup:critical', status: 'done' }]);
      await kit.runJob('catchUp');
      await kit.state.engine.idle();
      expect(await countRows(kit, `SELECT count(*) AS n FROM recommendation_runs`)).toBe(1);
    });

    it('lists are ranked and paginated by cursor; filters and bad arguments are named', async () => {
      const all = await kit.query<any>(LIST, { status: null, first: 200 });
      expect(all.recommendations.totalCount).toBe(3);
      const p1 = await kit.query<any>(LIST, { status: null, first: 2 });
      expect(p1.recommendations.pageInfo.hasNextPage).toBe(true);
      const p2 = await kit.query<any>(LIST, { status: null, first: 2, after: p1.recommendations.pageInfo.endCursor });
      expect(p2.recommendations.pageInfo.hasNextPage).toBe(false);
      const ids = [...p1.recommendations.edges, ...p2.recommendations.edges].map((e: any) => e.node.id);
      expect(ids).toEqual(all.recommendations.edges.map((e: any) => e.node.id));
      const open = await kit.query<any>(LIST, { first: 10 });
      expect(open.recommendations.edges.map((e: any) => e.node.status)).toEqual(['OPEN']);
      for (const [vars, field] of [
        [{ first: 0 }, 'first'],
        [{ first: 5, after: 'bogus' }, 'after'],
        [{ hotspotId: 'nope' }, 'hotspotId'],
      ] as const) {
        const res = await kit.execute(LIST, vars);
        expect(res.errors?.[0]?.extensions?.field, JSON.stringify(vars)).toBe(field);
      }
    });

    it('supplier scoping: another supplier sees none of these recommendations, not even by entity reference', async () => {
      const other = { sub: 'calm-user', roles: ['approver'], supplierIds: [calm] };
      const mine = { sub: 'hot-user', roles: ['viewer'], supplierIds: [hot] };
      const r = await kit.query<any>(LIST, { status: null, first: 50 }, { auth: other });
      expect(r.recommendations.totalCount).toBe(0);
      const ids = (await kit.query<any>(LIST, { status: null, first: 50 }, { auth: mine })).recommendations.edges.map(
        (e: any) => e.node.id,
      );
      expect(ids).toHaveLength(3);
      const ent = await kit.entities(
        'Recommendation',
        ids.map((id: string) => ({ id })),
        'id title',
        { auth: other },
      );
      expect(ent.data!._entities).toEqual([null, null, null]);
      const hs = await kit.entities('Hotspot', [{ id: hotspotId }], 'recommendations { id rank }', { auth: mine });
      expect(hs.data!._entities[0].recommendations.map((x: any) => x.rank)).toEqual([1, 2, 3]);
      const sup = await kit.entities('Supplier', [{ id: hot }, { id: calm }], 'recommendations(status: null) { id }', {
        auth: mine,
      });
      expect(sup.data!._entities.map((s: any) => s.recommendations.length)).toEqual([3, 0]);
      const denied = await kit.execute(DISMISS, { id: ids[2], reason: 'not mine' }, { auth: other });
      expect(codeOf(denied)).toBe('NOT_FOUND');
    });

    it('recommendationUpdated streams only the caller’s suppliers', async () => {
      const rp = kit.host.plugins.get('recommendations')!;
      const doc = `subscription { recommendationUpdated { id status supplier { id } } }`;
      const mineIt = (await rp.subscribe(
        doc,
        {},
        { auth: { sub: 'h', roles: ['viewer'], supplierIds: [hot] } },
      )) as AsyncIterableIterator<any>;
      const otherIt = (await rp.subscribe(
        doc,
        {},
        { auth: { sub: 'c', roles: ['viewer'], supplierIds: [calm] } },
      )) as AsyncIterableIterator<any>;
      const r = await kit.query<any>(LIST, { first: 5 });
      const id = r.recommendations.edges[0].node.id;
      const otherNext = otherIt.next();
      await kit.query(APPROVE, { id, reason: 'go' }, { auth: APPROVER });
      const got = await mineIt.next();
      expect(got.value.data.recommendationUpdated).toEqual({ id, status: 'APPROVED', supplier: { id: hot } });
      await otherIt.return!();
      expect(await otherNext).toEqual({ value: undefined, done: true });
      await mineIt.return!();
    });

    it('knowledgeBase browses by category and searches with BM25', async () => {
      const r =
        await kit.query<any>(`{ all: knowledgeBase { id } f: knowledgeBase(category: "factory") { id category source { publisher year } }
      s: knowledgeBase(search: "compressed air leaks") { id relevance } e: recommendationEngine { ragConfigured ragCircuit knowledgeBaseSize } }`);
      expect(r.all.length).toBeGreaterThanOrEqual(40);
      expect(r.f.every((m: any) => m.source.publisher && m.source.year)).toBe(true);
      expect(r.s[0]).toMatchObject({ id: 'factory-compressed-air-leaks' });
      expect(r.s[0].relevance).toBeGreaterThan(0);
      expect(r.e).toEqual({ ragConfigured: false, ragCircuit: 'CLOSED', knowledgeBaseSize: r.all.length });
      const bad = await kit.execute(`{ knowledgeBase(category: "space") { id } }`);
      expect(bad.errors?.[0]?.extensions?.field).toBe('category');
    });
  },
);
