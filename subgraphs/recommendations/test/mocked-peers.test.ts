// recommendations against MOCKED orchestration and data-core (built from their real SDL, so the mocks cannot drift
// from the contracts): the behaviours that only need the peers' answers, not their logic — what a generation asks
// each peer, the refresh of OPEN recommendations when the hotspot grew, and the RAG service path (fallbacks, circuit
// breaker, LLM text). plugin.test.ts runs the same plugin with the real peers (the end-to-end contract).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSubgraphTestkit, testDatabaseTargets, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import recommendations from '../src/plugin.ts';
import { ANALYST, APPROVER, json, startFakeService, waitFor, type FakeService } from './helpers.ts';
import { fakeDataCore, fakeOrchestration, spikeWorld, type FakeSupplier, type FakeWorld } from './fake-peers.ts';
import { recommendationUpdated, type RecommendationUpdated } from '../client/index.ts';

const HOT: FakeSupplier = {
  id: '11111111-1111-4111-8111-111111111111',
  name: 'Hot Haulage',
  category: 'TRANSPORT',
  country: 'GB',
};
const CALM: FakeSupplier = {
  id: '22222222-2222-4222-8222-222222222222',
  name: 'Calm Carriers',
  category: 'TRANSPORT',
  country: 'GB',
};
const HOTSPOT = '33333333-3333-4333-8333-333333333333';

const GENERATE = `mutation($h: ID!) { generateRecommendations(hotspotId: $h) { hotspotId source created refreshed
  recommendations { id title source rank status co2ImpactKg rootCause } } }`;
const APPROVE = `mutation($id: ID!, $reason: String) { approveRecommendation(id: $id, reason: $reason) { id status } }`;
const DISMISS = `mutation($id: ID!, $reason: String!) { dismissRecommendation(id: $id, reason: $reason) { id status } }`;

/** No RAG and no LLM unless the test gives them. */
const env = (extra: Record<string, string> = {}) => {
  const e: Record<string, string | undefined> = { ...process.env, RAG_URL: undefined, LLM_URL: undefined, ...extra };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  return e;
};

