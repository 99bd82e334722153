// Observability end to end: one correlation id from the gateway through the subgraphs (in-process and over HTTP)
// to the bus handlers the request triggers (ml-engine predictions), read back from the JSON log lines; the
// Prometheus metrics on /metrics; and OpenTelemetry traces that span gateway and subgraph, received by a real
// OTLP/HTTP collector.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Writable } from 'node:stream';
import crypto from 'node:crypto';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import {
  createLogger,
  loadPlatformConfig,
  MemoryBus,
  signDevToken,
  startSubgraph,
  startTracing,
  type AnyPlugin,
  type SubgraphServer,
  type TracingHandle,
} from '@carbon-nexus/plugin-sdk';
import {
  createTestDatabase,
  startOtlpCollector,
  testDatabaseTargets,
  waitFor,
  type CollectedSpan,
  type OtlpCollector,
} from '@carbon-nexus/plugin-sdk/testkit';
import { startGateway, type GatewayServer } from '@carbon-nexus/gateway';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';

type LogLine = Record<string, any>;

/** A pino logger at debug level whose JSON lines are kept for assertions. */
function captureLogs(name: string) {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, logger: createLogger({ name, level: 'debug', destination }) };
}

const INGEST = `mutation Ingest($e: [EventInput!]!) { ingestEvents(events: $e) { accepted rejected } }`;

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { headers: res.headers, body: (await res.json()) as any };
}

async function createSupplier(url: string, token: string, name: string): Promise<string> {
  const r = await post(
    url,
    {
      query: 'mutation($n: String!) { createSupplier(input: { name: $n, category: TRANSPORT }) { id } }',
      variables: { n: name },
    },
    { authorization: `Bearer ${token}` },
  );
  expect(r.body.errors).toBeUndefined();
  return r.body.data.createSupplier.id;
}

function truckEvents(supplierId: string, tag: string) {
  const at = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  return [1, 2, 3].map((h) => ({
    externalId: `${tag}-${h}`,
    supplierId,
    eventType: 'TRANSPORT',
    timestamp: at(h),
    distanceKm: 120 + h,
    loadKg: 9000,
    vehicleType: 'rigid_truck',
  }));
}

/** The ml-engine line written after it predicted the batch a request's event.normalized carried. */
const predictedIn = (lines: LogLine[], correlationId: string) =>
  lines.find(
    (l) =>
      l.plugin === 'ml-engine' && l.msg === 'event.normalized batch predicted' && l.correlationId === correlationId,
  );

/** Whether `span` descends from `ancestor` (Apollo gateway adds its own spans, e.g. gateway.execute, in between). */
function descendsFrom(span: CollectedSpan | undefined, ancestor: CollectedSpan, all: CollectedSpan[]): boolean {
  for (let s = span; s?.parentSpanId; ) {
    if (s.parentSpanId === ancestor.spanId) return true;
    s = all.find((x) => x.spanId === s!.parentSpanId);
  }
  return false;
}

