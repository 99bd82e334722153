// The RAG adapter on its own against a small real HTTP server: retry with backoff inside the time budget, no retry
// on client errors, a failed half-open trial re-opens the circuit; the optional LLM never blocks (template kept).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, createMetrics } from '@carbon-nexus/plugin-sdk';
import { RagClient } from '../src/rag/client.ts';
import { ExplanationWriter, completionsUrl } from '../src/llm.ts';
import { buildContext } from '../src/domain/payload.ts';
import { json, startFakeService, waitFor, type FakeService } from './helpers.ts';

const GOOD = {
  root_cause: 'holiday demand',
  actions: [{ title: 'Shift load', co2_reduction: 18, cost_impact: 2, feasibility: 9 }],
};
const REQ = { entity: 'Supplier A', data: { predicted: 120, baseline: 60 }, context: {} };

describe('RagClient', () => {
  let svc: FakeService;
  const logger = createLogger({ level: 'silent' });
  beforeEach(async () => {
    svc = await startFakeService();
  });
  afterEach(async () => {
    await svc.close();
  });
  const client = (over: Partial<ConstructorParameters<typeof RagClient>[0]> = {}) =>
    new RagClient({
      url: svc.url,
      timeoutMs: 2000,
      retries: 1,
      backoffMs: 5,
      breakerFailures: 2,
      cooldownMs: 1000,
      logger,
      metrics: createMetrics(),
      ...over,
    });

  it('retries a 503 once with backoff and succeeds on the second attempt; the request is the seed contract', async () => {
    let n = 0;
    svc.handler = (_q, _b, res) => (++n === 1 ? json(res, 503, {}) : json(res, 200, GOOD));
    const c = client();
    const r = await c.analyse(REQ);
    expect(r).toMatchObject({ outcome: 'success', attempts: 2, response: GOOD });
    expect(svc.calls).toBe(2);
    expect(svc.bodies[0]).toEqual(REQ);
    c.shutdown();
  });

  it('does not retry a 400 and reports an empty action list as "empty" (fallback)', async () => {
    svc.handler = (_q, _b, res) => json(res, 400, { error: 'bad' });
    const c = client({ breakerFailures: 10 });
    expect(await c.analyse(REQ)).toMatchObject({ outcome: 'error', attempts: 1 });
    expect(svc.calls).toBe(1);
    svc.handler = (_q, _b, res) => json(res, 200, { root_cause: 'nothing to do', actions: [] });
    expect((await c.analyse(REQ)).outcome).toBe('empty');
    c.shutdown();
  });

  it('a failed half-open trial opens the circuit again; the next trial that succeeds closes it', async () => {
    svc.handler = (_q, _b, res) => json(res, 500, {});
    const c = client({ retries: 0 });
    await c.analyse(REQ);
    await c.analyse(REQ);
    expect(c.state).toBe('open');
    expect((await c.analyse(REQ)).outcome).toBe('circuit_open');
    expect(svc.calls).toBe(2);
    await waitFor('half-open', async () => c.state === 'half_open', 5000);
    expect((await c.analyse(REQ)).outcome).toBe('error');
    expect(svc.calls).toBe(3);
    expect(c.state).toBe('open');
    svc.handler = (_q, _b, res) => json(res, 200, GOOD);
    await waitFor('half-open again', async () => c.state === 'half_open', 5000);
    expect((await c.analyse(REQ)).outcome).toBe('success');
    expect(c.state).toBe('closed');
    c.shutdown();
  });
});

describe('ExplanationWriter (optional LLM)', () => {
  it('uses the chat-completions answer, and keeps the template (null) when the endpoint fails', async () => {
    const svc = await startFakeService('/v1/chat/completions');
    try {
      const ctx = buildContext(
        {
          id: 'h',
          entityType: 'supplier',
          entityId: 's',
          entityName: 'A',
          supplierId: null,
          predictedKg: 100,
          baselineKg: 50,
          percentAbove: 100,
          severity: 'warn',
          status: 'open',
          windowStart: null,
          windowEnd: null,
        },
        null,
        null,
        [],
      );
      const cand = {
        actionKey: 'k',
        title: 'Do X',
        body: 'template',
        rootCause: null,
        co2ImpactKg: 5,
        costEstimate: 2,
        costLevel: 'low' as const,
        feasibility: 0.9,
        confidence: 0.5,
        score: 1,
        source: 'retrieval' as const,
        sourceRef: 'ref',
        measureId: null,
        evidence: {},
      };
      const w = new ExplanationWriter({
        url: completionsUrl(svc.url.replace('/chat/completions', '')),
        model: 'm',
        timeoutMs: 1000,
        logger: createLogger({ level: 'silent' }),
        metrics: createMetrics(),
      });
      svc.handler = (_q, body, res) =>
        json(res, 200, { choices: [{ message: { content: `about ${JSON.parse(body.messages[1].content).action}` } }] });
      expect(await w.explain(ctx, cand)).toBe('about Do X');
      expect(svc.bodies[0].model).toBe('m');
      svc.handler = (_q, _b, res) => json(res, 500, {});
      expect(await w.explain(ctx, cand)).toBeNull();
      svc.handler = (_q, _b, res) => json(res, 200, { choices: [] });
      expect(await w.explain(ctx, cand)).toBeNull();
    } finally {
      await svc.close();
    }
  });
});
