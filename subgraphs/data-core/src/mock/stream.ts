// The mock stream: ensures the mock suppliers exist (GraphQL), optionally back-fills N days of history, then sends
// live events through the real ingestion API (POST /ingest/event batches) with time compressed by --speed and a
// planned hotspot (supplier ×3 from minute --hotspot-at of the run).
import { parseArgs } from 'node:util';
import { signDevToken } from '@carbon-nexus/plugin-sdk';
import { DEFAULT_HOTSPOT_SUPPLIER, MOCK_SUPPLIERS, eventsBetween, type MockOptions } from './generator.ts';

export const STREAM_USAGE = `carbon-nexus stream [options]   (or: npx tsx subgraphs/data-core/src/cli/stream.ts)

Sends realistic, seeded events for ${MOCK_SUPPLIERS.length} mock suppliers (transport, factory, warehouse, delivery) through
the real ingestion API, with daily and weekly seasonality and a planned hotspot.

  --url <url>              platform base URL (gateway or data-core subgraph)   [default: http://127.0.0.1:4000]
  --speed <n>              simulated seconds per real second (60 = one simulated hour per minute)   [default: 60]
  --hotspot-at <minutes>   real minutes into the run when the hotspot starts (negative = never)   [default: 10]
  --hotspot-supplier <id>  external id of the supplier whose emissions triple   [default: ${DEFAULT_HOTSPOT_SUPPLIER}]
  --backfill-days <n>      first send N days of history as fast as possible (baselines need it)   [default: 0]
  --duration <minutes>     stop after this many real minutes (0 = run until Ctrl-C)   [default: 0]
  --plan <minutes>         planned run length: simulated time ends at "now" after this many real minutes [default: 20]
  --seed <n>               random seed (same seed = same events)   [default: 42]
  --batch <n>              events per HTTP request   [default: 500]
  --token <jwt>            bearer token (default: a dev token signed with JWT_SECRET or the dev secret)
  --quiet                  only print the summary
  --help                   this text
`;

export interface StreamOptions {
  url: string;
  speed: number;
  hotspotAt: number;
  hotspotSupplier: string;
  backfillDays: number;
  durationMin: number;
  planMin: number;
  seed: number;
  batch: number;
  token?: string;
  quiet: boolean;
  /** Real milliseconds between ticks (tests shorten it). */
  tickMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export function parseStreamArgs(argv: string[]): StreamOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:4000' },
      speed: { type: 'string', default: '60' },
      'hotspot-at': { type: 'string', default: '10' },
      'hotspot-supplier': { type: 'string', default: DEFAULT_HOTSPOT_SUPPLIER },
      'backfill-days': { type: 'string', default: '0' },
      duration: { type: 'string', default: '0' },
      plan: { type: 'string', default: '20' },
      seed: { type: 'string', default: '42' },
      batch: { type: 'string', default: '500' },
      token: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const num = (name: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number between ${min} and ${max} (got "${v}")`);
    return n;
  };
  if (!MOCK_SUPPLIERS.some((s) => s.externalId === values['hotspot-supplier'])) {
    throw new Error(`--hotspot-supplier must be one of ${MOCK_SUPPLIERS.map((s) => s.externalId).join(', ')}`);
  }
  return {
    url: values.url!.replace(/\/+$/, '').replace(/\/graphql$/, ''),
    speed: num('speed', values.speed!, 1, 86400),
    hotspotAt: num('hotspot-at', values['hotspot-at']!, -1, 1e6),
    hotspotSupplier: values['hotspot-supplier']!,
    backfillDays: num('backfill-days', values['backfill-days']!, 0, 365),
    durationMin: num('duration', values.duration!, 0, 1e6),
    planMin: num('plan', values.plan!, 0.01, 1e6),
    seed: num('seed', values.seed!, 0, 2 ** 31),
    batch: num('batch', values.batch!, 1, 5000),
    token: values.token,
    quiet: values.quiet!,
  };
}

/** Simulated clock: ends at real "now" after `planMin` real minutes, never runs ahead of real time. */
export function simClock(realStart: number, speed: number, planMin: number) {
  const lag = (speed - 1) * planMin * 60_000;
  const simStart = realStart - lag;
  return {
    simStart,
    at: (realNow: number) => Math.min(realNow, simStart + (realNow - realStart) * speed),
  };
}

async function gql(o: StreamOptions, token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${o.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data;
}

export async function ensureSuppliers(o: StreamOptions, token: string) {
  const existing = await gql(o, token, `{ suppliers(first: 500, search: "MOCK-") { nodes { id externalId } } }`);
  const have = new Set<string>(existing.suppliers.nodes.map((n: any) => n.externalId));
  for (const s of MOCK_SUPPLIERS) {
    if (have.has(s.externalId)) continue;
    await gql(o, token, `mutation($input: SupplierInput!) { createSupplier(input: $input) { id } }`, {
      input: {
        externalId: s.externalId,
        name: s.name,
        category: s.category.toUpperCase(),
        country: s.country,
        location: s.location,
        fleetInfo: s.fleetInfo,
        baselineEmissionKgPerHour: s.baselineEmissionKgPerHour,
      },
    });
  }
}

export interface StreamStats {
  sent: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  hotspotFrom: string | null;
  simFrom: string;
  simTo: string;
}

async function send(o: StreamOptions, token: string, events: unknown[], stats: StreamStats) {
  for (let i = 0; i < events.length; i += o.batch) {
    const chunk = events.slice(i, i + o.batch);
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${o.url}/ingest/event`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(chunk),
          signal: o.signal,
        });
        const body = (await res.json()) as any;
        if (res.status >= 500 || res.status === 401 || res.status === 403 || body.accepted === undefined) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
        stats.sent += chunk.length;
        stats.accepted += body.accepted;
        stats.rejected += body.rejected;
        stats.duplicates += body.duplicates;
        if (body.rejected && !o.quiet) {
          const first = body.results.find((r: any) => r.status === 'REJECTED');
          o.log?.(`  ${body.rejected} rejected, e.g. ${JSON.stringify(first?.errors)}`);
        }
        break;
      } catch (err) {
        if (o.signal?.aborted || attempt >= 4) throw err;
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      }
    }
  }
}

