// The mock stream: ensures the mock suppliers exist (GraphQL), back-fills N days of history, then sends live events
// through the real ingestion API (POST /ingest/event batches). The simulated clock ends at real time: it starts
// `speed × catch-up` minutes behind, runs `speed` times faster than real time until it meets the real clock at
// minute `catch-up`, then runs in real time. A planned spike (what suppliers report changes: detours, heavier loads,
// more trips, higher meter readings) is placed so that it fills the detection window exactly at minute `hotspot-at`.
import { parseArgs } from 'node:util';
import { signDevToken } from '@carbon-nexus/plugin-sdk';
import {
  DEFAULT_HOTSPOT_SUPPLIER,
  MOCK_SUPPLIERS,
  SPIKE_KINDS,
  eventsBetween,
  spikeKindsFor,
  type MockOptions,
  type PlannedSpike,
  type SpikeKind,
} from './generator.ts';

export const STREAM_USAGE = `carbon-nexus stream [options]   (or: npx tsx subgraphs/data-core/src/cli/stream.ts)

Sends realistic, seeded events for ${MOCK_SUPPLIERS.length} mock suppliers (trucks with and without fuel records, an electric
fleet, factories and warehouses with meter readings, delivery vans) through the real ingestion API, with daily and
weekly seasonality and a planned hotspot.

Timing: the simulated clock starts behind real time, runs --speed times faster, and meets real time at minute
--catch-up; from then on it is real time. The planned spike starts early enough to fill the last --window-minutes
of simulated time at minute --hotspot-at, which is when a detector with that window sees it whole.

  --url <url>                platform base URL (gateway or data-core subgraph)   [default: http://127.0.0.1:4000]
  --speed <n>                simulated seconds per real second before catch-up   [default: 12]
  --hotspot-at <minutes>     real minute at which the spike fills the detection window (--hotspot-at=-1: no spike)   [default: 10]
  --catch-up <minutes>       real minute at which the simulated clock meets real time   [default: --hotspot-at, or 0]
  --window-minutes <n>       detection window the spike must fill (HOTSPOT_WINDOW_MINUTES)   [default: 60]
  --hotspot-supplier <id>    external id of the supplier with the spike   [default: ${DEFAULT_HOTSPOT_SUPPLIER}]
  --hotspot-kind <kind>      ${SPIKE_KINDS.join(' | ')}   [default: distance for trucks and vans, energy for sites]
  --hotspot-factor <n>       spike multiplier on the changed activity   [default: 3]
  --hotspot-hours <n>        simulated hours the spike lasts   [default: 2]
  --backfill-days <n>        first send N days of history as fast as possible (baselines need it)   [default: 0]
  --recalculate-baselines    after the backfill, ask the platform to recompute baselines now (gateway only)
  --duration <minutes>       stop after this many real minutes (0 = run until Ctrl-C)   [default: 0]
  --seed <n>                 random seed (same seed = same events)   [default: 42]
  --batch <n>                events per HTTP request   [default: 500]
  --token <jwt>              bearer token (default: a dev token signed with JWT_SECRET or the dev secret)
  --quiet                    only print the summary
  --help                     this text
`;

