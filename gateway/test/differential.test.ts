// Differential test: the same operations through plain @apollo/gateway (+ @apollo/server) and through our gateway,
// over the same subgraphs (differential.fixtures.ts), compared answer by answer: data, and errors' message, path and
// extensions.code (also in extensions.valueCompletion), HTTP status and content type.
// Our gateway runs twice: with its fast path (compiled plan executor and shaper, execution/) and with it off (every
// request through Apollo Server and executeQueryPlan). Those two must answer byte for byte alike — status, body,
// content-type, cache-control — and the fast path must really have served the cases it is meant for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { signDevToken } from '@carbon-nexus/plugin-sdk';
import { startGateway, type GatewayServer } from '../src/index.ts';
import { startFixture, type Fixture } from './differential.fixtures.ts';

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  headers?: Record<string, string>;
  /** Which of our paths must answer it (default: fast). */
  path?: 'fast' | 'fallback';
  /** Not compared with plain Apollo: our gateway answers differently on purpose (the reason is the value). */
  ours?: string;
}

const PRODUCT_FIELDS = /* GraphQL */ `
  fragment ProductCard on Product { id name price category ...Stock }
  fragment Stock on Product { inStock shippingEstimate warehouse { code city } }
`;

const CASES: Case[] = [
  // Entity joins across three subgraphs, @requires (shippingEstimate needs weight) and @provides (author.name).
  {
    name: 'entity join across 3 subgraphs',
    query:
      '{ products(first: 3) { id name weight inStock shippingEstimate reviews { rating body author { name } } averageRating } }',
  },
  {
    name: 'entity join, one entity null in a subgraph',
    query: '{ products(first: 3) { id maker { name country } warehouse { code city } } }',
  },
  {
    name: '@provides: author name without a products fetch',
    query: '{ topReviews(first: 4) { id rating author { id name } product { name } } }',
  },
  {
    name: 'nested joins back and forth',
    query: '{ topReviews(first: 2) { product { name inStock reviews { author { name reviews { rating } } } } } }',
  },
  // Aliases, named and inline fragments, the same field selected twice (merged), __typename everywhere.
  {
    name: 'aliases',
    query: '{ a: product(id: "p1") { n: name w: weight s: shippingEstimate } b: product(id: "p2") { n: name id: id } }',
  },
  {
    name: 'named fragments, nested',
    query: `query Cards { products(first: 3) { ...ProductCard } } ${PRODUCT_FIELDS}`,
    operationName: 'Cards',
  },
  {
    name: 'same field via two fragments',
    query:
      '{ product(id: "p2") { warehouse { code } ... on Product { warehouse { city } name } ... on Product { name maker { name } } } }',
  },
  {
    name: '__typename at root and nested',
    query: '{ __typename product(id: "p1") { __typename t: __typename name maker { __typename } } }',
  },
  // Abstract types: a union and an interface, type conditions, fields of other subgraphs under them.
  {
    name: 'union with type conditions and joins',
    query:
      '{ search(term: "r") { __typename ... on Product { name inStock reviews { rating } } ... on Maker { name country } } }',
  },
  {
    name: 'interface',
    query:
      '{ a: node(id: "p2") { id __typename ... on Product { name averageRating } } b: node(id: "m1") { id ... on Maker { name } } c: node(id: "zz") { id } }',
  },
  {
    name: 'fragment on an interface spread into a union member',
    query: '{ search(term: "a") { ...N } } fragment N on Node { id ... on Product { price } }',
  },
  // Variables: defaults, explicit values, enums, @include/@skip from variables and literals.
  {
    name: 'variables with defaults (none sent)',
    query:
      'query P($first: Int = 2, $tags: Boolean = true) { products(first: $first) { id tags @include(if: $tags) } }',
  },
  {
    name: 'variables overriding defaults',
    query:
      'query P($first: Int = 2, $tags: Boolean = true) { products(first: $first) { id tags @include(if: $tags) } }',
    variables: { first: 4, tags: false },
  },
  {
    name: 'enum variable',
    query: 'query P($c: Category) { products(first: 5, category: $c) { id category } }',
    variables: { c: 'TOOLS' },
  },
  {
    name: '@skip/@include from variables on fields and fragments',
    query:
      'query P($s: Boolean!, $i: Boolean!) { product(id: "p1") { id name @skip(if: $s) ... on Product @include(if: $i) { inStock } ...F @skip(if: $i) } } fragment F on Product { weight }',
    variables: { s: true, i: false },
  },
  {
    name: '@skip/@include literals',
    query: '{ product(id: "p2") { id name @include(if: false) price @skip(if: false) inStock @include(if: true) } }',
  },
  {
    name: 'operation chosen by name',
    query: 'query A { product(id: "p1") { name } } query B { product(id: "p2") { name inStock } }',
    operationName: 'B',
  },
  // Errors: nullable field, non-null propagation inside a subgraph and across the join, a FORBIDDEN error.
  { name: 'nullable field error', query: '{ failing product(id: "p1") { name } }' },
  { name: 'non-null propagation inside a subgraph', query: '{ brokenProduct { id name } product(id: "p3") { name } }' },
  { name: 'non-null propagation across an entity join', query: '{ products(first: 4) { id name inStock } }' },
  {
    name: 'non-null error in a nested list from another subgraph',
    query: '{ product(id: "p3") { name reviews { id body } } }',
  },
  { name: 'auth error from a subgraph (FORBIDDEN)', query: '{ forbidden product(id: "p1") { name secret } }' },
  {
    name: 'auth error with a token',
    query: '{ product(id: "p1") { name secret inStock } }',
    headers: { authorization: 'TOKEN' },
  },
  // What a misbehaving subgraph answers, shaped by the gateway itself (extensions.valueCompletion).
  { name: 'invalid enum value from a subgraph', query: '{ rogueEnum { id kind size } }' },
  { name: 'invalid Int value from a subgraph', query: '{ rogueSize { id size label } }' },
  { name: 'unknown __typename from a subgraph', query: '{ rogueTypename { id kind } }' },
  { name: 'null in a non-null root field', query: '{ rogueNull { id } }' },
  { name: 'null inside a list of non-null items', query: '{ rogueList rogueFine { id kind } }' },
  { name: 'cache-control from a subgraph', query: '{ rogueCached }' },
  {
    name: 'content negotiation: graphql-response+json',
    query: '{ product(id: "p1") { name } }',
    headers: { accept: 'application/graphql-response+json' },
  },
  // Non-2xx and non-JSON subgraph answers: our gateway names the subgraph (SUBGRAPH_UNAVAILABLE) instead of Apollo's
  // anonymous error; data of the other subgraphs is the same.
  {
    name: 'subgraph answers 403',
    query: '{ rogueForbidden product(id: "p1") { name } }',
    ours: 'subgraph errors name the subgraph',
  },
  { name: 'subgraph answers 502 HTML', query: '{ rogueBadGateway }', ours: 'subgraph errors name the subgraph' },
  {
    name: 'subgraph answers text',
    query: '{ rogueNotJson product(id: "p2") { inStock } }',
    ours: 'subgraph errors name the subgraph',
  },
  // Left to Apollo's pipeline: introspection, invalid documents and variables, GET, mutations.
  {
    name: 'introspection __schema',
    query: '{ __schema { queryType { name } mutationType { name } } }',
    path: 'fallback',
  },
  {
    name: 'introspection __type with data',
    query: '{ __type(name: "Product") { name kind } product(id: "p1") { name } }',
    path: 'fallback',
  },
  { name: 'only __typename', query: '{ __typename }', path: 'fallback' },
  { name: 'syntax error', query: '{ product(id: "p1") { name }', path: 'fallback' },
  { name: 'validation error', query: '{ product(id: "p1") { nam } }', path: 'fallback' },
  { name: 'missing required variable', query: 'query P($id: ID!) { product(id: $id) { name } }', path: 'fallback' },
  {
    name: 'variable of the wrong type',
    query: 'query P($first: Int) { products(first: $first) { id } }',
    variables: { first: 'three' },
    path: 'fallback',
  },
  {
    name: 'unknown operation name',
    query: 'query A { product(id: "p1") { name } }',
    operationName: 'Nope',
    path: 'fallback',
  },
  {
    name: 'several operations, no name',
    query: 'query A { product(id: "p1") { name } } query B { product(id: "p2") { name } }',
    path: 'fallback',
  },
  { name: 'mutation', query: 'mutation { setStock(id: "p3", inStock: false) }', path: 'fallback' },
];

