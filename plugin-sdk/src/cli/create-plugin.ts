// Scaffolds a plugin that composes with the platform, passes runConformance and its own tests.
import fs from 'node:fs';
import path from 'node:path';
import { findPlatformRoot } from '../platform-config.ts';

const NAME = /^[a-z][a-z0-9-]{1,40}$/;

export function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

export function scaffoldFiles(id: string): Record<string, string> {
  const type = pascal(id) + 'SupplierSummary';
  const field = id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return {
    'package.json':
      JSON.stringify(
        {
          name: `@carbon-nexus/${id}`,
          version: '0.1.0',
          type: 'module',
          exports: { '.': './src/plugin.ts' },
          dependencies: {
            '@carbon-nexus/plugin-sdk': '*',
            graphql: '^16.11.0',
            zod: '^4.0.0',
          },
          // A peer plugin is supplied by the platform that runs this one: a peer, not a dependency (and plugins that
          // use each other form no package cycle).
          peerDependencies: { '@carbon-nexus/data-core': '*' },
        },
        null,
        2,
      ) + '\n',
    'schema.graphql': `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

"What ${id} tells about a supplier. Replace with your own types."
type ${type} {
  "Start of the period (ISO 8601)."
  from: String!
  "End of the period (ISO 8601)."
  to: String!
  "Emissions of the supplier's events in the period, kg CO2e (data-core's figures)."
  co2eKg: Float!
  "Events in the period."
  events: Int!
}

"Supplier is owned by data-core; this plugin adds a field to it."
type Supplier @key(fields: "id") {
  id: ID!
  "The supplier's emissions over the last \`hours\` hours (1–744), from data-core; null while data-core is absent."
  ${field}Summary(hours: Int = 24): ${type}
}

type Query {
  ${field}Status: String!
}
`,
    'src/plugin.ts': `import { definePlugin, loadTypeDefs, env } from '@carbon-nexus/plugin-sdk';
import { z } from 'zod';
import { resolvers } from './resolvers/index.ts';

export default definePlugin({
  id: '${id}',
  description: 'Describe what ${id} adds to Carbon Nexus',
  // Peers called at run time: what this plugin does when one is absent (conformance prints it).
  uses: { 'data-core': 'Supplier.${field}Summary answers null' },
  // Settings come from the environment; a bad value stops the start with a message naming it.
  config: z.object({ ${id.toUpperCase().replace(/-/g, '_')}_POLL_SECONDS: env.int(60).pipe(z.number().int().min(5).max(3600)) }),
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  async init(services) {
    services.logger.info('${id} started');
    return { startedAt: new Date() };
  },
});
`,
    'src/resolvers/index.ts': `import { GraphQLError } from 'graphql';
import { EmissionsCounts } from '@carbon-nexus/data-core/client';
import { PluginAbsentError, type ResolverContext } from '@carbon-nexus/plugin-sdk';

type Context = ResolverContext<{ startedAt: Date }>;
const HOUR = 3_600_000;

export const resolvers = {
  Query: {
    ${field}Status: (_: unknown, __: unknown, ctx: Context) => \`running since \${ctx.state.startedAt.toISOString()}\`,
  },
  Supplier: {
    // A peer's data through the operation it publishes (@carbon-nexus/data-core/client): typed, and refused unless
    // data-core is declared in \`uses\` (or \`requires\`). The caller's token and supplier scope go with the call.
    async ${field}Summary(supplier: { id: string }, args: { hours?: number | null }, ctx: Context) {
      const hours = args.hours ?? 24;
      if (!Number.isInteger(hours) || hours < 1 || hours > 744) {
        throw new GraphQLError(\`hours must be a whole number from 1 to 744, got \${hours}\`, {
          extensions: { code: 'BAD_USER_INPUT', argument: 'hours' },
        });
      }
      const to = new Date();
      const from = new Date(to.getTime() - hours * HOUR);
      try {
        const { emissionsSeries } = await ctx.services.call(EmissionsCounts, {
          from: from.toISOString(),
          to: to.toISOString(),
          bucket: 'DAY',
          supplierIds: [supplier.id],
        });
        return {
          from: from.toISOString(),
          to: to.toISOString(),
          co2eKg: emissionsSeries.reduce((kg, p) => kg + p.co2eKg, 0),
          events: emissionsSeries.reduce((n, p) => n + p.eventCount, 0),
        };
      } catch (err) {
        if (err instanceof PluginAbsentError) return null; // what \`uses\` in plugin.ts promises
        throw err;
      }
    },
  },
};
`,
    'test/plugin.test.ts': `import { describe, it, expect } from 'vitest';
import { assertConformance, createSubgraphTestkit, mockPlugin } from '@carbon-nexus/plugin-sdk/testkit';
import { loadPlatformConfig } from '@carbon-nexus/plugin-sdk';
import plugin from '../src/plugin.ts';

const SUPPLIER = '00000000-0000-4000-8000-000000000001';
const point = (co2eKg: number, eventCount: number) => ({
  bucketStart: '2026-01-01T00:00:00.000Z',
  key: 'all',
  co2eKg,
  eventCount,
  realCount: eventCount,
  predictedCount: 0,
  suspectCount: 0,
});

describe('${id}', () => {
  it('passes the platform conformance checks', async () => {
    const { plugins } = await loadPlatformConfig();
    const report = await assertConformance(plugin, { peers: plugins, entities: { Supplier: [{ id: SUPPLIER }] } });
    expect(report.ok).toBe(true);
  });

  it('sums a supplier\\'s emissions from data-core (mocked from data-core\\'s own schema)', async () => {
    const dataCore = mockPlugin('data-core', { Query: { emissionsSeries: () => [point(12.5, 3), point(7.5, 2)] } });
    await using kit = await createSubgraphTestkit(plugin, { with: [dataCore] });
    const res = await kit.entities('Supplier', [{ id: SUPPLIER }], '${field}Summary(hours: 48) { co2eKg events }');
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities[0]).toEqual({ ${field}Summary: { co2eKg: 20, events: 5 } });
    const [call] = dataCore.callsOf('Query.emissionsSeries');
    expect(call!.args.supplierIds).toEqual([SUPPLIER]);
    expect(Date.parse(String(call!.args.to)) - Date.parse(String(call!.args.from))).toBe(48 * 3_600_000);
  });

  it('answers null without data-core, and names a bad argument', async () => {
    await using kit = await createSubgraphTestkit(plugin);
    const absent = await kit.entities('Supplier', [{ id: SUPPLIER }], '${field}Summary { co2eKg }');
    expect(absent.data?._entities[0]).toEqual({ ${field}Summary: null });
    const bad = await kit.entities('Supplier', [{ id: SUPPLIER }], '${field}Summary(hours: 0) { co2eKg }');
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toMatch(/hours/);
  });

  it('answers its query', async () => {
    await using kit = await createSubgraphTestkit(plugin);
    const data = await kit.query<{ ${field}Status: string }>('{ ${field}Status }');
    expect(data.${field}Status).toMatch(/^running since /);
  });
});
`,
    'README.md': `# ${id}

A Carbon Nexus plugin. See plugin-sdk/README.md for the guide.

- \`schema.graphql\` — the subgraph's SDL (Federation 2).
- \`src/plugin.ts\` — the \`definePlugin\` call: id, config, typeDefs, resolvers, jobs, init/stop.
- \`test/\` — conformance and behaviour tests (\`npx vitest run --project ${id}\`).

Register it in \`carbon-nexus.config.ts\`, then \`npm run compose\` adds it to the supergraph.
`,
  };
}

