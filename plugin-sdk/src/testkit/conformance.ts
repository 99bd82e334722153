// What every plugin must do to join the platform. Returns a report; `assertConformance` throws on failure.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { composeServices } from '@apollo/composition';
import { isObjectType, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { AnyPlugin } from '../plugin.ts';
import { createHost } from '../host/host.ts';
import { PluginConfigError, PluginStartError } from '../errors.ts';
import { startSubgraph } from '../startSubgraph.ts';
import { createTestDatabase } from '@carbon-nexus/db';
import { createSubgraphTestkit } from './testkit.ts';

export interface ConformanceCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** How long the check took. */
  ms: number;
}
export interface ConformanceReport {
  plugin: string;
  ok: boolean;
  checks: ConformanceCheck[];
  /** The plugin graph of the plugin and its peers (formatPluginGraph). */
  graph: string;
}

export interface ConformanceOptions {
  /** The plugins it composes with (default: none — pass the platform's plugins). */
  peers?: AnyPlugin[];
  /** Plugins it needs running for init (its `requires`). */
  with?: AnyPlugin[];
  env?: Record<string, string | undefined>;
  /** Sample key representations per entity type (default: { id: <nil uuid> }). */
  entities?: Record<string, Record<string, unknown>[]>;
  /** Where the plugin graph is printed (default console.log; false = not printed). */
  print?: false | ((text: string) => void);
}

/**
 * The dependency graph as text: for each plugin, what it requires (hard: started first, must be present) and uses
 * (soft: called at run time, may be absent — with what the plugin does then). Plugins outside `plugins` are marked.
 */
export function formatPluginGraph(plugins: AnyPlugin[], opts: { only?: string } = {}): string {
  const ids = new Set(plugins.map((p) => p.id));
  const mark = (id: string) => (ids.has(id) ? id : `${id} (not in this platform)`);
  const lines = ['plugin graph (requires: hard, started first; uses: soft, may be absent):'];
  for (const p of plugins) {
    if (opts.only && p.id !== opts.only) continue;
    const requires = p.requires ?? [];
    const uses = Object.entries(p.uses ?? {});
    lines.push(`  ${p.id}${requires.length || uses.length ? '' : ' — calls no other plugin'}`);
    for (const id of requires) lines.push(`    requires ${mark(id)}`);
    for (const [id, whenAbsent] of uses) lines.push(`    uses     ${mark(id)} — when absent: ${whenAbsent}`);
  }
  return lines.join('\n');
}

export function composeSubgraphs(subgraphs: { name: string; typeDefs: DocumentNode; url?: string }[]) {
  return composeServices(
    subgraphs.map((s) => ({ name: s.name, typeDefs: s.typeDefs, url: s.url ?? `http://${s.name}.local/graphql` })),
  );
}

/** Entity types with a @key on which this subgraph resolves references. */
function keyedTypes(schema: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const t of Object.values(schema.getTypeMap())) {
    if (!isObjectType(t) || t.name.startsWith('_')) continue;
    const ast = [t.astNode, ...(t.extensionASTNodes ?? [])];
    const hasKey = ast.some((n) =>
      n?.directives?.some(
        (d) =>
          d.name.value === 'key' &&
          !d.arguments?.some((a) => a.name.value === 'resolvable' && a.value.kind === 'BooleanValue' && !a.value.value),
      ),
    );
    if (hasKey) out.push(t.name);
  }
  return out;
}

