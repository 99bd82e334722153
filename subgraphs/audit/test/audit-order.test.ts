// auditLog orders by the numeric write sequence: with more than 9 entries the sequence spans digit counts
// (…, 9, 10, 11, …) and a text sort (9 > 37) would interleave them and make cursor paging skip entries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin, gql, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import { createSubgraphTestkit, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { testDatabaseTargets } from '@carbon-nexus/db';
import audit from '../src/plugin.ts';

const writer = definePlugin({
  id: 'steps',
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Query { stepsPing: Boolean! }
    type Mutation { step(n: Int!): Boolean! }
  `,
  resolvers: {
    Query: { stepsPing: () => true },
    Mutation: {
      async step(_: unknown, a: { n: number }, ctx: ResolverContext) {
        await ctx.services.audit({ action: `step.${a.n}`, entityType: 'step', entityId: String(a.n) });
        return true;
      },
    },
  },
});

const LOG = `query($first: Int, $after: String) { auditLog(first: $first, after: $after) { nodes { action } pageInfo { hasNextPage endCursor } } }`;
const analyst = { sub: 'ana', roles: ['analyst'], supplierIds: null };
const ENTRIES = 25;

describe.each(testDatabaseTargets())('audit log order across digit counts (%s)', (target) => {
  let kit: SubgraphTestkit;
  beforeAll(async () => {
    kit = await createSubgraphTestkit(audit, { target, with: [writer] });
    for (let n = 1; n <= ENTRIES; n++)
      await kit.query(`mutation($n: Int!) { step(n: $n) }`, { n }, { plugin: 'steps', auth: analyst });
  });
  afterAll(async () => kit?.stop());

  const expected = Array.from({ length: ENTRIES }, (_, i) => `step.${ENTRIES - i}`);

  it('lists newest first by sequence, not by its text', async () => {
    const page = (await kit.query(LOG, { first: 50 }, { auth: analyst })).auditLog;
    expect(page.nodes.map((n: { action: string }) => n.action)).toEqual(expected);
  });

  it('pages of 4 return every entry once, in order, with no skipped entries', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const page: any = (await kit.query(LOG, { first: 4, after }, { auth: analyst })).auditLog;
      seen.push(...page.nodes.map((n: { action: string }) => n.action));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });
});