const metricValue = (text: string, name: string, labels: string) =>
  Number(new RegExp(`^${name}${labels ? `\\{${labels}\\}` : ''} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe.each(testDatabaseTargets())('embedded gateway observability on %s', (target) => {
  let platform: TestPlatform;
  let gw: GatewayServer;
  let analyst: string;
  let supplierId: string;
  const logs = captureLogs('gateway');

  beforeAll(async () => {
    const env = { METRICS_MAX_OPERATIONS: '4' };
    platform = await startTestPlatform({ target, env, gateway: { logger: logs.logger } });
    gw = platform.gateway;
    analyst = await platform.token('analyst', { sub: 'obs-analyst' });
    supplierId = await createSupplier(gw.url, analyst, `Observed Freight ${target}`);
  });
  afterAll(() => platform?.close());

  it('carries one correlation id from the gateway request to the ml-engine prediction handler', async () => {
    const correlationId = `obs-embedded-${crypto.randomUUID()}`;
    const r = await post(
      gw.url,
      { query: INGEST, operationName: 'Ingest', variables: { e: truckEvents(supplierId, correlationId) } },
      {
        authorization: `Bearer ${analyst}`,
        'x-correlation-id': correlationId,
      },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.ingestEvents).toEqual({ accepted: 3, rejected: 0 });
    expect(r.headers.get('x-correlation-id')).toBe(correlationId);
    // The gateway's request line, then (after the bus hop and a plugin call back to data-core) ml-engine's.
    expect(logs.lines.find((l) => l.msg === 'graphql request' && l.correlationId === correlationId)).toMatchObject({
      operation: 'Ingest',
      status: 200,
    });
    const predicted = await waitFor('the ml-engine prediction log line', () => predictedIn(logs.lines, correlationId));
    expect(predicted).toMatchObject({ events: 3, predicted: 3, name: 'gateway' });
    // No line of this request carries another id: everything logged between its start and the prediction is its own
    // or belongs to a different request scope (none run concurrently here).
    expect(
      logs.lines.filter((l) => l.plugin === 'ml-engine' && l.msg === 'event.normalized batch predicted').at(-1)!
        .correlationId,
    ).toBe(correlationId);
  });

  it('generates a correlation id when the client sends none, echoes it and uses it downstream', async () => {
    const r = await post(
      gw.url,
      { query: INGEST, variables: { e: truckEvents(supplierId, 'no-header') } },
      { authorization: `Bearer ${analyst}` },
    );
    expect(r.body.errors).toBeUndefined();
    const id = r.headers.get('x-correlation-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor('the prediction line with the generated id', () => predictedIn(logs.lines, id));
  });

  it('a REST call gets one correlation id: the one it answers with is the one its operation ran under', async () => {
    const r = await fetch(`${gw.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${analyst}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: truckEvents(supplierId, 'rest-no-header') }),
    });
    expect(r.status).toBe(200);
    const id = r.headers.get('x-correlation-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor('the prediction line with the REST call id', () => predictedIn(logs.lines, id));
  });

  it('exposes operation, subgraph fetch, model inference, bus lag and subscription metrics on /metrics', async () => {
    const client = createClient({
      url: gw.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${analyst}` },
      retryAttempts: 0,
      lazy: false,
    });
    const events: unknown[] = [];
    const dispose = client.subscribe(
      { query: 'subscription { emissionPulse { __typename } }' },
      { next: (v) => void events.push(v), error: () => undefined, complete: () => undefined },
    );
    const metrics = async () => (await fetch(`${gw.url}/metrics`)).text();
    let text = await waitFor('an open subscription on /metrics', async () => {
      const t = await metrics();
      if (
        metricValue(t, 'carbon_nexus_subscription_connections', 'transport="ws"') === 1 &&
        metricValue(t, 'carbon_nexus_subscription_clients', '') === 1
      )
        return t;
      throw new Error(
        `gauges: ${t
          .split('\n')
          .filter((l) => l.startsWith('carbon_nexus_subscription_c'))
          .join('; ')} events: ${JSON.stringify(events)}`,
      );
    });
    // Operation latency by name and type; subgraph fetch latency by subgraph (both from the ingests above).
    expect(
      metricValue(text, 'carbon_nexus_graphql_operation_seconds_count', 'operation="Ingest",type="mutation"'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      metricValue(text, 'carbon_nexus_subgraph_fetch_seconds_count', 'subgraph="data-core"'),
    ).toBeGreaterThanOrEqual(2);
    // Model inference latency (ml-engine) and bus lag by topic.
    expect(
      metricValue(text, 'carbon_nexus_model_inference_seconds_count', 'model="logistics",batch="<=10"'),
    ).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'carbon_nexus_bus_lag_seconds_count', 'topic="event.normalized"')).toBeGreaterThanOrEqual(
      2,
    );
    dispose();
    await client.dispose();
    text = await waitFor('the subscription gauges back to zero', async () => {
      const t = await metrics();
      return metricValue(t, 'carbon_nexus_subscription_connections', 'transport="ws"') === 0 &&
        metricValue(t, 'carbon_nexus_subscription_clients', '') === 0
        ? t
        : null;
    });
    expect(text).toMatch(/^# TYPE carbon_nexus_graphql_operation_seconds histogram$/m);
  });

  it('bounds the operation label: client-chosen names beyond METRICS_MAX_OPERATIONS count as "other"', async () => {
    for (let i = 0; i < 6; i++) {
      const r = await post(gw.url, { query: `query Probe${i} { __typename }`, operationName: `Probe${i}` });
      expect(r.body.data).toEqual({ __typename: 'Query' });
    }
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const names = new Set(
      [...text.matchAll(/^carbon_nexus_graphql_operation_seconds_count\{operation="([^"]*)"/gm)].map((m) => m[1]),
    );
    expect(names.size).toBe(5); // 4 distinct names + "other"
    expect(names.has('other')).toBe(true);
    expect(names.has('Probe5')).toBe(false);
  });
});

describe('distributed: data-core over HTTP, OpenTelemetry on', () => {
  let collector: OtlpCollector;
  /** This test's own handle on the process's tracer provider: lets it flush instead of waiting for the batch timer. */
  let tracing: TracingHandle;
  let dataCore: SubgraphServer;
  let gw: GatewayServer;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let bus: MemoryBus;
  let analyst: string;
  let supplierId: string;
  const gwLogs = captureLogs('gateway');
  const dcLogs = captureLogs('data-core');

  beforeAll(async () => {
    collector = await startOtlpCollector();
    const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url };
    tracing = await startTracing(env, 'observability-test');
    const { plugins } = await loadPlatformConfig();
    const dataCorePlugin = plugins.find((p) => p.id === 'data-core') as AnyPlugin;
    db = await createTestDatabase();
    // One bus object stands for the shared transport between the two processes.
    bus = new MemoryBus();
    dataCore = await startSubgraph(dataCorePlugin, {
      db,
      bus,
      migrate: false,
      scheduler: false,
      env,
      logger: dcLogs.logger,
    });
    gw = await startGateway({
      plugins: plugins.filter((p) => p.id !== 'data-core'),
      subgraphUrls: { 'data-core': dataCore.url },
      port: 0,
      env,
      logger: gwLogs.logger,
      serveWeb: false,
      host: { db, bus, migrate: false, scheduler: false },
    });
    analyst = await signDevToken({ sub: 'obs-analyst', roles: ['analyst'] });
    supplierId = await createSupplier(gw.url, analyst, 'Remote Observed Freight');
  });
  afterAll(async () => {
    await gw?.close();
    await dataCore?.close();
    await bus?.close();
    await tracing?.stop();
    await db?.close();
    await collector?.close();
  });

  it('takes the correlation id from x-correlation-id across the HTTP hop and the bus', async () => {
    const correlationId = `obs-remote-${crypto.randomUUID()}`;
    const r = await post(
      gw.url,
      { query: INGEST, operationName: 'Ingest', variables: { e: truckEvents(supplierId, correlationId) } },
      {
        authorization: `Bearer ${analyst}`,
        'x-correlation-id': correlationId,
      },
    );
    expect(r.body.data.ingestEvents.accepted).toBe(3);
    // The remote subgraph logged the gateway's fetch under the same id, in its own process logger.
    expect(dcLogs.lines.find((l) => l.msg === 'graphql request' && l.correlationId === correlationId)).toMatchObject({
      plugin: 'data-core',
      name: 'data-core',
    });
    await waitFor('the ml-engine prediction line', () => predictedIn(gwLogs.lines, correlationId));
    // ml-engine read the events back from data-core over HTTP, still under the request's id.
    expect(
      dcLogs.lines.filter((l) => l.msg === 'graphql request' && l.correlationId === correlationId).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('continues a W3C traceparent: one trace spans client, gateway, subgraph fetch, remote subgraph and the bus handler', async () => {
    const traceId = crypto.randomBytes(16).toString('hex');
    const clientSpanId = crypto.randomBytes(8).toString('hex');
    const r = await post(
      gw.url,
      { query: INGEST, operationName: 'Ingest', variables: { e: truckEvents(supplierId, traceId) } },
      {
        authorization: `Bearer ${analyst}`,
        traceparent: `00-${traceId}-${clientSpanId}-01`,
      },
    );
    expect(r.body.data.ingestEvents.accepted).toBe(3);
    // Without x-correlation-id the trace id is the correlation id, in both processes' logs and in the bus handler.
    expect(r.headers.get('x-correlation-id')).toBe(traceId);
    expect(gwLogs.lines.find((l) => l.msg === 'graphql request' && l.correlationId === traceId)).toMatchObject({
      traceId,
    });
    expect(dcLogs.lines.find((l) => l.msg === 'graphql request' && l.correlationId === traceId)).toMatchObject({
      traceId,
    });
    expect(await waitFor('the prediction line', () => predictedIn(gwLogs.lines, traceId))).toMatchObject({ traceId });

    const spans = await waitFor('the trace at the collector', async () => {
      await tracing.flush();
      const t = collector.spans.filter((s) => s.traceId === traceId);
      const names = new Set(t.map((s) => s.name));
      return [
        'gateway graphql',
        'data-core graphql',
        'bus event.normalized',
        'ml-engine predict batch',
        'call data-core',
      ].every((n) => names.has(n))
        ? t
        : null;
    });
    const gateway = spans.find((s) => s.name === 'gateway graphql')!;
    expect(gateway).toMatchObject({
      parentSpanId: clientSpanId,
      kind: 2,
      attributes: { 'graphql.operation.name': 'Ingest', 'carbon_nexus.component': 'gateway' },
    });
    const fetchSpan = spans.find((s) => s.name === 'subgraph data-core' && descendsFrom(s, gateway, spans));
    expect(fetchSpan, JSON.stringify(spans.map((s) => [s.name, s.spanId, s.parentSpanId]))).toMatchObject({
      kind: 3,
      attributes: { 'carbon_nexus.subgraph': 'data-core' },
    });
    // The remote subgraph's server span is a child of the gateway's fetch span (traceparent over HTTP).
    const subgraph = spans.find((s) => s.name === 'data-core graphql' && s.parentSpanId === fetchSpan!.spanId);
    expect(subgraph).toMatchObject({ kind: 2, attributes: { 'carbon_nexus.component': 'data-core' } });
    // event.normalized was published inside the subgraph's request; its handler continues the same trace.
    const handler = spans.find((s) => s.name === 'bus event.normalized')!;
    expect(handler.kind).toBe(5);
    expect(spans.some((s) => s.spanId === handler.parentSpanId)).toBe(true);
    // ml-engine's queued prediction work stays in the trace: its span descends from the bus handler, and its read of
    // the events from data-core (a plugin call over HTTP) reaches data-core's server span.
    const predict = spans.find((s) => s.name === 'ml-engine predict batch');
    expect(descendsFrom(predict, handler, spans)).toBe(true);
    const call = spans.find((s) => s.name === 'call data-core' && descendsFrom(s, predict!, spans));
    expect(spans.some((s) => s.name === 'data-core graphql' && s.parentSpanId === call?.spanId)).toBe(true);
  });

  it("a data feed posting to data-core's /ingest/event directly keeps its correlation id and trace", async () => {
    const traceId = crypto.randomBytes(16).toString('hex');
    const clientSpanId = crypto.randomBytes(8).toString('hex');
    const correlationId = `feed-${crypto.randomUUID()}`;
    const res = await fetch(dataCore.url.replace(/\/graphql$/, '/ingest/event'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${analyst}`,
        'x-correlation-id': correlationId,
        traceparent: `00-${traceId}-${clientSpanId}-01`,
      },
      body: JSON.stringify(truckEvents(supplierId, correlationId)),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).accepted).toBe(3);
    expect(
      await waitFor('the prediction line for the feed', () => predictedIn(gwLogs.lines, correlationId)),
    ).toMatchObject({ traceId });
    const spans = await waitFor('the feed trace', async () => {
      await tracing.flush();
      const t = collector.spans.filter((s) => s.traceId === traceId);
      return t.some((s) => s.name === 'ml-engine predict batch') ? t : null;
    });
    const route = spans.find((s) => s.name === 'data-core POST /ingest/event')!;
    expect(route).toMatchObject({ parentSpanId: clientSpanId, kind: 2 });
    expect(
      descendsFrom(
        spans.find((s) => s.name === 'bus event.normalized'),
        route,
        spans,
      ),
    ).toBe(true);
  });

  it('traces in-process subgraphs too: gateway -> fetch -> plugin execute', async () => {
    const r = await post(gw.url, { query: '{ models { name } }' }, { authorization: `Bearer ${analyst}` });
    expect(r.body.errors).toBeUndefined();
    const traceId = r.headers.get('x-correlation-id')!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/); // tracing on, no header: the new trace's id
    const spans = await waitFor('the in-process trace', async () => {
      await tracing.flush();
      const t = collector.spans.filter((s) => s.traceId === traceId);
      return t.some((s) => s.name === 'ml-engine execute') && t.some((s) => s.name === 'gateway graphql') ? t : null;
    });
    const gateway = spans.find((s) => s.name === 'gateway graphql')!;
    expect(gateway.parentSpanId).toBeUndefined();
    const fetchSpan = spans.find((s) => s.name === 'subgraph ml-engine')!;
    expect(
      descendsFrom(fetchSpan, gateway, spans),
      JSON.stringify(spans.map((s) => [s.name, s.spanId, s.parentSpanId])),
    ).toBe(true);
    expect(spans.find((s) => s.name === 'ml-engine execute')!.parentSpanId).toBe(fetchSpan.spanId);
  });
});