describe.each(testDatabaseTargets())('recommendations with mocked orchestration and data-core (%s)', (target) => {
  describe('local retrieval', () => {
    let world: FakeWorld;
    let orchestration: ReturnType<typeof fakeOrchestration>;
    let dataCore: ReturnType<typeof fakeDataCore>;
    let kit: SubgraphTestkit;
    const updated: RecommendationUpdated[] = [];

    beforeAll(async () => {
      world = spikeWorld(HOT, [CALM], HOTSPOT);
      orchestration = fakeOrchestration(world);
      dataCore = fakeDataCore(world);
      kit = await createSubgraphTestkit(recommendations, { with: [orchestration, dataCore], target, env: env() });
      kit.services.bus.subscribe(recommendationUpdated, (p) => void updated.push(p));
    });
    afterAll(async () => {
      await kit?.stop();
    });

    it('a generation asks orchestration for the hotspot and data-core for its supplier, series and events', async () => {
      const g = (await kit.query<any>(GENERATE, { h: HOTSPOT }, { auth: ANALYST })).generateRecommendations;
      expect(g).toMatchObject({ hotspotId: HOTSPOT, source: 'RETRIEVAL', created: 3, refreshed: 0 });
      expect(orchestration.callsOf('Query.hotspot')).toEqual([{ field: 'Query.hotspot', args: { id: HOTSPOT } }]);
      expect(dataCore.callsOf('Query.supplier').map((c) => c.args)).toEqual([{ id: HOT.id }]);
      const [series] = dataCore.callsOf('Query.emissionsSeries').map((c) => c.args);
      expect(series).toMatchObject({ bucket: 'HOUR', groupBy: 'NONE', supplierIds: [HOT.id] });
      expect(Date.parse(String(series!.to)) - Date.parse(String(series!.from))).toBe(48 * 3_600_000);
      // the hotspot window and the 48 h before it, each the newest 1000 events of the supplier
      const h = world.hotspots[0]!;
      const spans = dataCore
        .callsOf('Query.events')
        .map((c) => c.args as { filter: { from: string; to: string; supplierIds: string[] }; first: number });
      expect(spans.map((s) => [s.filter.from, s.filter.to])).toEqual(
        expect.arrayContaining([
          [h.windowStart, h.windowEnd],
          [new Date(Date.parse(h.windowStart) - 48 * 3_600_000).toISOString(), h.windowStart],
        ]),
      );
      expect(spans.every((s) => s.first === 1000 && s.filter.supplierIds.join() === HOT.id)).toBe(true);
      // what they answered is what the recommendations say
      // the typed estimate and diagnosis say what the JSON evidence says
      const typed = await kit.query<any>(
        `query($h: ID) { recommendations(hotspotId: $h) { nodes { evidence diagnosis impactBound
          estimate { predictedKg baselineKg excessKg basisKg reductionPctMin reductionPctMax affectedSharePct fleetShare
            attributedExcessKg rangeKgMin rangeKgMid rangeKgMax boundApplied boundKg shareOfExcessPct }
          diagnosisSummary { basis statement findings { cause label evidence attributedKg share } } } } }`,
        { h: HOTSPOT },
      );
      expect(typed.recommendations.nodes).toHaveLength(3);
      for (const n of typed.recommendations.nodes) {
        const e = n.evidence;
        expect(n.estimate).toEqual({
          predictedKg: e.predictedKg,
          baselineKg: e.baselineKg,
          excessKg: e.excessKg,
          basisKg: e.basisKg,
          reductionPctMin: e.reductionPct.min,
          reductionPctMax: e.reductionPct.max,
          affectedSharePct: e.affectedSharePct,
          fleetShare: e.fleetShare,
          attributedExcessKg: e.attributedExcessKg,
          rangeKgMin: e.rangeKg[0],
          rangeKgMid: e.rangeKg[1],
          rangeKgMax: e.rangeKg[2],
          boundApplied: n.impactBound,
          boundKg: e.boundKg,
          shareOfExcessPct: e.shareOfExcessPct,
        });
        expect(n.estimate.basisKg).toBeGreaterThan(0);
        expect(n.diagnosisSummary).toEqual(n.diagnosis);
        expect(n.diagnosisSummary.findings.map((f: any) => f.cause)).toContain('payload_increase');
      }
      for (const r of g.recommendations) {
        expect(r.rootCause).toContain('Hot Haulage is');
        expect(r.rootCause).toMatch(/average payload up from 12000 to 24000 kg/);
        expect(r.co2ImpactKg).toBeGreaterThan(0);
      }
    });

    it('after the hotspot grew, a regeneration refreshes the OPEN recommendations in place and leaves decided ones alone', async () => {
      const before = await kit.db.query<any>(
        `SELECT id, status, co2_impact FROM recommendations WHERE hotspot_id = $1 ORDER BY rank`,
        [HOTSPOT],
      );
      await kit.query(APPROVE, { id: before[0].id, reason: 'cheap and quick' }, { auth: APPROVER });
      await kit.query(DISMISS, { id: before[1].id, reason: 'fleet renewal already planned' }, { auth: APPROVER });
      // orchestration now reports twice the emissions (as after an escalation)
      world.hotspots[0]!.predictedKg *= 2;
      const g = await kit.query<any>(GENERATE, { h: HOTSPOT }, { auth: ANALYST });
      expect(g.generateRecommendations).toMatchObject({ created: 0, refreshed: 1 });
      const after = await kit.db.query<any>(
        `SELECT id, status, co2_impact FROM recommendations WHERE hotspot_id = $1`,
        [HOTSPOT],
      );
      expect(after).toHaveLength(before.length);
      for (const a of after) {
        const b = before.find((x) => x.id === a.id)!;
        if (a.status === 'open') expect(a.co2_impact).toBeCloseTo(b.co2_impact * 2, 2);
        else expect(a.co2_impact).toBe(b.co2_impact);
      }
      await waitFor('refresh published', async () => updated.some((u) => u.status === 'open'));
      expect(updated.at(-1)).toMatchObject({ status: 'open', hotspotId: HOTSPOT, supplierId: HOT.id });
    });

    it('a hotspot orchestration does not know is NOT_FOUND, and nothing is asked of data-core', async () => {
      const calls = dataCore.calls.length;
      const missing = await kit.execute(GENERATE, { h: '00000000-0000-4000-8000-000000000000' }, { auth: ANALYST });
      expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(dataCore.calls.length).toBe(calls);
    });
  });

  describe('with a RAG service (a real HTTP server) and an LLM endpoint', () => {
    let world: FakeWorld;
    let kit: SubgraphTestkit;
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
        json(res, 200, {
          choices: [
            {
              message: {
                role: 'assistant',
                content: `LLM: ${facts.action} avoids ${facts.expectedAvoidedKg} kg CO2e.`,
              },
            },
          ],
        });
      };
      world = spikeWorld(HOT, [CALM], HOTSPOT);
      kit = await createSubgraphTestkit(recommendations, {
        with: [fakeOrchestration(world), fakeDataCore(world)],
        target,
        env: env({
          RAG_URL: rag.url,
          RAG_TIMEOUT_MS: '1500',
          RAG_RETRIES: '1',
          RAG_RETRY_BACKOFF_MS: '10',
          RAG_BREAKER_FAILURES: '4',
          RAG_BREAKER_COOLDOWN_MS: '2000',
          LLM_URL: llm.url.replace('/chat/completions', ''),
        }),
      });
    });
    afterAll(async () => {
      await kit?.stop();
      await rag?.close();
      await llm?.close();
    });

    const generate = async () =>
      (await kit.query<any>(GENERATE, { h: HOTSPOT }, { auth: ANALYST })).generateRecommendations;
    const circuit = async () =>
      (await kit.query<any>(`{ recommendationEngine { ragCircuit } }`)).recommendationEngine.ragCircuit;
    const ragCalls = (outcome: string): Promise<number> =>
      kit.services.metrics.registry
        .getSingleMetric('carbon_nexus_recommendations_rag_calls_total')!
        .get()
        .then((m: any) =>
          m.values.filter((v: any) => v.labels.outcome === outcome).reduce((a: number, v: any) => a + v.value, 0),
        );

    it('a normal answer is persisted with source RAG; the request follows the seed contract plus context', async () => {
      rag.handler = (_req, _body, res) => json(res, 200, GOOD);
      const rp = kit.host.plugins.get('recommendations')!;
      const sub = `subscription($h: ID) { recommendationCreated(hotspotId: $h) { title source supplier { id } } }`;
      const mine = (await rp.subscribe(
        sub,
        { h: HOTSPOT },
        { auth: { sub: 'h', roles: ['viewer'], supplierIds: [HOT.id] } },
      )) as AsyncIterableIterator<any>;
      const other = (await rp.subscribe(
        sub,
        { h: HOTSPOT },
        { auth: { sub: 'c', roles: ['viewer'], supplierIds: [CALM.id] } },
      )) as AsyncIterableIterator<any>;
      const otherNext = other.next();
      const g = await generate();
      expect(g).toMatchObject({ source: 'RAG', created: 2 });
      const heard = [
        (await mine.next()).value.data.recommendationCreated,
        (await mine.next()).value.data.recommendationCreated,
      ];
      expect(heard.map((x: any) => x.title).sort()).toEqual(GOOD.actions.map((a) => a.title).sort());
      expect(heard.every((x: any) => x.source === 'RAG' && x.supplier.id === HOT.id)).toBe(true);
      await other.return!();
      expect(await otherNext).toEqual({ value: undefined, done: true });
      await mine.return!();
      const body = rag.bodies.at(-1);
      const h = world.hotspots[0]!;
      expect(body.entity).toBe('Hot Haulage');
      expect(body.data.predicted).toBeCloseTo(h.predictedKg, 3);
      expect(body.data.baseline).toBeCloseTo(h.baselineKg, 3);
      expect(body.context.supplier).toMatchObject({ id: HOT.id, name: 'Hot Haulage', category: 'transport' });
      expect(body.context.history.totalKg).toBeGreaterThan(0);
      expect(body.context.history.topEvents.length).toBeGreaterThan(0);
      // our diagnosis travels as extra context: what changed and the excess attributed per cause
      expect(body.context.diagnosis.basis).toBe('own-history');
      expect(
        body.context.diagnosis.findings.some((f: any) => f.cause === 'payload_increase' && f.attributedKg > 0),
      ).toBe(true);
      const rows = await kit.db.query<any>(`SELECT * FROM recommendations WHERE source = 'rag' ORDER BY rank`);
      expect(rows).toHaveLength(2);
      const shift = rows.find((r) => r.title === 'Shift 20% load to Supplier B');
      expect(shift).toMatchObject({
        co2_impact: 18,
        cost_estimate: 2,
        cost_level: 'low',
        feasibility_score: 0.9,
        root_cause: GOOD.root_cause,
        status: 'open',
      });
      expect(shift.source_ref).toContain('RAG service http://127.0.0.1:');
      expect(shift.body).toBe('LLM: Shift 20% load to Supplier B avoids 18 kg CO2e.');
      expect(await ragCalls('success')).toBe(1);
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
      expect(await ragCalls('timeout')).toBe(1);
    });

    it('a malformed answer falls back to local retrieval and logs a warning', async () => {
      const warn = vi.spyOn(kit.services.logger, 'warn');
      rag.handler = (_req, _body, res) =>
        json(res, 200, {
          root_cause: 'x',
          actions: [{ title: 'Do it', co2_reduction: 'lots', cost_impact: 2, feasibility: 9 }],
        });
      const g = await generate();
      expect(g.source).toBe('RETRIEVAL');
      expect(await ragCalls('malformed')).toBe(1);
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
      expect(await ragCalls('malformed')).toBe(2);
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
      expect(await ragCalls('error')).toBe(4);
      // Open: answered locally, the server is not called.
      expect((await generate()).source).toBe('RETRIEVAL');
      expect(rag.calls - before).toBe(8);
      expect(await ragCalls('circuit_open')).toBe(1);
      // After the cool-down one trial goes through; success closes the circuit.
      rag.handler = (_req, _body, res) => json(res, 200, GOOD);
      await waitFor('half-open', async () => (await circuit()) === 'HALF_OPEN', 10_000);
      expect((await generate()).source).toBe('RAG');
      expect(rag.calls - before).toBe(9);
      expect(await circuit()).toBe('CLOSED');
    });
  });
});
