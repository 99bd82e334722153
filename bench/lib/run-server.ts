// Child-process entry for benchmarks: `run-server.ts <kind>` prints `READY {"url": …}` when serving.
//   ours-embedded   our gateway with every plugin in-process (PGlite, or PostgreSQL with BENCH_DATABASE=postgres)
//   subgraphs       every plugin as its own HTTP subgraph (one database shared in this process, as above)
//   apollo-plain    plain @apollo/gateway + @apollo/server over SUBGRAPH_URLS (JSON env)
//   ours-remote     our gateway (startGateway) over SUBGRAPH_URLS with SUPERGRAPH_SDL: the distributed topology
//   hive            @graphql-hive/gateway (its runtime, served by node:http) over SUBGRAPH_URLS with SUPERGRAPH_SDL
import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { createDatabase, createTestDatabase, type Database } from '@carbon-nexus/db';
import { loadPlatformConfig, startOrder, startSubgraph } from '@carbon-nexus/plugin-sdk';
import { startGateway, composePlugins } from '@carbon-nexus/gateway';
import { seedFixture } from './fixture.ts';

const kind = process.argv[2];
const { plugins } = await loadPlatformConfig();
const ready = (info: Record<string, unknown>) => {
  void startProfile().then(() => console.log(`READY ${JSON.stringify(info)}`));
};
// BENCH_CPU_PROFILE=file: a CPU profile of this server from READY to stop (start-up, migrations and seeding excluded).
async function startProfile() {
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
    for (const s of stops.reverse()) await Promise.race([s().catch(() => undefined), new Promise((r) => setTimeout(r, 4000).unref())]);
    process.exit(0);
  })();
  return stopping;
}
process.on('SIGTERM', () => void shutdown());
// SIGUSR2: print this process's CPU time so far (user + system, ms); the benchmark takes it before and after its
// measured window, which gives CPU per request, a figure that other load on the machine hardly changes.
process.on('SIGUSR2', () => {
  const u = process.cpuUsage();
  console.log(`CPU ${(u.user + u.system) / 1000}`);
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
  const db = process.env.BENCH_DATABASE === 'postgres' ? await createTestDatabase('postgres') : await createDatabase();
  stops.push(() => db.close()); // pushed first: closed last
  await db.migrate();
  await seedFixture(db);
  return db;
}

if (kind === 'ours-embedded') {
  const db = await fixtureDb();
  const gw = await startGateway({ plugins, port: 0, serveWeb: false, host: { db, migrate: false, scheduler: false } });
  stops.push(() => gw.close());
  ready({ url: `${gw.url}/graphql` });
} else if (kind === 'subgraphs') {
  const db = await fixtureDb();
  const urls: Record<string, string> = {};
  // Dependencies first; each later subgraph reaches the ones it requires over HTTP, like the distributed topology.
  for (const p of startOrder(plugins)) {
    const s = await startSubgraph(p, { db, port: 0, scheduler: false, migrate: false, remote: { ...urls } });
    stops.push(() => s.close());
    urls[p.id] = s.url;
  }
  ready({ url: urls['data-core'], urls, supergraphSdl: composePlugins(plugins).supergraphSdl });
} else if (kind === 'apollo-plain') {
  const urls = JSON.parse(process.env.SUBGRAPH_URLS!) as Record<string, string>;
  const gateway = new ApolloGateway({
    supergraphSdl: process.env.SUPERGRAPH_SDL ?? undefined,
    ...(process.env.SUPERGRAPH_SDL ? {} : { supergraphSdl: new IntrospectAndCompose({ subgraphs: Object.entries(urls).map(([name, url]) => ({ name, url })) }) }),
    buildService: ({ name, url }) => new RemoteGraphQLDataSource({ url: urls[name!] ?? url }),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  stops.push(() => server.stop());
  ready({ url: url.replace('localhost', '127.0.0.1') });
} else if (kind === 'ours-remote') {
  const urls = JSON.parse(process.env.SUBGRAPH_URLS!) as Record<string, string>;
  const gw = await startGateway({ subgraphUrls: urls, supergraphSdl: process.env.SUPERGRAPH_SDL, port: 0, serveWeb: false });
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
