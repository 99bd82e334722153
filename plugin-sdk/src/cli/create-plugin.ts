// Scaffolds a plugin that composes with the platform, passes runConformance and its own tests.
import fs from 'node:fs';
import path from 'node:path';
import { findPlatformRoot } from '../platform-config.ts';

const NAME = /^[a-z][a-z0-9-]{1,40}$/;

export function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

export function scaffoldFiles(id: string): Record<string, string> {
  const type = pascal(id) + 'Shipment';
  const field = id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return {
    'package.json': JSON.stringify(
      {
        name: `@carbon-nexus/${id}`,
        version: '0.1.0',
        type: 'module',
        exports: { '.': './src/plugin.ts' },
        dependencies: { '@carbon-nexus/plugin-sdk': '*', graphql: '^16.11.0', zod: '^4.0.0' },
      },
      null,
      2,
    ) + '\n',
    'schema.graphql': `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

"A shipment reported by ${id}. Replace with your own types."
type ${type} @key(fields: "id") {
  id: ID!
  "Emissions of this shipment, kg CO2e."
  co2eKg: Float!
  supplier: Supplier
}

"Supplier is owned by data-core; this plugin adds a field to it."
type Supplier @key(fields: "id") {
  id: ID!
  ${field}Shipments: [${type}!]!
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
    'src/resolvers/index.ts': `import type { ResolverContext } from '@carbon-nexus/plugin-sdk';

// A real plugin reads its own tables (services.db) or other plugins' APIs (services.call).
const shipments = [{ id: 'demo-1', co2eKg: 12.5, supplierId: null as string | null }];

export const resolvers = {
  Query: {
    ${field}Status: (_: unknown, __: unknown, ctx: ResolverContext<{ startedAt: Date }>) =>
      \`running since \${ctx.state.startedAt.toISOString()}\`,
  },
  ${type}: {
    __resolveReference: (ref: { id: string }) => shipments.find((s) => s.id === ref.id) ?? null,
    supplier: (s: { supplierId: string | null }) => (s.supplierId ? { id: s.supplierId } : null),
  },
  Supplier: {
    ${field}Shipments: (s: { id: string }) => shipments.filter((x) => x.supplierId === s.id),
  },
};
`,
    'test/plugin.test.ts': `import { describe, it, expect } from 'vitest';
import { assertConformance, createSubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { loadPlatformConfig } from '@carbon-nexus/plugin-sdk';
import plugin from '../src/plugin.ts';

describe('${id}', () => {
  it('passes the platform conformance checks', async () => {
    const { plugins } = await loadPlatformConfig();
    const report = await assertConformance(plugin, { peers: plugins, entities: { ${type}: [{ id: 'demo-1' }] } });
    expect(report.ok).toBe(true);
  });

  it('answers its query', async () => {
    const kit = await createSubgraphTestkit(plugin);
    try {
      const data = await kit.query<{ ${field}Status: string }>('{ ${field}Status }');
      expect(data.${field}Status).toMatch(/^running since /);
      const ents = await kit.entities('${type}', [{ id: 'demo-1' }], 'co2eKg');
      expect(ents.data?._entities[0]).toEqual({ co2eKg: 12.5 });
    } finally {
      await kit.stop();
    }
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
    console.error(`invalid plugin name "${id}": use lower-case letters, digits and dashes (2-41 characters), e.g. acme-freight`);
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
