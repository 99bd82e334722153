// What the demo shows as it happens: the platform's own pushes — the same graphql-ws subscriptions the dashboard
// uses (hotspotDetected, alertRaised, recommendationCreated) — each printed with the time since the demo started.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export type DemoEvent =
  | {
      kind: 'hotspot';
      at: number;
      change: string;
      id: string;
      severity: string;
      name: string;
      percentAbove: number;
      eventCount: number | null;
      predictedKg: number;
      baselineKg: number;
    }
  | { kind: 'alert'; at: number; id: string; level: string; message: string; hotspotId: string }
  | { kind: 'recommendation'; at: number; id: string; title: string; hotspotId: string; co2ImpactKg: number };

const HOTSPOTS = `subscription { hotspotDetected(minSeverity: INFO) { change hotspot { id entityName entityId severity percentAbove eventCount predictedKg baselineKg } } }`;
const ALERTS = `subscription { alertRaised(minLevel: INFO) { id level message hotspot { id } } }`;
const RECOMMENDATIONS = `subscription { recommendationCreated { id title co2ImpactKg hotspot { id } } }`;

export interface Watch {
  events: DemoEvent[];
  /** Resolves once the socket is connected (the subscriptions are requested on it). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export const elapsed = (since: number, now = Date.now()) => {
  const s = Math.max(0, Math.round((now - since) / 1000));
  return `T+${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

export function describeEvent(e: DemoEvent): string {
  switch (e.kind) {
    case 'hotspot':
      return `hotspot ${e.change.toLowerCase()}: ${e.name} ${e.severity} +${Math.round(e.percentAbove)} % (${Math.round(e.predictedKg)} kg CO2e in the last hour vs ${Math.round(e.baselineKg)} expected, ${e.eventCount ?? '?'} events)`;
    case 'alert':
      return `alert ${e.level}: ${e.message}`;
    case 'recommendation':
      return `recommendation: ${e.title} (≈ ${Math.round(e.co2ImpactKg)} kg CO2e avoidable)`;
  }
}

/** Subscribes like the dashboard does; `onEvent` sees each push as it arrives. */
export function watchPlatform(opts: {
  url: string;
  token: string;
  onEvent?: (e: DemoEvent) => void;
  onError?: (err: unknown) => void;
}): Watch {
  const client: Client = createClient({
    url: opts.url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${opts.token}` },
    retryAttempts: 20,
    shouldRetry: () => true,
  });
  const events: DemoEvent[] = [];
  const push = (e: DemoEvent) => {
    events.push(e);
    opts.onEvent?.(e);
  };
  const offs: (() => void)[] = [];
  // graphql-ws acknowledges the connection (not each subscription): once connected, the subscriptions requested on
  // it are being served.
  let markConnected!: () => void;
  const connected = new Promise<void>((r) => (markConnected = r));
  client.on('connected', () => markConnected());
  const sub = (query: string, map: (data: any) => DemoEvent | null) =>
    offs.push(
      client.subscribe(
        { query },
        {
          next: (r) => {
            if (r.errors?.length) return opts.onError?.(new Error(r.errors.map((x) => x.message).join('; ')));
            const e = map(r.data);
            if (e) push(e);
          },
          error: (err) => opts.onError?.(err),
          complete: () => undefined,
        },
      ),
    );
  sub(HOTSPOTS, (d) => {
    const x = d?.hotspotDetected;
    if (!x) return null;
    const h = x.hotspot;
    return {
      kind: 'hotspot',
      at: Date.now(),
      change: x.change,
      id: h.id,
      severity: h.severity,
      name: h.entityName ?? h.entityId,
      percentAbove: h.percentAbove,
      eventCount: h.eventCount,
      predictedKg: h.predictedKg,
      baselineKg: h.baselineKg,
    };
  });
  sub(ALERTS, (d) => {
    const a = d?.alertRaised;
    return a
      ? { kind: 'alert', at: Date.now(), id: a.id, level: a.level, message: a.message, hotspotId: a.hotspot.id }
      : null;
  });
  sub(RECOMMENDATIONS, (d) => {
    const r = d?.recommendationCreated;
    return r
      ? {
          kind: 'recommendation',
          at: Date.now(),
          id: r.id,
          title: r.title,
          hotspotId: r.hotspot?.id ?? '',
          co2ImpactKg: r.co2ImpactKg,
        }
      : null;
  });
  return {
    events,
    ready: connected,
    async close() {
      for (const off of offs) off();
      await client.dispose();
    },
  };
}