export async function runConformance(plugin: AnyPlugin, opts: ConformanceOptions = {}): Promise<ConformanceReport> {
  const checks: ConformanceCheck[] = [];
  const check = async (name: string, fn: () => Promise<string>) => {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    try {
      const detail = await fn();
      checks.push({ name, ok: true, detail, ms: ms() });
    } catch (err) {
      checks.push({ name, ok: false, detail: (err as Error).message, ms: ms() });
    }
  };
  const env = { ...(opts.env ?? process.env) };
  const peers = (opts.peers ?? []).filter((p) => p.id !== plugin.id);
  const graphPlugins = [
    plugin,
    ...peers,
    ...(opts.with ?? []).filter((w) => w.id !== plugin.id && !peers.some((p) => p.id === w.id)),
  ];
  const graph = formatPluginGraph(graphPlugins);
  if (opts.print !== false) (opts.print ?? console.log)(graph);

  await check('schema builds as a Federation 2 subgraph', async () => {
    buildSubgraphSchema({ typeDefs: plugin.typeDefs, resolvers: plugin.resolvers as any });
    return 'ok';
  });

  await check('every mutation declares its roles with @auth', async () => {
    const rules = plugin.authRules ?? new Map();
    const mutation = buildSubgraphSchema({
      typeDefs: plugin.typeDefs,
      resolvers: plugin.resolvers as any,
    }).getMutationType();
    const fields = Object.keys(mutation?.getFields() ?? {});
    const open = fields.filter((f) => !rules.has(`Mutation.${f}`) && !rules.has('Mutation'));
    if (open.length) throw new Error(`mutations without @auth(roles: [...]): ${open.join(', ')}`);
    return fields.length ? `${fields.length} mutation(s) declare roles` : 'no mutations';
  });

  await check('declares the plugins it calls (requires / uses)', async () => {
    const known = new Set(graphPlugins.map((p) => p.id));
    const missing = peers.length ? (plugin.requires ?? []).filter((id) => !known.has(id)) : [];
    if (missing.length)
      throw new Error(`requires ${missing.join(', ')}, which the platform does not have: it could never start`);
    const own = formatPluginGraph(graphPlugins, { only: plugin.id })
      .split('\n')
      .slice(1)
      .join('; ')
      .replace(/\s+/g, ' ')
      .trim();
    return own;
  });

  await check('composes with the other plugins', async () => {
    const r = composeSubgraphs([plugin, ...peers].map((p) => ({ name: p.id, typeDefs: p.typeDefs })));
    if (r.errors?.length) throw new Error(r.errors.map((e) => e.message).join('\n'));
    return `composed with ${peers.length} peer(s): ${peers.map((p) => p.id).join(', ') || 'none'}`;
  });

  await check('health, readiness and _service over HTTP', async () => {
    // A copy of the migrated template database (as the testkit uses), not a fresh initdb and migration run.
    const db = await createTestDatabase('pglite');
    const srv = await startSubgraph(plugin, {
      env,
      with: opts.with,
      port: 0,
      scheduler: false,
      db,
      migrate: false,
    }).catch(async (err) => {
      await db.close();
      throw err;
    });
    try {
      const base = srv.url.replace(/\/graphql$/, '');
      for (const p of ['/healthz', '/readyz']) {
        const r = await fetch(base + p);
        if (r.status !== 200) throw new Error(`${p} answered ${r.status}: ${await r.text()}`);
      }
      const r = await fetch(srv.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
      });
      const body = (await r.json()) as any;
      if (!body?.data?._service?.sdl) throw new Error(`_service query failed: ${JSON.stringify(body).slice(0, 300)}`);
      return `${srv.url} healthy`;
    } finally {
      await srv.close();
      await db.close();
    }
  });

  await check('entity references resolve without crashing', async () => {
    const kit = await createSubgraphTestkit(plugin, { env, with: opts.with });
    try {
      const schema = kit.host.plugins.get(plugin.id)!.schema;
      const types = keyedTypes(schema);
      for (const t of types) {
        const reps = opts.entities?.[t] ?? [{ id: '00000000-0000-0000-0000-000000000000' }];
        const r = await kit.entities(t, reps, '__typename');
        const bad = (r.errors ?? []).filter(
          (e) => e.extensions?.code !== 'NOT_FOUND' && e.extensions?.code !== 'FORBIDDEN',
        );
        if (bad.length) throw new Error(`${t}: ${bad.map((e) => e.message).join('; ')}`);
        if (!Array.isArray(r.data?._entities) || r.data._entities.length !== reps.length) {
          throw new Error(`${t}: _entities returned ${JSON.stringify(r.data)}`);
        }
      }
      return types.length ? `resolved ${types.join(', ')}` : 'no entity types';
    } finally {
      await kit.stop();
    }
  });

  await check('bad configuration is a clear error naming the setting', async () => {
    const shape = (plugin.config as any)?.shape as Record<string, unknown> | undefined;
    const tested: string[] = [];
    for (const key of Object.keys(shape ?? {})) {
      const garbage = '\u0000not-a-valid-value';
      if ((plugin.config as any).safeParse({ ...env, [key]: garbage }).success) continue;
      const host = createHost({
        plugins: [plugin, ...(opts.with ?? [])],
        env: { ...env, [key]: garbage },
        scheduler: false,
      });
      try {
        await host.start();
        await host.stop();
        throw new Error(`started with ${key}="${garbage}"`);
      } catch (err) {
        if (!(err instanceof PluginConfigError) || !err.message.includes(plugin.id) || !err.message.includes(key)) {
          throw new Error(
            `${key}: expected a PluginConfigError naming "${plugin.id}" and "${key}", got: ${(err as Error).message}`,
          );
        }
      }
      tested.push(key);
    }
    if (plugin.requires?.length) {
      try {
        // Without its required plugins it must refuse to start (createHost checks the graph up front).
        const host = createHost({ plugins: [plugin], env: {}, scheduler: false });
        await host.start();
        await host.stop();
        throw new Error('started without its required plugins');
      } catch (err) {
        if (!(err instanceof PluginStartError) || !err.message.includes(plugin.requires[0])) throw err;
      }
      tested.push('requires');
    }
    return tested.length ? `checked ${tested.join(', ')}` : 'no settings can be invalid';
  });

  await check('stops cleanly', async () => {
    const kit = await createSubgraphTestkit(plugin, { env, with: opts.with, scheduler: true });
    const jobs = kit.services.scheduler.jobs();
    const t = performance.now();
    await Promise.race([
      kit.stop(),
      new Promise((_, rej) => setTimeout(() => rej(new Error('stop() took longer than 10 s')), 10_000)),
    ]);
    if (jobs.length && kit.services.scheduler.jobs().some((j) => j.nextRun))
      throw new Error('jobs still scheduled after stop');
    return `stopped in ${Math.round(performance.now() - t)} ms (${jobs.length} job(s) cancelled)`;
  });

  return { plugin: plugin.id, ok: checks.every((c) => c.ok), checks, graph };
}

export async function assertConformance(plugin: AnyPlugin, opts: ConformanceOptions = {}): Promise<ConformanceReport> {
  const report = await runConformance(plugin, opts);
  if (!report.ok) {
    throw new Error(
      `plugin "${plugin.id}" fails conformance:\n` +
        report.checks.map((c) => `  ${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`).join('\n') +
        `\n${report.graph}`,
    );
  }
  return report;
}
