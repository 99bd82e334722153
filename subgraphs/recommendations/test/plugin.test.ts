// Done means (issue 7): with the REAL data-core, ml-engine and orchestration, a planned spike becomes a hotspot and
// the recommendations plugin answers it — with no RAG configured from local retrieval (ranked, sourced); with a
// RAG service (a real HTTP server here) from RAG, falling back on slow / malformed / down answers, with a circuit
// breaker that opens and recovers. Approve/dismiss: approver only, one audit row per action, reason for dismiss.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testDatabaseTargets } from '@carbon-nexus/db';
import { createSubgraphTestkit, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import recommendations from '../src/plugin.ts';
import { ANALYST, APPROVER, VIEWER, countRows, createSupplier, json, makeHotspot, startFakeService, startStack, waitFor, type FakeService } from './helpers.ts';
import { hotspotChanged } from '@carbon-nexus/orchestration/client';
import { recommendationCreated, recommendationUpdated, type RecommendationCreated, type RecommendationUpdated } from '../client/index.ts';

const REC_FIELDS = `id title body rootCause co2ImpactKg costEstimate costLevel feasibilityScore confidence rank score source sourceRef status cause impactBound simulation diagnosis
  history { status by reason at } evidence hotspot { id } supplier { id } measure { id source { publisher title year } }`;
const LIST = `query($status: RecommendationStatus, $hotspotId: ID, $first: Int, $after: String) {
  recommendations(status: $status, hotspotId: $hotspotId, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${REC_FIELDS} } } } }`;
const GENERATE = `mutation($h: ID!) { generateRecommendations(hotspotId: $h) { hotspotId source created recommendations { id title source rank status } } }`;
const APPROVE = `mutation($id: ID!, $reason: String) { approveRecommendation(id: $id, reason: $reason) { id status history { status by reason } } }`;
const DISMISS = `mutation($id: ID!, $reason: String!) { dismissRecommendation(id: $id, reason: $reason) { id status history { status by reason } } }`;

const codeOf = (r: { errors?: readonly any[] }) => r.errors?.[0]?.extensions?.code;

function ragCalls(kit: SubgraphTestkit, outcome: string): Promise<number> {
  return kit.services.metrics.registry
    .getSingleMetric('carbon_nexus_recommendations_rag_calls_total')!
    .get()
    .then((m: any) => m.values.filter((v: any) => v.labels.outcome === outcome).reduce((a: number, v: any) => a + v.value, 0));
}

describe.each(testDatabaseTargets())('recommendations with the real data-core, ml-engine and orchestration (%s)', (target) => {
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
    await waitFor('the run for the new hotspot', async () => (await countRows(kit, `SELECT count(*) AS n FROM recommendation_runs WHERE status <> 'running'`)) > 0);
    await kit.state.engine.idle();
  });
  afterAll(async () => {
    await kit?.stop();
  });

  it('with no RAG configured, the hotspot gets ranked, sourced recommendations from local retrieval', async () => {
    const [run] = await kit.db.query<any>(`SELECT * FROM recommendation_runs`);
    expect(run).toMatchObject({ hotspot_id: hotspotId, trigger: 'created:critical', status: 'done', source: 'retrieval', error: null });
    const r = await kit.query<any>(LIST, { hotspotId, first: 10 });
    const nodes = r.recommendations.edges.map((e: any) => e.node);
    expect(nodes.length).toBe(3); // RECOMMENDATIONS_PER_HOTSPOT default
    expect(run.created).toBe(3);
    expect(nodes.map((n: any) => n.rank)).toEqual([1, 2, 3]);
    for (let i = 1; i < nodes.length; i++) expect(nodes[i - 1].score).toBeGreaterThanOrEqual(nodes[i].score);
    for (const n of nodes) {
      expect(n).toMatchObject({ source: 'RETRIEVAL', status: 'OPEN', hotspot: { id: hotspotId }, supplier: { id: hot } });
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
      const mid = e.basisKg * (e.affectedSharePct / 100) * e.fleetShare * ((e.reductionPct.min + e.reductionPct.max) / 200);
      expect(e.rangeKg[1]).toBeCloseTo(mid, 1);
      expect(n.co2ImpactKg).toBeCloseTo(e.boundApplied === 'published-range' ? mid : e.boundKg, 1);
      expect(n.co2ImpactKg).toBeLessThanOrEqual(e.excessKg + 1e-6);
      expect(n.impactBound).toBe(e.boundApplied);
      // it answers a diagnosed cause: the spike doubled the payload and the idling against the supplier's own history
      expect(n.diagnosis.basis).toBe('own-history');
      expect(n.diagnosis.findings.map((f: any) => f.cause)).toEqual(expect.arrayContaining(['payload_increase', 'idling']));
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
    await kit.services.bus.publish(hotspotChanged, { id: hotspotId, change: 'created', severity: 'critical', supplierId: hot, entityType: 'supplier', entityId: hot });
    await new Promise((r) => setImmediate(r));
    await kit.state.engine.idle();
    expect(await countRows(kit, `SELECT count(*) AS n FROM recommendation_runs`)).toBe(1);
    const g = await kit.query<any>(GENERATE, { h: hotspotId }, { auth: ANALYST });
    expect(g.generateRecommendations).toMatchObject({ hotspotId, source: 'RETRIEVAL', created: 0 });
    expect(g.generateRecommendations.recommendations).toHaveLength(before);
    expect(await countRows(kit, `SELECT count(*) AS n FROM recommendations`)).toBe(before);
    expect(await countRows(kit, `SELECT count(*) AS n FROM audit_logs WHERE action = 'recommendation.generate' AND entity_id = $1`, [hotspotId])).toBe(1);
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
    const after = await kit.query<any>(`query($id: ID!) { recommendation(id: $id) { status history { status } } }`, { id });
    expect(after.recommendation).toEqual({ status: 'OPEN', history: [{ status: 'OPEN' }] });
    expect(await countRows(kit, `SELECT count(*) AS n FROM audit_logs WHERE entity_type = 'recommendation'`)).toBe(0);
  });

  it('dismiss needs a reason: BAD_USER_INPUT naming reason, nothing written', async () => {
    const r = await kit.query<any>(LIST, { hotspotId, first: 3 });
    const id = r.recommendations.edges[2].node.id;
    const res = await kit.execute(DISMISS, { id, reason: '   ' }, { auth: APPROVER });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe('reason');
    const noArg = await kit.execute(`mutation($id: ID!) { dismissRecommendation(id: $id) { id } }`, { id }, { auth: APPROVER });
    expect(noArg.errors?.[0]?.message).toMatch(/reason/);
    expect(await countRows(kit, `SELECT count(*) AS n FROM audit_logs WHERE entity_id = $1`, [id])).toBe(0);
    expect(await countRows(kit, `SELECT count(*) AS n FROM recommendations WHERE id = $1 AND status = 'open'`, [id])).toBe(1);
  });

  it('approve and dismiss append the status history, leave exactly one audit row each and publish recommendation.updated', async () => {
    const r = await kit.query<any>(LIST, { hotspotId, first: 3 });
    const [a, b] = r.recommendations.edges.map((e: any) => e.node.id);
    const ap = await kit.query<any>(APPROVE, { id: a, reason: 'cheap and quick' }, { auth: APPROVER });
    expect(ap.approveRecommendation).toMatchObject({ status: 'APPROVED', history: [{ status: 'OPEN' }, { status: 'APPROVED', by: 'appy', reason: 'cheap and quick' }] });
    const di = await kit.query<any>(DISMISS, { id: b, reason: 'fleet renewal already planned' }, { auth: APPROVER });
    expect(di.dismissRecommendation).toMatchObject({ status: 'DISMISSED', history: [{ status: 'OPEN' }, { status: 'DISMISSED', by: 'appy', reason: 'fleet renewal already planned' }] });
    const audits = await kit.db.query<any>(`SELECT * FROM audit_logs WHERE entity_type = 'recommendation' ORDER BY created_at`);
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

  it('a regeneration after the hotspot grew refreshes the OPEN recommendations in place and leaves decided ones alone', async () => {
    const before = await kit.db.query<any>(`SELECT id, status, co2_impact FROM recommendations WHERE hotspot_id = $1`, [hotspotId]);
    // Fixture: orchestration's hotspot now reports twice the emissions (as after an escalation).
    await kit.db.query(`UPDATE hotspots SET metric_value = metric_value * 2 WHERE id = $1`, [hotspotId]);
    const n = updated.length;
    const g = await kit.query<any>(`mutation($h: ID!) { generateRecommendations(hotspotId: $h) { created refreshed } }`, { h: hotspotId }, { auth: ANALYST });
    expect(g.generateRecommendations).toEqual({ created: 0, refreshed: 1 });
    const after = await kit.db.query<any>(`SELECT id, status, co2_impact FROM recommendations WHERE hotspot_id = $1`, [hotspotId]);
    expect(after).toHaveLength(before.length);
    for (const a of after) {
      const b = before.find((x) => x.id === a.id)!;
      if (a.status === 'open') expect(a.co2_impact).toBeCloseTo(b.co2_impact * 2, 2);
      else expect(a.co2_impact).toBe(b.co2_impact);
    }
    await waitFor('refresh published', async () => updated.length > n);
    expect(updated.at(-1)).toMatchObject({ status: 'open', hotspotId });
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
    const ids = (await kit.query<any>(LIST, { status: null, first: 50 }, { auth: mine })).recommendations.edges.map((e: any) => e.node.id);
    expect(ids).toHaveLength(3);
    const ent = await kit.entities('Recommendation', ids.map((id: string) => ({ id })), 'id title', { auth: other });
    expect(ent.data!._entities).toEqual([null, null, null]);
    const hs = await kit.entities('Hotspot', [{ id: hotspotId }], 'recommendations { id rank }', { auth: mine });
    expect(hs.data!._entities[0].recommendations.map((x: any) => x.rank)).toEqual([1, 2, 3]);
    const sup = await kit.entities('Supplier', [{ id: hot }, { id: calm }], 'recommendations(status: null) { id }', { auth: mine });
    expect(sup.data!._entities.map((s: any) => s.recommendations.length)).toEqual([3, 0]);
    const denied = await kit.execute(DISMISS, { id: ids[2], reason: 'not mine' }, { auth: other });
    expect(codeOf(denied)).toBe('NOT_FOUND');
  });

  it('recommendationUpdated streams only the caller’s suppliers', async () => {
    const rp = kit.host.plugins.get('recommendations')!;
    const doc = `subscription { recommendationUpdated { id status supplier { id } } }`;
    const mineIt = (await rp.subscribe(doc, {}, { auth: { sub: 'h', roles: ['viewer'], supplierIds: [hot] } })) as AsyncIterableIterator<any>;
    const otherIt = (await rp.subscribe(doc, {}, { auth: { sub: 'c', roles: ['viewer'], supplierIds: [calm] } })) as AsyncIterableIterator<any>;
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
    const r = await kit.query<any>(`{ all: knowledgeBase { id } f: knowledgeBase(category: "factory") { id category source { publisher year } }
      s: knowledgeBase(search: "compressed air leaks") { id relevance } e: recommendationEngine { ragConfigured ragCircuit knowledgeBaseSize } }`);
    expect(r.all.length).toBeGreaterThanOrEqual(40);
    expect(r.f.every((m: any) => m.source.publisher && m.source.year)).toBe(true);
    expect(r.s[0]).toMatchObject({ id: 'factory-compressed-air-leaks' });
    expect(r.s[0].relevance).toBeGreaterThan(0);
    expect(r.e).toEqual({ ragConfigured: false, ragCircuit: 'CLOSED', knowledgeBaseSize: r.all.length });
    const bad = await kit.execute(`{ knowledgeBase(category: "space") { id } }`);
    expect(bad.errors?.[0]?.extensions?.field).toBe('category');
  });

  describe('with a RAG service (a real HTTP server) and an LLM endpoint', () => {
    let ragKit: SubgraphTestkit;
    let rag: FakeService;
    let llm: FakeService;
    const GOOD = {
      root_cause: 'Heavier loads due to holiday demand, with long idling at the depot.',
      actions: [
        { title: 'Shift 20% load to Supplier B', co2_reduction: 18, cost_impact: 2, feasibility: 9 },
        { title: 'Enforce engine-off at the depot', co2_reduction: 40, cost_impact: 1, feasibility: 8 },
      ],
    };

    beforeAll(async () => {
      rag = await startFakeService('/rag/analyse');
      llm = await startFakeService('/v1/chat/completions');
      llm.handler = (_req, body, res) => {
        const facts = JSON.parse(body.messages[1].content);
        json(res, 200, { choices: [{ message: { role: 'assistant', content: `LLM: ${facts.action} avoids ${facts.expectedAvoidedKg} kg CO2e.` } }] });
      };
      const dataCore = (await import('@carbon-nexus/data-core')).default;
      const mlEngine = (await import('@carbon-nexus/ml-engine')).default;
      const orchestration = (await import('@carbon-nexus/orchestration')).default;
      // Same database (so orchestration knows the hotspot), its own host and bus.
      ragKit = await createSubgraphTestkit(recommendations, {
        with: [dataCore, mlEngine, orchestration],
        db: kit.db,
        env: {
          ...process.env,
          RAG_URL: rag.url,
          RAG_TIMEOUT_MS: '1500',
          RAG_RETRIES: '1',
          RAG_RETRY_BACKOFF_MS: '10',
          RAG_BREAKER_FAILURES: '4',
          RAG_BREAKER_COOLDOWN_MS: '2000',
          LLM_URL: llm.url.replace('/chat/completions', ''),
        },
      });
    });
    afterAll(async () => {
      await ragKit?.stop();
      await rag?.close();
      await llm?.close();
    });

    const generate = async () => (await ragKit.query<any>(GENERATE, { h: hotspotId }, { auth: ANALYST })).generateRecommendations;
    const circuit = async () => (await ragKit.query<any>(`{ recommendationEngine { ragCircuit } }`)).recommendationEngine.ragCircuit;

    it('a normal answer is persisted with source RAG; the request follows the seed contract plus context', async () => {
      rag.handler = (_req, _body, res) => json(res, 200, GOOD);
      const rp = ragKit.host.plugins.get('recommendations')!;
      const sub = `subscription($h: ID) { recommendationCreated(hotspotId: $h) { title source supplier { id } } }`;
      const mine = (await rp.subscribe(sub, { h: hotspotId }, { auth: { sub: 'h', roles: ['viewer'], supplierIds: [hot] } })) as AsyncIterableIterator<any>;
      const other = (await rp.subscribe(sub, { h: hotspotId }, { auth: { sub: 'c', roles: ['viewer'], supplierIds: [calm] } })) as AsyncIterableIterator<any>;
      const otherNext = other.next();
      const g = await generate();
      expect(g).toMatchObject({ source: 'RAG', created: 2 });
      const heard = [(await mine.next()).value.data.recommendationCreated, (await mine.next()).value.data.recommendationCreated];
      expect(heard.map((x: any) => x.title).sort()).toEqual(GOOD.actions.map((a) => a.title).sort());
      expect(heard.every((x: any) => x.source === 'RAG' && x.supplier.id === hot)).toBe(true);
      await other.return!();
      expect(await otherNext).toEqual({ value: undefined, done: true });
      await mine.return!();
      const body = rag.bodies.at(-1);
      const [h] = await kit.db.query<any>(`SELECT metric_value, baseline FROM hotspots WHERE id = $1`, [hotspotId]);
      expect(body.entity).toBe('Hot Haulage');
      expect(body.data.predicted).toBeCloseTo(h.metric_value, 3);
      expect(body.data.baseline).toBeCloseTo(h.baseline, 3);
      expect(body.context.supplier).toMatchObject({ id: hot, name: 'Hot Haulage', category: 'transport' });
      expect(body.context.history.totalKg).toBeGreaterThan(0);
      expect(body.context.history.topEvents.length).toBeGreaterThan(0);
      // our diagnosis travels as extra context: what changed and the excess attributed per cause
      expect(body.context.diagnosis.basis).toBe('own-history');
      expect(body.context.diagnosis.findings.some((f: any) => f.cause === 'payload_increase' && f.attributedKg > 0)).toBe(true);
      const rows = await kit.db.query<any>(`SELECT * FROM recommendations WHERE source = 'rag' ORDER BY rank`);
      expect(rows).toHaveLength(2);
      const shift = rows.find((r) => r.title === 'Shift 20% load to Supplier B');
      expect(shift).toMatchObject({ co2_impact: 18, cost_estimate: 2, cost_level: 'low', feasibility_score: 0.9, root_cause: GOOD.root_cause, status: 'open' });
      expect(shift.source_ref).toContain('RAG service http://127.0.0.1:');
      expect(shift.body).toBe('LLM: Shift 20% load to Supplier B avoids 18 kg CO2e.');
      expect(await ragCalls(ragKit, 'success')).toBe(1);
      // Same answer again: same actions, no duplicates.
      expect(await generate()).toMatchObject({ source: 'RAG', created: 0 });
    });

    it('a slow answer falls back to local retrieval within the time budget (timeouts are not retried)', async () => {
      const before = rag.calls;
      rag.handler = (_req, _body, res) => {
        const t = setTimeout(() => json(res, 200, GOOD), 6000);
        res.on('close', () => clearTimeout(t));
      };
      const g = await generate();
      expect(g.source).toBe('RETRIEVAL');
      expect(rag.calls - before).toBe(1);
      expect(await ragCalls(ragKit, 'timeout')).toBe(1);
    });

    it('a malformed answer falls back to local retrieval and logs a warning', async () => {
      const warn = vi.spyOn(ragKit.services.logger, 'warn');
      rag.handler = (_req, _body, res) => json(res, 200, { root_cause: 'x', actions: [{ title: 'Do it', co2_reduction: 'lots', cost_impact: 2, feasibility: 9 }] });
      const g = await generate();
      expect(g.source).toBe('RETRIEVAL');
      expect(await ragCalls(ragKit, 'malformed')).toBe(1);
      const msgs = warn.mock.calls.map((c) => String(c[1] ?? c[0]));
      expect(msgs.some((m) => /RAG answer malformed/.test(m))).toBe(true);
      expect(JSON.stringify(warn.mock.calls)).toContain('actions.0.co2_reduction');
      warn.mockRestore();
      // A non-JSON body is malformed too.
      rag.handler = (_req, _body, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>oops</html>');
      };
      expect((await generate()).source).toBe('RETRIEVAL');
      expect(await ragCalls(ragKit, 'malformed')).toBe(2);
    });

    it('service down: the circuit opens (no further calls reach the server) and a half-open success closes it', async () => {
      rag.handler = (_req, _body, res) => json(res, 200, GOOD);
      expect((await generate()).source).toBe('RAG'); // resets the consecutive-failure count
      rag.handler = (_req, _body, res) => json(res, 503, { error: 'down' });
      const before = rag.calls;
      for (let i = 0; i < 4; i++) {
        expect(await circuit()).toBe('CLOSED');
        expect((await generate()).source).toBe('RETRIEVAL');
      }
      expect(rag.calls - before).toBe(8); // 4 calls × (1 attempt + 1 retry)
      expect(await circuit()).toBe('OPEN');
      expect(await ragCalls(ragKit, 'error')).toBe(4);
      // Open: answered locally, the server is not called.
      expect((await generate()).source).toBe('RETRIEVAL');
      expect(rag.calls - before).toBe(8);
      expect(await ragCalls(ragKit, 'circuit_open')).toBe(1);
      // After the cool-down one trial goes through; success closes the circuit.
      rag.handler = (_req, _body, res) => json(res, 200, GOOD);
      await waitFor('half-open', async () => (await circuit()) === 'HALF_OPEN', 10_000);
      expect((await generate()).source).toBe('RAG');
      expect(rag.calls - before).toBe(9);
      expect(await circuit()).toBe('CLOSED');
    });
  });
});
