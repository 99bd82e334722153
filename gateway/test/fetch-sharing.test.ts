// Shared in-flight subgraph fetches and representation dedupe (gateway/src/fetch-sharing.ts, data-sources.ts):
// against a small real HTTP subgraph that counts what it receives, and through the embedded gateway.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '@carbon-nexus/plugin-sdk/testkit';
import { definePlugin, gql } from '@carbon-nexus/plugin-sdk';
import { ForwardingDataSource } from '../src/data-sources.ts';
import type { GatewayServer } from '../src/index.ts';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';

interface Seen {
  query: string;
  variables: any;
  authorization?: string;
}

/** A subgraph stand-in: answers after `delayMs` (so concurrent fetches overlap) and records each request. */
async function startCountingSubgraph(delayMs = 150) {
  const seen: Seen[] = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { query, variables } = JSON.parse(body);
      seen.push({ query, variables, authorization: req.headers.authorization });
      setTimeout(() => {
        const reps: any[] | undefined = variables?.representations;
        const answer = reps
          ? {
              data: {
                _entities: reps.map((r: any) =>
                  r.id === 'bad' ? null : { __typename: 'Supplier', id: r.id, n: seen.length },
                ),
              },
              ...(reps.some((r: any) => r.id === 'bad')
                ? {
                    errors: [
                      { message: 'bad id', path: ['_entities', reps.findIndex((r: any) => r.id === 'bad'), 'n'] },
                    ],
                  }
                : {}),
            }
          : { data: { suppliers: { nodes: [{ id: 's1', name: 'Northwind' }] }, calls: seen.length } };
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    seen,
    setStatus: (s: number) => void (status = s),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function fetchThrough(ds: ForwardingDataSource, query: string, variables: Record<string, unknown>, token?: string) {
  const auth = token ? { sub: 'u', roles: ['viewer'], supplierIds: null, token } : null;
  return ds.process({
    kind: 'incoming operation', // GraphQLDataSourceRequestKind.INCOMING_OPERATION (not exported by @apollo/gateway)
    request: { query, variables },
    context: { auth, correlationId: 'c' },
    incomingRequestContext: {} as any,
  } as any) as Promise<any>;
}

describe('remote subgraph fetches', () => {
  let sub: Awaited<ReturnType<typeof startCountingSubgraph>>;
  let ds: ForwardingDataSource;
  const Q = 'query Q__data_core__0($first:Int){suppliers(first:$first){nodes{id name}}}';

  beforeAll(async () => {
    sub = await startCountingSubgraph();
    ds = new ForwardingDataSource({ url: sub.url });
  });
  afterAll(async () => sub?.close());

  it('shares one upstream call among identical concurrent queries, and each caller gets its own copy', async () => {
    sub.seen.length = 0;
    const [a, b, c] = await Promise.all([
      fetchThrough(ds, Q, { first: 5 }, 't1'),
      fetchThrough(ds, Q, { first: 5 }, 't1'),
      fetchThrough(ds, Q, { first: 5 }, 't1'),
    ]);
    expect(sub.seen).toHaveLength(1);
    expect(sub.seen[0].authorization).toBe('Bearer t1');
    expect(a.data).toEqual(b.data);
    expect(c.data).toEqual(a.data);
    // The query-plan executor merges into what it receives: one caller's changes must not reach another.
    a.data.suppliers.nodes[0].name = 'changed';
    expect(b.data.suppliers.nodes[0].name).toBe('Northwind');
    expect(c.data.suppliers.nodes[0].name).toBe('Northwind');
  });

  it('does not share between callers, variables or mutations, and keeps nothing once a fetch is done', async () => {
    sub.seen.length = 0;
    await Promise.all([
      fetchThrough(ds, Q, { first: 5 }, 't1'),
      fetchThrough(ds, Q, { first: 5 }, 't2'),
      fetchThrough(ds, Q, { first: 6 }, 't1'),
    ]);
    expect(sub.seen).toHaveLength(3);
    sub.seen.length = 0;
    const M = 'mutation M__data_core__0{createSupplier(input:{name:"x"}){id}}';
    await Promise.all([fetchThrough(ds, M, {}, 't1'), fetchThrough(ds, M, {}, 't1')]);
    expect(sub.seen).toHaveLength(2);
    sub.seen.length = 0;
    const first = await fetchThrough(ds, Q, { first: 5 }, 't1');
    const again = await fetchThrough(ds, Q, { first: 5 }, 't1');
    expect(sub.seen).toHaveLength(2);
    expect(again.data.calls).toBe(first.data.calls + 1); // answered afresh, not from a cache
  });

  it('sends each distinct representation once and expands entities and error paths back', async () => {
    sub.seen.length = 0;
    const E =
      'query E__ml_engine__1($representations:[_Any!]!){_entities(representations:$representations){...on Supplier{n}}}';
    const reps = ['a', 'b', 'a', 'bad', 'b', 'bad'].map((id) => ({ __typename: 'Supplier', id }));
    const r = await fetchThrough(ds, E, { representations: reps });
    expect(sub.seen).toHaveLength(1);
    expect(sub.seen[0].variables.representations.map((x: any) => x.id)).toEqual(['a', 'b', 'bad']);
    expect(r.data._entities.map((e: any) => e?.id ?? null)).toEqual(['a', 'b', 'a', null, 'b', null]);
    expect(r.data._entities[0]).not.toBe(r.data._entities[2]); // repeats are copies: the executor merges into each
    expect(r.errors.map((e: any) => e.path)).toEqual([
      ['_entities', 3, 'n'],
      ['_entities', 5, 'n'],
    ]);
  });

  it('turns a non-2xx answer into an error naming the status', async () => {
    sub.setStatus(502);
    try {
      await expect(fetchThrough(ds, Q, { first: 7 })).rejects.toThrow(/^502: Bad Gateway$/);
    } finally {
      sub.setStatus(200);
    }
  });
});

/** An in-process plugin whose query takes a while, so identical requests overlap by construction. */
const slowRuns = { count: 0 };
const slowPlugin = definePlugin({
  id: 'slow-lookup',
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Query {
      slowTotal(label: String!): String!
    }
  `,
  resolvers: {
    Query: {
      slowTotal: async (_: unknown, a: { label: string }, ctx: any) => {
        slowRuns.count++;
        await new Promise((r) => setTimeout(r, 1000));
        return `${a.label}:${ctx.auth?.sub ?? 'anonymous'}`;
      },
    },
  },
});

describe('embedded gateway', () => {
  let platform: TestPlatform;
  let gw: GatewayServer;

  beforeAll(async () => {
    platform = await startTestPlatform({ plugins: [slowPlugin] });
    gw = platform.gateway;
  });
  afterAll(() => platform?.close());

  async function post(body: object, token?: string) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const r = await fetch(`${gw.url}/graphql`, { method: 'POST', headers, body: JSON.stringify(body) });
    return (await r.json()) as any;
  }

  it('answers identical concurrent queries alike with fewer subgraph executions than requests', async () => {
    const ana = await signDevToken({ sub: 'ana', roles: ['analyst'] });
    const q = { query: 'query($l: String!) { slowTotal(label: $l) }', variables: { l: 'shared' } };
    // Send the first, let its execution start, then the other 19 while it is still running.
    const first = post(q, ana);
    const deadline = Date.now() + 20_000;
    while (slowRuns.count === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const answers = [await first, ...(await Promise.all(Array.from({ length: 19 }, () => post(q, ana))))];
    for (const a of answers) expect(a).toEqual({ data: { slowTotal: 'shared:ana' } });
    expect(slowRuns.count).toBeGreaterThanOrEqual(1);
    expect(slowRuns.count).toBeLessThan(20);
  });

  it('never shares across callers: another caller gets its own execution and its own answer', async () => {
    const [ana, bob] = await Promise.all([
      signDevToken({ sub: 'ana', roles: ['analyst'] }),
      signDevToken({ sub: 'bob', roles: ['viewer'] }),
    ]);
    const q = { query: 'query($l: String!) { slowTotal(label: $l) }', variables: { l: 'private' } };
    const before = slowRuns.count;
    const [a, b] = await Promise.all([post(q, ana), post(q, bob)]);
    expect(a).toEqual({ data: { slowTotal: 'private:ana' } });
    expect(b).toEqual({ data: { slowTotal: 'private:bob' } });
    expect(slowRuns.count - before).toBe(2);
  });
});
