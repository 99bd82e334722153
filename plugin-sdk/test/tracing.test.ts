// OpenTelemetry tracing: off by default (plain calls, nothing injected), and when OTEL_EXPORTER_OTLP_ENDPOINT is
// set, spans reach a real OTLP/HTTP collector with parent/child links across a remote plugin call (traceparent over
// HTTP), the bus and jobs; log lines carry the trace id.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Writable } from 'node:stream';
import {
  acceptCorrelationId,
  correlationIdOf,
  createCallRegistry,
  createLogger,
  createMetrics,
  createScheduler,
  currentScope,
  currentTraceIds,
  currentTraceparent,
  definePlugin,
  gql,
  injectTraceHeaders,
  pluginOperation,
  createBus,
  otlpTracesUrl,
  runInScope,
  startSubgraph,
  startTracing,
  topicsOf,
  tracingEnabled,
  withSpan,
  type SubgraphServer,
  type TracingHandle,
} from '@carbon-nexus/plugin-sdk';
import { defineLoader } from '@carbon-nexus/plugin-sdk/kit';
import { createTestDatabase, startOtlpCollector, waitFor, type OtlpCollector } from '@carbon-nexus/plugin-sdk/testkit';
import { alertRaised } from './topics.ts';

// A topic only this test uses, so shared Redis/PostgreSQL buses deliver it to nobody else.
const traced = topicsOf('sdk-test')<{ marker: string }>('test.traced');

const transports: { name: string; url?: string }[] = [{ name: 'memory' }];
if (process.env.REDIS_URL) transports.push({ name: 'redis', url: process.env.REDIS_URL });
if (process.env.DATABASE_URL) transports.push({ name: 'postgres', url: process.env.DATABASE_URL });

function captureLogs() {
  const lines: Record<string, any>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, logger: createLogger({ name: 'test', level: 'debug', destination }) };
}

/** A remote plugin answering with the trace and correlation id it sees. */
const echo = definePlugin({
  id: 'echo',
  typeDefs: gql`
    type Query {
      seen: String!
    }
  `,
  resolvers: { Query: { seen: () => `${currentScope()?.correlationId}|${currentTraceIds()?.traceId ?? 'none'}` } },
});

