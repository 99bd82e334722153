// OpenTelemetry tracing, opt-in. Setting OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
// turns it on: spans go to an OTLP/HTTP collector and W3C `traceparent` headers carry the trace across
// processes. Off (the default) the SDK is never loaded and `withSpan` is a plain function call.
import {
  context,
  propagation,
  trace,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Link,
  type Tracer,
} from '@opentelemetry/api';

/** What the tracing hooks need to know about the process-wide provider. */
interface ActiveTracing {
  tracer: Tracer;
  refs: number;
  endpoint: string;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let active: ActiveTracing | null = null;
let starting: Promise<ActiveTracing | null> | null = null;

export interface TracingHandle {
  readonly enabled: boolean;
  /** Exports spans still buffered (tests and shutdown). */
  flush(): Promise<void>;
  /** Releases this user; the last one flushes and shuts the provider down. */
  stop(): Promise<void>;
}

const OFF: TracingHandle = Object.freeze({ enabled: false, flush: async () => undefined, stop: async () => undefined });

/** The OTLP/HTTP traces URL from the standard environment variables, or null when tracing is off. */
export function otlpTracesUrl(env: Record<string, string | undefined>): string | null {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return null;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '') + '/v1/traces';
  return null;
}

/** `k1=v1,k2=v2` (OTEL_EXPORTER_OTLP_HEADERS) -> headers; values may be URL-encoded as the spec allows. */
function parseHeaders(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (raw ?? '').split(',')) {
    const i = part.indexOf('=');
    if (i > 0) out[decodeURIComponent(part.slice(0, i).trim())] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/**
 * Starts tracing for this process when the environment asks for it. One provider per process (the gateway and
 * the subgraphs it runs share it); every caller gets a handle and the last `stop()` shuts it down.
 */
export async function startTracing(
  env: Record<string, string | undefined>,
  serviceName: string,
): Promise<TracingHandle> {
  const url = otlpTracesUrl(env);
  if (!url) return OFF;
  if (!active) {
    starting ??= init(url, env, serviceName).finally(() => (starting = null));
    await starting;
  }
  if (!active) return OFF;
  const a = active;
  a.refs++;
  let stopped = false;
  return {
    enabled: true,
    flush: () => a.flush(),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (--a.refs > 0) return a.flush();
      if (active === a) active = null;
      await a.shutdown();
    },
  };
}

async function init(url: string, env: Record<string, string | undefined>, serviceName: string): Promise<ActiveTracing> {
  // Loaded only when tracing is on: a process without OTEL_* never pays for the SDK.
  const [
    { NodeTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { W3CTraceContextPropagator },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/core'),
  ]);
  const ratio = env.OTEL_TRACES_SAMPLER_ARG !== undefined ? Number(env.OTEL_TRACES_SAMPLER_ARG) : 1;
  if (!(ratio >= 0 && ratio <= 1))
    throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a ratio between 0 and 1 (got "${env.OTEL_TRACES_SAMPLER_ARG}")`);
  const exporter = new OTLPTraceExporter({
    url,
    headers: parseHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS),
  });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? serviceName }),
    // Parent-based: a sampled caller (traceparent flag 01) is always continued, so a trace never has holes.
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // Registers the AsyncLocalStorage context manager and the W3C trace-context propagator globally.
  provider.register({ propagator: new W3CTraceContextPropagator() });
  active = {
    tracer: trace.getTracer('carbon-nexus'),
    refs: 0,
    endpoint: url,
    flush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown().catch(() => undefined);
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  return active;
}

export function tracingEnabled(): boolean {
  return active !== null;
}

export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';
const KINDS: Record<SpanKindName, SpanKind> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

export interface SpanOptions {
  kind?: SpanKindName;
  attributes?: Attributes;
  /** Continue the trace in these headers (`traceparent`) instead of the current context; absent -> a new trace. */
  remoteParent?: Record<string, unknown>;
  /** Spans of other traces this work is also for (`currentTraceIds()` taken there), e.g. the requests of one batch. */
  links?: ({ traceId: string; spanId: string } | undefined)[];
}

/**
 * Runs `fn` inside a span (ended when `fn` returns or its promise settles; errors recorded). When tracing is
 * off it is exactly `fn()`.
 */
export function withSpan<T>(name: string, fn: () => T, opts: SpanOptions = {}): T {
  if (!active) return fn();
  const parent = opts.remoteParent ? propagation.extract(ROOT_CONTEXT, opts.remoteParent) : context.active();
  const links: Link[] = (opts.links ?? []).flatMap((l) =>
    l ? [{ context: { traceId: l.traceId, spanId: l.spanId, traceFlags: 1 } }] : [],
  );
  return active.tracer.startActiveSpan(
    name,
    { kind: KINDS[opts.kind ?? 'internal'], attributes: opts.attributes, links },
    parent,
    (span) => {
      const fail = (err: unknown) => {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
        span.end();
      };
      try {
        const r = fn();
        if (r && typeof (r as { then?: unknown }).then === 'function') {
          return (r as unknown as Promise<unknown>).then(
            (v) => {
              span.end();
              return v;
            },
            (err) => {
              fail(err);
              throw err;
            },
          ) as T;
        }
        span.end();
        return r;
      } catch (err) {
        fail(err);
        throw err;
      }
    },
  );
}

const unbound = <T>(fn: () => T): T => fn();

/**
 * Binds later work to the trace context current now: work done on behalf of a caller after it has moved on (a batch
 * sent when another caller's call finished) belongs to that caller's trace, not to whichever one is current then.
 * A plain call when tracing is off.
 */
export function bindTraceContext(): <T>(fn: () => T) => T {
  if (!active) return unbound;
  const saved = context.active();
  return (fn) => context.with(saved, fn);
}

/** Adds attributes to the current span (no-op when tracing is off or no span is active). */
export function setSpanAttributes(attributes: Attributes): void {
  if (active) trace.getActiveSpan()?.setAttributes(attributes);
}

/** Writes `traceparent` (and `tracestate`) for the current span into outgoing headers. */
export function injectTraceHeaders(headers: Record<string, string> | { set(name: string, value: string): void }): void {
  if (!active) return;
  propagation.inject(context.active(), headers, {
    set: (carrier: any, k, v) => (typeof carrier.set === 'function' ? carrier.set(k, v) : (carrier[k] = v)),
  });
}

/** The current span's `traceparent` (for messages that cross processes, e.g. bus envelopes); undefined when off. */
export function currentTraceparent(): string | undefined {
  if (!active) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** Trace and span id of the current span, for log lines; undefined when off or outside a span. */
export function currentTraceIds(): { traceId: string; spanId: string } | undefined {
  if (!active) return undefined;
  const sc = trace.getActiveSpan()?.spanContext();
  return sc && trace.isSpanContextValid(sc) ? { traceId: sc.traceId, spanId: sc.spanId } : undefined;
}

/** The trace id in a W3C `traceparent` header (version 00), if it is well formed. */
export function traceIdOfTraceparent(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  const m = typeof v === 'string' ? /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(v.trim()) : null;
  return m && !/^0+$/.test(m[1]!) ? m[1] : undefined;
}