export interface StreamOptions {
  url: string;
  speed: number;
  /** Real minutes into the run at which the spike fills the detection window; < 0: no spike. */
  hotspotAt: number;
  /** Real minutes into the run at which the simulated clock meets real time. */
  catchUp: number;
  windowMinutes: number;
  hotspotSupplier: string;
  hotspotKind: SpikeKind;
  hotspotFactor: number;
  hotspotHours: number;
  /** More planned spikes at fixed simulated times (evaluations). */
  spikes?: PlannedSpike[];
  /** Only these mock suppliers (external ids); default all. */
  suppliers?: string[];
  backfillDays: number;
  recalculateBaselines: boolean;
  durationMin: number;
  seed: number;
  batch: number;
  token?: string;
  quiet: boolean;
  /** Real milliseconds between ticks (tests shorten it). */
  tickMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export function defaultKind(supplierExternalId: string): SpikeKind {
  const s = MOCK_SUPPLIERS.find((x) => x.externalId === supplierExternalId);
  return spikeKindsFor(s?.category ?? 'transport')[0];
}

export function parseStreamArgs(argv: string[]): StreamOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:4000' },
      speed: { type: 'string', default: '12' },
      'hotspot-at': { type: 'string', default: '10' },
      'catch-up': { type: 'string' },
      'window-minutes': { type: 'string', default: '60' },
      'hotspot-supplier': { type: 'string', default: DEFAULT_HOTSPOT_SUPPLIER },
      'hotspot-kind': { type: 'string' },
      'hotspot-factor': { type: 'string', default: '3' },
      'hotspot-hours': { type: 'string', default: '2' },
      'backfill-days': { type: 'string', default: '0' },
      'recalculate-baselines': { type: 'boolean', default: false },
      duration: { type: 'string', default: '0' },
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
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max)
      throw new Error(`--${name} must be a number between ${min} and ${max} (got "${v}")`);
    return n;
  };
  const supplier = MOCK_SUPPLIERS.find((s) => s.externalId === values['hotspot-supplier']);
  if (!supplier)
    throw new Error(`--hotspot-supplier must be one of ${MOCK_SUPPLIERS.map((s) => s.externalId).join(', ')}`);
  const kinds = spikeKindsFor(supplier.category);
  const kind = (values['hotspot-kind'] ?? kinds[0]) as SpikeKind;
  if (!kinds.includes(kind))
    throw new Error(
      `--hotspot-kind for ${supplier.externalId} (${supplier.category}) must be one of ${kinds.join(', ')} (got "${values['hotspot-kind']}")`,
    );
  const hotspotAt = num('hotspot-at', values['hotspot-at']!, -1, 1e6);
  return {
    url: values.url!.replace(/\/+$/, '').replace(/\/graphql$/, ''),
    speed: num('speed', values.speed!, 1, 86400),
    hotspotAt,
    catchUp: values['catch-up'] !== undefined ? num('catch-up', values['catch-up'], 0, 1e6) : Math.max(0, hotspotAt),
    windowMinutes: num('window-minutes', values['window-minutes']!, 1, 10080),
    hotspotSupplier: supplier.externalId,
    hotspotKind: kind,
    hotspotFactor: num('hotspot-factor', values['hotspot-factor']!, 1.01, 100),
    hotspotHours: num('hotspot-hours', values['hotspot-hours']!, 0.1, 24 * 30),
    backfillDays: num('backfill-days', values['backfill-days']!, 0, 365),
    recalculateBaselines: values['recalculate-baselines']!,
    durationMin: num('duration', values.duration!, 0, 1e6),
    seed: num('seed', values.seed!, 0, 2 ** 31),
    batch: num('batch', values.batch!, 1, 5000),
    token: values.token,
    quiet: values.quiet!,
  };
}

/** Simulated clock: `speed` times faster than real time until it meets real time `catchUpMin` minutes in, then real time. */
export function simClock(realStart: number, speed: number, catchUpMin: number) {
  const meet = realStart + catchUpMin * 60_000;
  return {
    simStart: meet - speed * (meet - realStart),
    meet,
    at: (realNow: number) => (realNow >= meet ? realNow : meet - speed * (meet - realNow)),
    /** The real instant at which the simulated clock shows `sim`. */
    realAt: (sim: number) => (sim >= meet ? sim : meet - (meet - sim) / speed),
  };
}

/** The planned spike of a run: it fills the last `windowMinutes` of simulated time at real minute `hotspotAt`. */
export function plannedSpike(
  o: Pick<
    StreamOptions,
    'hotspotAt' | 'windowMinutes' | 'hotspotSupplier' | 'hotspotKind' | 'hotspotFactor' | 'hotspotHours'
  >,
  clock: ReturnType<typeof simClock>,
  realStart: number,
): PlannedSpike | null {
  if (o.hotspotAt < 0) return null;
  const from = clock.at(realStart + o.hotspotAt * 60_000) - o.windowMinutes * 60_000;
  // steadyRate: the planned scenario fires at any hour of the day, not only when trips happen to be frequent.
  const to = from + o.hotspotHours * 3_600_000;
  return { supplier: o.hotspotSupplier, kind: o.hotspotKind, factor: o.hotspotFactor, from, to, steadyRate: true };
}

