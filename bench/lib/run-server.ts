// Child-process entry for benchmarks: `run-server.ts <kind>` prints `READY {"url": …}` when serving.
//   ours-embedded   our gateway with every plugin in-process (PGlite, or PostgreSQL with BENCH_DATABASE=postgres)
//   subgraphs       every plugin as its own HTTP subgraph (one database shared in this process, as above)
//   apollo-plain    plain @apollo/gateway + @apollo/server over SUBGRAPH_URLS (JSON env)
//   ours-remote     our gateway (startGateway) over SUBGRAPH_URLS with SUPERGRAPH_SDL: the distributed topology
//   hive            @graphql-hive/gateway (its runtime, served by node:http) over SUBGRAPH_URLS with SUPERGRAPH_SDL
//   memory-subgraphs  data-core, orchestration and ml-engine shapes as plain @apollo/subgraph schemas over fixed
//                   in-memory data (memory-subgraphs.ts): no database, so a gateway's own work dominates
// Each kind imports only what it runs (dynamic imports), so a process's memory is its gateway's, not every
// gateway's and plugin's code loaded alike.
import http from 'node:http';
import fs from 'node:fs';
import type { Database } from '@carbon-nexus/db';

const kind = process.argv[2];
const platformPlugins = async () => (await (await import('@carbon-nexus/plugin-sdk')).loadPlatformConfig()).plugins;
/** Subgraph requests served by this process (memory-subgraphs only), reported with the CPU time. */
let servedRequests: () => number = () => 0;
const ready = (info: Record<string, unknown>) => {
  void startProfile().then(() => console.log(`READY ${JSON.stringify(info)}`));
};
// BENCH_CPU_PROFILE=file: a CPU profile of this server from READY to stop (start-up, migrations and seeding excluded);
// BENCH_HEAP_PROFILE=file: a sampling allocation profile over the same span.
async function startProfile() {
  const heapFile = process.env.BENCH_HEAP_PROFILE;
  if (heapFile) {
    // Sampling allocation profile (what allocates, not what stays): where garbage-collection time comes from.
    const { Session } = await import('node:inspector/promises');
    const session = new Session();
    session.connect();
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 16384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    stops.push(async () => {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      (await import('node:fs')).writeFileSync(heapFile, JSON.stringify(profile));
    });
  }
  const file = process.env.BENCH_CPU_PROFILE;
  if (!file) return;
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  stops.push(async () => {
    const { profile } = await session.post('Profiler.stop');
    (await import('node:fs')).writeFileSync(file, JSON.stringify(profile));
  }); // stops run in reverse: pushed last, this one runs first
}
const stops: (() => Promise<unknown>)[] = [];
let stopping: Promise<never> | null = null;
function shutdown(): Promise<never> {
  stopping ??= (async () => {
    // Bounded: a server that does not drain in 15 s is not worth waiting for.
    setTimeout(() => process.exit(1), 15_000).unref();
    // Each step bounded too, so the last one (closing, and for PostgreSQL dropping, the fixture database) always runs
    // even when a server's close waits on a client that never hangs up.
    for (const s of stops.reverse())
      await Promise.race([s().catch(() => undefined), new Promise((r) => setTimeout(r, 4000).unref())]);
    process.exit(0);
  })();
  return stopping;
}
process.on('SIGTERM', () => void shutdown());
// SIGUSR2: print this process's CPU time so far (user + system, ms), its resident memory now and at its peak (MB)
// and the subgraph requests it served; the benchmark takes it before and after its measured window, which gives CPU
// per request (a figure that other load on the machine hardly changes) and subgraph requests per operation.
// Event-loop delay since the previous stats request (what a request waiting for this thread waits on top of its own
// work): a synchronous stretch of work — PGlite's wasm, a big JSON — shows up here, not in CPU time.
// The histogram records the timer's whole interval: the resolution is subtracted.
const loopDelay = (await import('node:perf_hooks')).monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const lateMs = (ns: number) => Math.max(0, ns / 1e6 - 5);
// How busy this thread's event loop and (embedded PGlite) the database thread were since the previous stats request.
const { performance: perf } = await import('node:perf_hooks');
let elu = perf.eventLoopUtilization();
let dbThread: (() => import('node:perf_hooks').EventLoopUtilization) | undefined;
let dbElu: import('node:perf_hooks').EventLoopUtilization | undefined;
process.on('SIGUSR2', () => {
  if (process.env.BENCH_HEAP_SNAPSHOT)
    void import('node:v8').then((v8) => v8.writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT));
  const u = process.cpuUsage();
  const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  const rssMb = process.memoryUsage.rss() / 2 ** 20;
  const m = process.memoryUsage();
  const stats = {
    cpuMs: (u.user + u.system) / 1000,
    rssMb,
    peakRssMb: hwm ? Number(hwm[1]) / 1024 : rssMb,
    heapTotalMb: m.heapTotal / 2 ** 20,
    heapUsedMb: m.heapUsed / 2 ** 20,
    externalMb: m.external / 2 ** 20,
    requests: servedRequests(),
    loopDelayMs: {
      p50: lateMs(loopDelay.percentile(50)),
      p99: lateMs(loopDelay.percentile(99)),
      max: lateMs(loopDelay.max),
    },
    mainThreadBusy: perf.eventLoopUtilization(elu).utilization,
    databaseThreadBusy: dbThread && dbElu ? perf.eventLoopUtilization(dbThread(), dbElu).utilization : null,
  };
  elu = perf.eventLoopUtilization();
  dbElu = dbThread?.();
  loopDelay.reset();
  console.log(`STATS ${JSON.stringify(stats)}`);
});
// Never outlive the benchmark: when the process that started this one goes away (killed by a time bound),
// this one is re-parented; stop then instead of serving forever.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown();
}, 1000).unref();