export async function runStream(o: StreamOptions): Promise<StreamStats> {
  const log = o.log ?? ((l: string) => console.log(l));
  const token = o.token ?? (await signDevToken({ sub: 'mock-stream', roles: ['admin'], expiresIn: '7d' }));
  await ensureSuppliers(o, token);
  const realStart = Date.now();
  const clock = simClock(realStart, o.speed, o.planMin);
  const hotspotFrom = o.hotspotAt >= 0 ? clock.simStart + o.hotspotAt * 60_000 * o.speed : null;
  const gen: MockOptions = { seed: o.seed, hotspotFrom, hotspotSupplier: o.hotspotSupplier };
  const stats: StreamStats = {
    sent: 0,
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    hotspotFrom: hotspotFrom === null ? null : new Date(hotspotFrom).toISOString(),
    simFrom: new Date(clock.simStart).toISOString(),
    simTo: new Date(clock.simStart).toISOString(),
  };
  if (o.backfillDays > 0) {
    const from = clock.simStart - o.backfillDays * 86_400_000;
    if (!o.quiet) log(`backfill: ${o.backfillDays} days up to ${new Date(clock.simStart).toISOString()}`);
    const day = 86_400_000;
    for (let t = from; t < clock.simStart; t += day) {
      await send(o, token, eventsBetween(t, Math.min(t + day, clock.simStart), gen), stats);
      if (o.signal?.aborted) return stats;
    }
    if (!o.quiet) log(`backfill done: ${stats.accepted} accepted, ${stats.duplicates} duplicates, ${stats.rejected} rejected`);
  }
  if (!o.quiet) {
    log(`live: speed ${o.speed}x from simulated ${stats.simFrom}; hotspot ${hotspotFrom === null ? 'off' : `on ${o.hotspotSupplier} (×3) from ${stats.hotspotFrom} (minute ${o.hotspotAt})`}`);
  }
  let simPrev = clock.simStart;
  const tickMs = o.tickMs ?? 1000;
  const endAt = o.durationMin > 0 ? realStart + o.durationMin * 60_000 : Infinity;
  let announced = false;
  while (!o.signal?.aborted) {
    const now = Date.now();
    const simNow = clock.at(Math.min(now, endAt));
    if (simNow > simPrev) {
      const events = eventsBetween(simPrev, simNow, gen);
      if (events.length) await send(o, token, events, stats);
      if (!announced && hotspotFrom !== null && simNow >= hotspotFrom) {
        announced = true;
        if (!o.quiet) log(`hotspot started: ${o.hotspotSupplier} emissions ×3 from ${stats.hotspotFrom}`);
      }
      simPrev = simNow;
      stats.simTo = new Date(simNow).toISOString();
      if (!o.quiet && events.length) log(`${stats.simTo}  +${events.length} events (total accepted ${stats.accepted})`);
    }
    if (now >= endAt) break;
    await new Promise((r) => setTimeout(r, Math.min(tickMs, Math.max(1, endAt - Date.now()))));
  }
  log(`done: sent ${stats.sent}, accepted ${stats.accepted}, duplicates ${stats.duplicates}, rejected ${stats.rejected}; simulated ${stats.simFrom} .. ${stats.simTo}`);
  return stats;
}

/** Entry for `carbon-nexus stream` and the direct script; returns the exit code. */
export async function streamCli(argv: string[]): Promise<number> {
  let o: StreamOptions | 'help';
  try {
    o = parseStreamArgs(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${STREAM_USAGE}`);
    return 2;
  }
  if (o === 'help') {
    console.log(STREAM_USAGE);
    return 0;
  }
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await runStream({ ...o, signal: ac.signal });
    return 0;
  } catch (err) {
    if (ac.signal.aborted) return 0;
    console.error(`stream failed: ${(err as Error).message}`);
    return 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