interface Answer {
  status: number;
  contentType: string | null;
  cacheControl: string | null;
  headers: Record<string, string>;
  text: string;
  body: any;
}

/** Response headers that differ per request or per connection anyway. */
const PER_REQUEST = new Set(['date', 'x-correlation-id', 'content-length', 'connection', 'keep-alive']);

async function post(
  url: string,
  c: Pick<Case, 'query' | 'variables' | 'operationName' | 'headers'>,
  token: string,
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...c.headers };
  if (headers.authorization === 'TOKEN') headers.authorization = `Bearer ${token}`;
  const r = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: c.query, variables: c.variables, operationName: c.operationName }),
  });
  const text = await r.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  const answered = Object.fromEntries([...r.headers].filter(([k]) => !PER_REQUEST.has(k)));
  return {
    status: r.status,
    contentType: r.headers.get('content-type'),
    cacheControl: r.headers.get('cache-control'),
    headers: answered,
    text,
    body,
  };
}

const errorsOf = (list: any[] | undefined) =>
  list?.map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code }));
/** What must match plain Apollo: status, content type, data, and each error's message, path and code. */
const comparable = (a: Answer) => ({
  status: a.status,
  contentType: a.contentType,
  data: a.body?.data,
  errors: errorsOf(a.body?.errors),
  valueCompletion: errorsOf(a.body?.extensions?.valueCompletion),
});