export async function createPlugin(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h') || !argv[0]) {
    console.log(`usage: carbon-nexus create-plugin <name> [--dir <folder>]

Creates <folder>/<name> (default folder: subgraphs/ of the platform checkout, else the current folder) with
schema.graphql, src/plugin.ts, src/resolvers/, test/ — a plugin that composes and passes runConformance.
<name>: lower-case letters, digits and dashes, e.g. acme-freight.`);
    return argv[0] ? 0 : 1;
  }
  const id = argv[0];
  if (!NAME.test(id)) {
    console.error(
      `invalid plugin name "${id}": use lower-case letters, digits and dashes (2-41 characters), e.g. acme-freight`,
    );
    return 2;
  }
  const di = argv.indexOf('--dir');
  let base: string;
  if (di >= 0) base = path.resolve(argv[di + 1]);
  else {
    try {
      base = path.join(findPlatformRoot(), 'subgraphs');
    } catch {
      base = process.cwd();
    }
  }
  const dir = path.join(base, id);
  if (fs.existsSync(dir)) {
    console.error(`${dir} already exists: choose another name or remove it`);
    return 2;
  }
  for (const [rel, content] of Object.entries(scaffoldFiles(id))) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  console.log(`created ${path.relative(process.cwd(), dir) || dir}

next steps:
  1. register it in carbon-nexus.config.ts:  import ${pascal(id).replace(/^./, (c) => c.toLowerCase())} from '@carbon-nexus/${id}';
  2. npm install            (links the new workspace)
  3. npm run compose        (adds it to the supergraph)
  4. npx vitest run --project ${id}`);
  return 0;
}