async function gql<T>(
  o: StreamOptions,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const res = await fetch(`${o.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: o.signal,
  });
  const text = await res.text();
  let body: { data?: T; errors?: { message: string }[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status} from ${o.url}/graphql: ${text.slice(0, 200)}`);
  }
  if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join('; ')}`);
  if (!body.data) throw new Error(`HTTP ${res.status} from ${o.url}/graphql without data: ${text.slice(0, 200)}`);
  return body.data;
}

const mockSuppliers = (o: Pick<StreamOptions, 'suppliers'>) =>
  MOCK_SUPPLIERS.filter((s) => !o.suppliers || o.suppliers.includes(s.externalId));

export async function ensureSuppliers(o: StreamOptions, token: string) {
  const existing = await gql<{ suppliers: { nodes: { id: string; externalId: string | null }[] } }>(
    o,
    token,
    `{ suppliers(first: 500, search: "MOCK-") { nodes { id externalId } } }`,
  );
  const have = new Set(existing.suppliers.nodes.map((n) => n.externalId));
  for (const s of mockSuppliers(o)) {
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
  spike: (Omit<PlannedSpike, 'from' | 'to'> & { from: string; to: string; realStart: string; due: string }) | null;
  simFrom: string;
  simTo: string;
  /** Real instant at which the simulated clock meets real time. */
  catchUp: string;
}

/** What POST /ingest/event answers (the fields read here). */
interface IngestAnswer {
  accepted: number;
  rejected: number;
  duplicates: number;
  results: { status: string; errors?: { field: string; reason: string }[] }[];
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
        const body = (await res.json()) as Partial<IngestAnswer>;
        if (res.status >= 500 || res.status === 401 || res.status === 403 || body.accepted === undefined)
          throw new Error(`HTTP ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
        const answer = body as IngestAnswer;
        stats.sent += chunk.length;
        stats.accepted += answer.accepted;
        stats.rejected += answer.rejected;
        stats.duplicates += answer.duplicates;
        if (answer.rejected && !o.quiet) {
          const first = answer.results.find((r) => r.status === 'REJECTED');
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

const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16) + ' UTC';