async function counters(gw: GatewayServer): Promise<Record<string, number>> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const out: Record<string, number> = { fast: 0, shared: 0, fallback: 0 };
  for (const m of text.matchAll(/^carbon_nexus_graphql_fast_path_requests_total\{outcome="(\w+)"\} (\d+)/gm))
    out[m[1]] = Number(m[2]);
  return out;
}

describe('differential: our gateway answers as plain @apollo/gateway', () => {
  let fixture: Fixture;
  let plain: { url: string; stop(): Promise<void> };
  let fast: GatewayServer;
  let slow: GatewayServer;
  let token: string;

  beforeAll(async () => {
    fixture = await startFixture();
    const gateway = new ApolloGateway({
      supergraphSdl: fixture.supergraphSdl,
      buildService: ({ name }) => new RemoteGraphQLDataSource({ url: fixture.urls[name!] }),
    });
    const server = new ApolloServer({ gateway });
    const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
    plain = { url: url.replace('localhost', '127.0.0.1'), stop: () => server.stop() };
    const env = (fastPath: string) => ({
      ...process.env,
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
      GATEWAY_FAST_PATH: fastPath,
    });
    const urls = Object.fromEntries(Object.entries(fixture.urls));
    fast = await startGateway({
      subgraphUrls: urls,
      supergraphSdl: fixture.supergraphSdl,
      port: 0,
      serveWeb: false,
      env: env('on'),
    });
    slow = await startGateway({
      subgraphUrls: urls,
      supergraphSdl: fixture.supergraphSdl,
      port: 0,
      serveWeb: false,
      env: env('off'),
    });
    token = await signDevToken({ sub: 'diff', roles: ['viewer'], supplierIds: null });
  });

  afterAll(async () => {
    await fast?.close();
    await slow?.close();
    await plain?.stop();
    await fixture?.close();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const before = await counters(fast);
      const ours = await post(`${fast.url}/graphql`, c, token);
      const after = await counters(fast);
      const reference = await post(`${slow.url}/graphql`, c, token);
      // Fast path on and off: the same bytes, status and headers.
      expect({ status: ours.status, headers: ours.headers, text: ours.text }).toEqual({
        status: reference.status,
        headers: reference.headers,
        text: reference.text,
      });
      expect(after[c.path ?? 'fast'] - before[c.path ?? 'fast'], `answered by the ${c.path ?? 'fast'} path`).toBe(1);
      const apollo = await post(`${plain.url}`, { ...c, headers: { ...c.headers, authorization: '' } }, token);
      if (!c.ours) {
        expect(comparable(ours)).toEqual(comparable(apollo));
      } else {
        // The same data; Apollo's anonymous error for the failed subgraph is ours naming it.
        expect(ours.body.data).toEqual(apollo.body.data);
        expect(ours.body.errors.map((e: any) => [e.path, e.extensions.code, e.extensions.serviceName])).toEqual(
          apollo.body.errors.map((e: any) => [e.path, 'SUBGRAPH_UNAVAILABLE', 'rogue']),
        );
      }
    });
  }

  it('depth and cost limits: the same refusal with the fast path on and off', async () => {
    // product { reviews { … } } nested seven times under topReviews: depth 16 (limit 12).
    const deep = { query: `{ topReviews { ${'product { reviews { '.repeat(7)}id${' } }'.repeat(7)} } }` };
    const costly = {
      query:
        'query P($n: Int) { topReviews(first: $n) { id } products(first: $n) { reviews { author { reviews { id } } } } }',
      variables: { n: 100000 },
    };
    for (const c of [deep, costly]) {
      const [a, b] = [await post(`${fast.url}/graphql`, c, token), await post(`${slow.url}/graphql`, c, token)];
      expect(a.status).toBe(400);
      expect([a.status, a.text]).toEqual([b.status, b.text]);
      expect(['QUERY_TOO_DEEP', 'QUERY_TOO_COSTLY']).toContain(a.body.errors[0].extensions.code);
    }
  });

  it('an invalid token is refused the same way (401) by both paths', async () => {
    const c = { query: '{ product(id: "p1") { name } }', headers: { authorization: 'Bearer not-a-token' } };
    const [a, b] = [await post(`${fast.url}/graphql`, c, token), await post(`${slow.url}/graphql`, c, token)];
    expect(a.status).toBe(401);
    expect([a.status, a.text]).toEqual([b.status, b.text]);
  });

  it('identical queries in flight share one execution; a write in between is never joined', async () => {
    const q = { query: '{ product(id: "p2") { id slowStock } }' };
    const servedBefore = fixture.state.requests.inventory ?? 0;
    let open!: () => void;
    fixture.state.gate = new Promise<void>((r) => (open = r));
    fixture.state.stock.p2 = true;
    const first = Array.from({ length: 8 }, () => post(`${fast.url}/graphql`, q, token));
    // Wait until the inventory fetch is running (it read the stock, then waits at the gate).
    await expect.poll(() => fixture.state.requests.inventory ?? 0).toBeGreaterThan(servedBefore);
    const w = await post(`${fast.url}/graphql`, { query: 'mutation { setStock(id: "p2", inStock: false) }' }, token);
    expect(w.body).toEqual({ data: { setStock: true } });
    // The same query after the write: not joined to the executions that began before it.
    const later = post(`${fast.url}/graphql`, q, token);
    await expect.poll(() => fixture.state.requests.inventory ?? 0).toBeGreaterThan(servedBefore + 2);
    fixture.state.gate = null;
    open();
    const answers = await Promise.all(first);
    for (const a of answers) expect(a.body).toEqual({ data: { product: { id: 'p2', slowStock: true } } });
    expect((await later).body).toEqual({ data: { product: { id: 'p2', slowStock: false } } });
    // 8 identical requests, one inventory fetch before the write (plus the mutation's and the later query's).
    expect((fixture.state.requests.inventory ?? 0) - servedBefore).toBe(3);
    fixture.state.stock.p2 = true;
  });

  it('a subgraph down: partial data and an error naming it, alike with the fast path on and off', async () => {
    await fixture.stop('reviews');
    const c = { query: '{ products(first: 2) { id name averageRating reviews { rating } } }' };
    const [a, b, p] = [
      await post(`${fast.url}/graphql`, c, token),
      await post(`${slow.url}/graphql`, c, token),
      await post(plain.url, c, token),
    ];
    expect([a.status, a.text]).toEqual([b.status, b.text]);
    expect(a.body.errors[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'reviews' });
    // Plain Apollo's data for the same failure (its error message carries the subgraph's address instead).
    expect(a.body.data).toEqual(p.body.data);
  });
});