describe('tracing off (no OTEL_* variables)', () => {
  it('loads no SDK: withSpan is a plain call and no header or log field is added', async () => {
    expect(otlpTracesUrl({})).toBeNull();
    const handle = await startTracing({}, 'off');
    expect(handle.enabled).toBe(false);
    expect(tracingEnabled()).toBe(false);
    const value = { n: 1 };
    expect(withSpan('sync', () => value)).toBe(value);
    await expect(withSpan('async', async () => 42)).resolves.toBe(42);
    await expect(withSpan('fails', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const headers: Record<string, string> = {};
    injectTraceHeaders(headers);
    expect(headers).toEqual({});
    expect(currentTraceparent()).toBeUndefined();
    const { lines, logger } = captureLogs();
    runInScope({ correlationId: 'corr-off' }, () => withSpan('x', () => logger.info('hello')));
    expect(lines[0]).toMatchObject({ correlationId: 'corr-off', msg: 'hello' });
    expect(lines[0]).not.toHaveProperty('traceId');
  });

  it('reads the standard endpoint variables and the kill switches', () => {
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' })).toBe('http://c:4318/v1/traces');
    expect(
      otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t/x' }),
    ).toBe('http://t/x');
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toBeNull();
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeNull();
  });

  it('takes the correlation id from a plain x-correlation-id, else from a W3C traceparent', () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(correlationIdOf({ headers: { 'x-correlation-id': 'c-1', traceparent: tp } })).toBe('c-1');
    expect(correlationIdOf({ headers: { traceparent: tp } })).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    // A client id that is too long or not plain text is replaced, not logged.
    expect(correlationIdOf({ headers: { 'x-correlation-id': 'x'.repeat(129), traceparent: tp } })).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
    expect(correlationIdOf({ headers: { 'x-correlation-id': 'a b\n{"level":60}' } })).toMatch(/^[0-9a-f-]{36}$/);
    // The same rule for ids given in graphql-ws connectionParams.
    expect(acceptCorrelationId('sub-1')).toBe('sub-1');
    expect(acceptCorrelationId({ toString: () => 'x' })).toBeUndefined();
    expect(acceptCorrelationId('')).toBeUndefined();
    // An all-zero trace id is invalid per W3C: a fresh id instead.
    expect(
      correlationIdOf({ headers: { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' } }),
    ).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('tracing on (OTEL_EXPORTER_OTLP_ENDPOINT -> a real OTLP/HTTP collector)', () => {
  let collector: OtlpCollector;
  let tracing: TracingHandle;
  let remote: SubgraphServer;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url };
    await expect(startTracing({ ...env, OTEL_TRACES_SAMPLER_ARG: '2' }, 'bad')).rejects.toThrow(
      /OTEL_TRACES_SAMPLER_ARG/,
    );
    tracing = await startTracing(env, 'sdk-test');
    db = await createTestDatabase();
    remote = await startSubgraph(echo, { db, migrate: false, env });
  });
  afterAll(async () => {
    await remote?.close();
    await tracing?.stop();
    await db?.close();
    await collector?.close();
  });

  it('links a plugin call over HTTP (traceparent) to the remote subgraph span, and logs carry the trace id', async () => {
    expect(tracing.enabled).toBe(true);
    const calls = createCallRegistry();
    calls.registerRemote('echo', remote.url);
    const { lines, logger } = captureLogs();
    let traceId = '';
    const seen = await runInScope({ correlationId: 'corr-call' }, () =>
      withSpan('caller operation', async () => {
        traceId = currentTraceIds()!.traceId;
        logger.info('calling echo');
        const Seen = pluginOperation<{ seen: string }>('echo', '{ seen }');
        return (await calls.caller('test', { requires: ['echo'], uses: {} })(Seen)).seen;
      }),
    );
    // The remote resolver ran in the caller's correlation id and in the caller's trace.
    expect(seen).toBe(`corr-call|${traceId}`);
    expect(lines[0]).toMatchObject({ correlationId: 'corr-call', traceId, msg: 'calling echo' });
    await tracing.flush();
    const spans = await waitFor('the call trace at the collector', () => {
      const t = collector.spans.filter((s) => s.traceId === traceId);
      return t.length >= 3 ? t : null;
    });
    const root = spans.find((s) => s.name === 'caller operation')!;
    const call = spans.find((s) => s.name === 'call echo')!;
    const server = spans.find((s) => s.name === 'echo graphql')!;
    expect(root.parentSpanId).toBeUndefined();
    expect(call).toMatchObject({ parentSpanId: root.spanId, kind: 3, attributes: { 'carbon_nexus.callee': 'echo' } });
    expect(server).toMatchObject({
      parentSpanId: call.spanId,
      kind: 2,
      attributes: { 'carbon_nexus.component': 'echo' },
    });
    expect(root.service).toBe('sdk-test');
    expect(collector.requests.every((r) => r.contentType.startsWith('application/json'))).toBe(true);
  });

  // Memory: one process. Redis / PostgreSQL: two bus instances stand for two processes (the envelope crosses as JSON).
  it.each(transports)('continues the publisher trace in bus handlers over $name', async ({ name, url }) => {
    const publisherBus = await createBus({ url });
    const subscriberBus = url ? await createBus({ url }) : publisherBus;
    const marker = `${name}-${Math.random()}`;
    const handled = new Promise<{ traceId?: string; correlationId?: string }>((resolve) =>
      subscriberBus.subscribe(traced, (p) => {
        if (p.marker === marker)
          resolve({ traceId: currentTraceIds()?.traceId, correlationId: currentScope()?.correlationId });
      }),
    );
    let traceId = '';
    await runInScope({ correlationId: `corr-bus-${name}` }, () =>
      withSpan('publisher', async () => {
        traceId = currentTraceIds()!.traceId;
        expect(currentTraceparent()).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
        await publisherBus.publish(traced, { marker });
      }),
    );
    expect(await handled).toEqual({ traceId, correlationId: `corr-bus-${name}` });
    const spans = await waitFor('the bus trace at the collector', async () => {
      await tracing.flush();
      const t = collector.spans.filter((s) => s.traceId === traceId);
      return t.length >= 2 ? t : null;
    });
    const publisher = spans.find((s) => s.name === 'publisher')!;
    expect(spans.find((s) => s.name === 'bus test.traced')).toMatchObject({
      parentSpanId: publisher.spanId,
      kind: 5,
      attributes: { 'messaging.destination.name': 'test.traced' },
    });
    await publisherBus.close();
    if (subscriberBus !== publisherBus) await subscriberBus.close();
  });

  it('records a failed span with error status', async () => {
    await expect(withSpan('failing step', async () => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
    expect(() =>
      withSpan('failing sync step', () => {
        throw new Error('sync nope');
      }),
    ).toThrow('sync nope');
    const failed = await waitFor('the failed spans', async () => {
      await tracing.flush();
      const f = collector.spans.filter((s) => s.name === 'failing step' || s.name === 'failing sync step');
      return f.length === 2 ? f : null;
    });
    expect(failed.map((s) => s.status)).toEqual([2, 2]);
  });

  it("keeps the trace across the outbox: the relayed event is handled in the writer's trace", async () => {
    const host = remote.host; // the subgraph's host runs an outbox relay on its bus
    const handled = new Promise<string | undefined>((resolve) => {
      const off = host.bus.subscribe(alertRaised, (p) => {
        if (p.id !== 'traced-alert') return;
        off();
        resolve(currentTraceIds()?.traceId);
      });
    });
    let traceId = '';
    await withSpan('writer', async () => {
      traceId = currentTraceIds()!.traceId;
      await host.db.transaction((tx) =>
        host.outbox.enqueue(tx, alertRaised, {
          id: 'traced-alert',
          seq: '1',
          hotspotId: 'h1',
          level: 'critical',
          supplierId: null,
        }),
      );
    });
    host.outbox.kick();
    expect(await handled).toBe(traceId);
  });

  it("runs a coalesced batch in its first request's trace and scope, linking the others' (not the trace of the call before)", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const seen: { keys: string[]; correlationId?: string; traceId?: string }[] = [];
    const loader = defineLoader(async (keys: string[]) => {
      seen.push({ keys, correlationId: currentScope()?.correlationId, traceId: currentTraceIds()?.traceId });
      await withSpan('read rows', async () => (keys.includes('a') ? held : undefined));
      return new Map(keys.map((k) => [k, k.toUpperCase()]));
    });
    const services = {}; // one plugin instance
    const request = (id: string) => {
      let traceId = '';
      let spanId = '';
      const answer = runInScope({ correlationId: `corr-${id}`, auth: null }, () =>
        withSpan(`request ${id}`, async () => {
          ({ traceId, spanId } = currentTraceIds()!);
          return loader.load({ services, auth: null }, id);
        }),
      );
      return { answer, ids: () => ({ traceId, spanId }) };
    };
    const a = request('a'); // its call runs (held) ...
    await waitFor('the first call running', () => seen.length === 1, 5_000);
    const b = request('b'); // ... while b's and c's batches wait for it, then go out as one
    const c = request('c');
    await new Promise((r) => setTimeout(r, 20));
    release();
    expect(await Promise.all([a.answer, b.answer, c.answer])).toEqual(['A', 'B', 'C']);
    expect(seen.map((s) => s.keys)).toEqual([['a'], ['b', 'c']]);
    // The merged call ran as b (scope and trace), not in a's trace although a's call ending sent it.
    expect(seen[1]).toEqual({ keys: ['b', 'c'], correlationId: 'corr-b', traceId: b.ids().traceId });
    await tracing.flush();
    const merged = await waitFor('the coalesced batch span', () =>
      collector.spans.find((s) => s.name === 'loader coalesced batch' && s.traceId === b.ids().traceId),
    );
    expect(merged).toMatchObject({
      parentSpanId: b.ids().spanId,
      attributes: { 'carbon_nexus.loader.requests': 2, 'carbon_nexus.loader.keys': 2 },
      links: [c.ids()],
    });
    const reads = collector.spans.filter((s) => s.name === 'read rows');
    expect(reads.find((s) => s.parentSpanId === merged.spanId)?.traceId).toBe(b.ids().traceId);
    expect(reads.filter((s) => s.traceId === a.ids().traceId)).toHaveLength(1); // a's own read only
  });

  it('gives each scheduled job run its own span', async () => {
    const scheduler = createScheduler({
      db,
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      enabled: false,
    });
    let inJob: string | undefined;
    scheduler.add('tidy', '0 * * * *', async () => {
      inJob = currentTraceIds()?.traceId;
    });
    expect((await scheduler.runNow('tidy')).ran).toBe(true);
    expect(inJob).toMatch(/^[0-9a-f]{32}$/);
    await tracing.flush();
    const span = await waitFor('the job span', () =>
      collector.spans.find((s) => s.traceId === inJob && s.name === 'job tidy'),
    );
    expect(span.attributes).toMatchObject({ 'carbon_nexus.job': 'tidy' });
    await scheduler.stop();
  });
});
