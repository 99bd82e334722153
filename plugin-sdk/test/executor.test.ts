// The in-process executor: compiled (graphql-jit) queries answer exactly as graphql-js does — data for every shape the
// gateway sends (variables, defaults, aliases, fragments, _entities), and for errors graphql-js's own answer — while
// mutations and multi-operation documents always go through graphql-js.
import { describe, expect, it } from 'vitest';
import { GraphQLError, execute, parse, type DocumentNode } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import gql from 'graphql-tag';
import { createExecutor, executorKindFromEnv } from '../src/host/executor.ts';

class ItemView {
  constructor(private readonly row: { id: string; name: string; at: string | null }) {}
  get id() {
    return this.row.id;
  }
  get name() {
    return this.row.name;
  }
  get at() {
    return this.row.at;
  }
  tags = ['x', 'y'];
  kind = 'A';
}
const rows = [
  { id: '1', name: 'one', at: '2026-01-01' },
  { id: '2', name: 'two', at: null },
  { id: '3', name: 'three', at: '2026-01-03' },
];
let bumps = 0;
const schema = buildSubgraphSchema({
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    enum Kind { A B }
    type Item @key(fields: "id") { id: ID! name: String! at: String tags: [String!]! kind: Kind! broken: String! }
    type Query {
      items(first: Int = 2, prefix: String): [Item!]!
      refuse(n: Int!): Int
    }
    type Mutation { bump: Int! }
  `,
  resolvers: {
    Query: {
      items: async (_: unknown, a: { first: number; prefix?: string }) =>
        rows
          .filter((r) => !a.prefix || r.name.startsWith(a.prefix))
          .slice(0, a.first)
          .map((r) => new ItemView(r)),
      refuse: (_: unknown, a: { n: number }) => {
        throw new GraphQLError(`n: must be even (got ${a.n})`, { extensions: { code: 'BAD_USER_INPUT', field: 'n' } });
      },
    },
    Item: {
      __resolveReference: (ref: { id: string }) => {
        const r = rows.find((x) => x.id === ref.id);
        return r ? new ItemView(r) : null;
      },
      broken: () => null,
    },
    Mutation: { bump: () => ++bumps },
  } as any,
});

const both = async (query: string, variableValues?: Record<string, unknown>) => {
  const document: DocumentNode = parse(query);
  const exec = createExecutor(schema, 'jit');
  const got = await exec({ document, variableValues, contextValue: {} });
  const reference = await execute({ schema, document, variableValues, contextValue: {} });
  return { got, reference, stats: exec.stats };
};

describe('in-process executor', () => {
  it('compiled queries give graphql-js data for variables, defaults, aliases, fragments and _entities', async () => {
    const cases: [string, Record<string, unknown>?][] = [
      ['{ items { id name at tags kind __typename } }'],
      [
        'query($n: Int, $p: String) { a: items(first: $n, prefix: $p) { ...F } b: items { id } } fragment F on Item { id name }',
        { n: 3, p: 't' },
      ],
      [
        'query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Item { id name at kind } } }',
        {
          r: [
            { __typename: 'Item', id: '3' },
            { __typename: 'Item', id: '9' },
            { __typename: 'Item', id: '1' },
          ],
        },
      ],
      ['query($skip: Boolean!) { items { id name @skip(if: $skip) at @include(if: $skip) } }', { skip: true }],
    ];
    for (const [query, vars] of cases) {
      const { got, reference, stats } = await both(query, vars);
      expect(got).toEqual(reference);
      expect(reference.errors).toBeUndefined();
      expect(stats).toEqual({ compiled: 1, graphqlJs: 0, rerun: 0 });
    }
  });

  it('a query with errors is answered by graphql-js: the same errors, paths, locations and classes', async () => {
    for (const [query, vars] of [
      ['query($n: Int!) { refuse(n: $n) }', { n: 3 }],
      ['{ items { id broken } }', undefined],
      ['query($n: Int!) { refuse(n: $n) }', { n: 'x' }],
    ] as const) {
      const { got, reference, stats } = await both(query, vars as any);
      expect(JSON.stringify(got)).toBe(JSON.stringify(reference));
      expect(got.errors?.length).toBeGreaterThan(0);
      for (const e of got.errors!) expect(e).toBeInstanceOf(GraphQLError);
      expect(stats).toEqual({ compiled: 0, graphqlJs: 1, rerun: 1 });
    }
  });

  it('mutations (serial) and documents with several operations go through graphql-js', async () => {
    const exec = createExecutor(schema, 'jit');
    bumps = 0;
    const m = await exec({ document: parse('mutation { a: bump b: bump }'), contextValue: {} });
    expect(m.data).toEqual({ a: 1, b: 2 });
    const two = parse('query A { items { id } } query B { items { name } }');
    expect(await exec({ document: two, contextValue: {} })).toEqual(await execute({ schema, document: two }));
    expect(exec.stats).toEqual({ compiled: 0, graphqlJs: 2, rerun: 0 });
  });

  it('PLUGIN_EXECUTOR=graphql-js turns compiling off; another value is refused by name', async () => {
    expect(executorKindFromEnv({})).toBe('jit');
    const exec = createExecutor(schema, executorKindFromEnv({ PLUGIN_EXECUTOR: 'graphql-js' }));
    await exec({ document: parse('{ items { id } }'), contextValue: {} });
    expect(exec.stats).toEqual({ compiled: 0, graphqlJs: 1, rerun: 0 });
    expect(() => executorKindFromEnv({ PLUGIN_EXECUTOR: 'fast' })).toThrow(/PLUGIN_EXECUTOR/);
  });
});