export async function runStream(o: StreamOptions): Promise<StreamStats> {
  const say = o.log ?? ((l: string) => console.log(l));
  const realStart = Date.now();
  const stamp = (now = Date.now()) => {
    const s = Math.max(0, Math.round((now - realStart) / 1000));
    return `T+${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  const log = (line: string) => !o.quiet && say(`[stream ${stamp()}] ${line}`);
  const token = o.token ?? (await signDevToken({ sub: 'mock-stream', roles: ['admin'], expiresIn: '7d' }));
  await ensureSuppliers(o, token);
  const clock = simClock(realStart, o.speed, o.catchUp);
  const spike = plannedSpike(o, clock, realStart);
  const gen: MockOptions = { seed: o.seed, spikes: [...(spike ? [spike] : []), ...(o.spikes ?? [])] };
  const who = mockSuppliers(o);
  const stats: StreamStats = {
    sent: 0,
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    spike: spike && {
      ...spike,
      from: new Date(spike.from).toISOString(),
      to: new Date(spike.to).toISOString(),
      realStart: new Date(clock.realAt(spike.from)).toISOString(),
      due: new Date(realStart + o.hotspotAt * 60_000).toISOString(),
    },
    simFrom: new Date(clock.simStart).toISOString(),
    simTo: new Date(clock.simStart).toISOString(),
    catchUp: new Date(clock.meet).toISOString(),
  };
  const minuteOf = (real: number) => ((real - realStart) / 60_000).toFixed(1);
  log(
    `simulated clock starts at ${hhmm(clock.simStart)}, runs ${o.speed}× and meets real time at minute ${o.catchUp} (${hhmm(clock.meet)})` +
      (spike
        ? `; planned spike on ${o.hotspotSupplier} (${o.hotspotKind} ×${o.hotspotFactor}) from simulated ${hhmm(spike.from)} for ${o.hotspotHours} h: ` +
          `it begins at minute ${minuteOf(clock.realAt(spike.from))} and fills a ${o.windowMinutes}-min window at minute ${o.hotspotAt}`
        : '; no planned spike'),
  );
  if (o.backfillDays > 0) {
    const from = clock.simStart - o.backfillDays * 86_400_000;
    log(
      `backfill: ${o.backfillDays} days of history, ${hhmm(from)} ${new Date(from).toISOString().slice(0, 10)} .. ${hhmm(clock.simStart)}`,
    );
    const day = 86_400_000;
    for (let t = from; t < clock.simStart; t += day) {
      await send(o, token, eventsBetween(t, Math.min(t + day, clock.simStart), gen, who), stats);
      if (o.signal?.aborted) return stats;
    }
    log(`backfill done: ${stats.accepted} accepted, ${stats.duplicates} duplicates, ${stats.rejected} rejected`);
    if (o.recalculateBaselines) {
      try {
        const d = await gql<{ recalculateBaselines: { entityType: string; entities: number }[] }>(
          o,
          token,
          `mutation { recalculateBaselines { entityType entities } }`,
        );
        log(
          `baselines recalculated: ${d.recalculateBaselines.map((r) => `${r.entities} ${r.entityType} entities`).join(', ')}`,
        );
      } catch (err) {
        log(`baselines not recalculated (${(err as Error).message}); the platform's schedule will do it`);
      }
    }
    if (spike && clock.realAt(spike.from) < Date.now())
      log(`note: the backfill took longer than planned; the spike is already under way`);
  }
  log(`live from simulated ${hhmm(clock.simStart)}`);
  let simPrev = clock.simStart;
  const tickMs = o.tickMs ?? 1000;
  const endAt = o.durationMin > 0 ? realStart + o.durationMin * 60_000 : Infinity;
  let spikeAnnounced = false;
  let caughtUp = false;
  let lastReport = 0;
  let sinceReport = 0;
  while (!o.signal?.aborted) {
    const now = Date.now();
    const simNow = clock.at(Math.min(now, endAt));
    if (simNow > simPrev) {
      const events = eventsBetween(simPrev, simNow, gen, who);
      if (events.length) await send(o, token, events, stats);
      sinceReport += events.length;
      simPrev = simNow;
      stats.simTo = new Date(simNow).toISOString();
      if (spike && !spikeAnnounced && simNow >= spike.from) {
        spikeAnnounced = true;
        log(
          `spike begins: ${o.hotspotSupplier} ${o.hotspotKind} ×${o.hotspotFactor} (simulated ${hhmm(spike.from)}); it fills the detection window at minute ${o.hotspotAt}`,
        );
      }
      if (!caughtUp && simNow >= clock.meet) {
        caughtUp = true;
        log(`simulated clock meets real time (${hhmm(simNow)}): live in real time from now on`);
      }
      if (now - lastReport >= 30_000) {
        log(`simulated ${hhmm(simNow)}  +${sinceReport} events (total accepted ${stats.accepted})`);
        lastReport = now;
        sinceReport = 0;
      }
    }
    if (now >= endAt) break;
    await new Promise((r) => setTimeout(r, Math.min(tickMs, Math.max(1, endAt - Date.now()))));
  }
  say(
    `[stream ${stamp()}] done: sent ${stats.sent}, accepted ${stats.accepted}, duplicates ${stats.duplicates}, rejected ${stats.rejected}; simulated ${stats.simFrom} .. ${stats.simTo}`,
  );
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
