import { describe, it, expect } from 'vitest';
import { definePlugin, gql, loadPlatformConfig } from '@carbon-nexus/plugin-sdk';
import { runConformance } from '@carbon-nexus/plugin-sdk/testkit';

const platform = await loadPlatformConfig();

describe('runConformance', () => {
  // One test per plugin: each starts several hosts of its own, so each gets its own time budget.
  it.each(platform.plugins.map((p) => [p.id, p] as const))(
    'passes for the platform plugin %s',
    async (_id, plugin) => {
      const { plugins } = platform;
      const byId = new Map(plugins.map((p) => [p.id, p]));
      const deps = (plugin.requires ?? []).map((id) => byId.get(id)!);
      const report = await runConformance(plugin, { peers: plugins, with: deps });
      const failed = report.checks.filter((c) => !c.ok);
      expect(failed, `${plugin.id}: ${failed.map((c) => `${c.name}: ${c.detail}`).join('\n')}`).toEqual([]);
      expect(report.checks.length).toBeGreaterThanOrEqual(6);
    },
    180_000,
  );

  it('fails a plugin that does not compose, naming the conflict', async () => {
    const { plugins } = await loadPlatformConfig();
    // Redefines data-core's Supplier.name with another type: composition must refuse it.
    const rogue = definePlugin({
      id: 'rogue',
      typeDefs: gql`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])
        type Supplier @key(fields: "id") {
          id: ID!
          name: Int! @shareable
        }
        type Query {
          rogue: Int
        }
      `,
      resolvers: {},
    });
    const report = await runConformance(rogue, { peers: plugins });
    const compose = report.checks.find((c) => c.name.startsWith('composes'))!;
    expect(report.ok).toBe(false);
    expect(compose.ok).toBe(false);
    expect(compose.detail).toMatch(/Supplier\.name/);
  });

  it('fails a plugin whose bad config is not reported by name', async () => {
    // An init that ignores config and crashes with an unrelated error still fails the config check clearly.
    const report = await runConformance(
      definePlugin({
        id: 'crashy',
        typeDefs: gql`type Query { ok: Boolean }`,
        resolvers: { Query: { ok: () => true } },
        init: () => {
          throw new Error('kaboom');
        },
      }),
    );
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name.startsWith('health'))!.detail).toMatch(
      /plugin "crashy": init failed: kaboom/,
    );
  });
});