/** The fixture database: PGlite in this process (default), or a fresh PostgreSQL database (BENCH_DATABASE=postgres,
 * needs DATABASE_URL; dropped on stop) so the subgraphs' SQL runs outside the measured processes. */
async function fixtureDb(): Promise<Database> {
  const { createDatabase, createTestDatabase } = await import('@carbon-nexus/db');
  const { seedFixture } = await import('./fixture.ts');
  // On PostgreSQL with the product's pool (DATABASE_POOL_SIZE, default 10), not the test suites' smaller one.
  const { poolSizeFromEnv } = await import('@carbon-nexus/db');
  const db =
    process.env.BENCH_DATABASE === 'postgres'
      ? await createTestDatabase('postgres', { poolSize: poolSizeFromEnv() })
      : await createDatabase();
  stops.push(() => db.close()); // pushed first: closed last
  if (db.threadUtilization) {
    dbThread = () => db.threadUtilization!();
    dbElu = dbThread();
  }
  await db.migrate();
  await seedFixture(db);
  return db;
}

if (kind === 'ours-embedded') {
  const { startGateway } = await import('@carbon-nexus/gateway');
  const plugins = await platformPlugins();
  const db = await fixtureDb();
  const gw = await startGateway({ plugins, port: 0, serveWeb: false, host: { db, migrate: false, scheduler: false } });
  stops.push(() => gw.close());
  ready({ url: `${gw.url}/graphql` });
} else if (kind === 'subgraphs') {
  const { startOrder, startSubgraph } = await import('@carbon-nexus/plugin-sdk');
  const { composePlugins } = await import('@carbon-nexus/gateway');
  const plugins = await platformPlugins();
  const db = await fixtureDb();
  const urls: Record<string, string> = {};
  // Dependencies first; each later subgraph reaches the ones it requires over HTTP, like the distributed topology.
  for (const p of startOrder(plugins)) {
    const s = await startSubgraph(p, { db, port: 0, scheduler: false, migrate: false, remote: { ...urls } });
    stops.push(() => s.close());
    urls[p.id] = s.url;
  }
  ready({ url: urls['data-core'], urls, supergraphSdl: composePlugins(plugins).supergraphSdl });
} else if (kind === 'memory-subgraphs') {
  const { startMemorySubgraphs } = await import('./memory-subgraphs.ts');
  const m = await startMemorySubgraphs();
  servedRequests = m.requests;
  stops.push(() => m.close());
  ready({ url: m.urls['data-core'], urls: m.urls, supergraphSdl: m.supergraphSdl });
} else if (kind === 'apollo-plain') {
  const { ApolloServer } = await import('@apollo/server');
  const { startStandaloneServer } = await import('@apollo/server/standalone');
  const { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } = await import('@apollo/gateway');
  const urls = JSON.parse(process.env.SUBGRAPH_URLS!) as Record<string, string>;
  const gateway = new ApolloGateway({
    supergraphSdl: process.env.SUPERGRAPH_SDL ?? undefined,
    ...(process.env.SUPERGRAPH_SDL
      ? {}
      : {
          supergraphSdl: new IntrospectAndCompose({
            subgraphs: Object.entries(urls).map(([name, url]) => ({ name, url })),
          }),
        }),
    buildService: ({ name, url }) => new RemoteGraphQLDataSource({ url: urls[name!] ?? url }),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  stops.push(() => server.stop());
  ready({ url: url.replace('localhost', '127.0.0.1') });
} else if (kind === 'ours-remote') {
  const { startGateway } = await import('@carbon-nexus/gateway');
  const urls = JSON.parse(process.env.SUBGRAPH_URLS!) as Record<string, string>;
  const gw = await startGateway({
    subgraphUrls: urls,
    supergraphSdl: process.env.SUPERGRAPH_SDL,
    port: 0,
    serveWeb: false,
  });
  stops.push(() => gw.close());
  ready({ url: `${gw.url}/graphql` });
} else if (kind === 'hive') {
  // Hive reads subgraph URLs from the supergraph's @join__graph(url:); point them at the running subgraphs.
  const urls = JSON.parse(process.env.SUBGRAPH_URLS!) as Record<string, string>;
  const supergraph = process.env.SUPERGRAPH_SDL!.replace(
    /@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g,
    (m, name: string) => (urls[name] ? `@join__graph(name: "${name}", url: "${urls[name]}")` : m),
  );
  const { createGatewayRuntime } = await import('@graphql-hive/gateway');
  const runtime = createGatewayRuntime({ supergraph, logging: false, landingPage: false, graphqlEndpoint: '/graphql' });
  const server = http.createServer(runtime);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stops.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await runtime.dispose();
  });
  const port = (server.address() as { port: number }).port;
  ready({ url: `http://127.0.0.1:${port}/graphql` });
} else {
  console.error(`unknown kind ${kind}`);
  process.exit(2);
}
