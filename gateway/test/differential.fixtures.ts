// Subgraphs for the differential test: three Apollo subgraphs (entity joins, @requires, @provides, an interface, a
// union, errors on nullable and non-null fields, a FORBIDDEN error, a mutation, a slow field) and one "rogue"
// subgraph, a raw HTTP server answering canned JSON that a well-behaved subgraph never would (invalid enum values,
// nulls in non-null positions, unknown __typename, non-2xx and non-JSON answers, cache-control), so the gateway's
// own result shaping and error paths are exercised. All in memory, each on its own port.
import http from 'node:http';
import { GraphQLError, parse } from 'graphql';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { composeServices } from '@apollo/composition';

const LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@provides"])';

const PRODUCTS = `${LINK}
  interface Node { id: ID! }
  enum Category { FOOD TOOLS TOYS }
  type Product implements Node @key(fields: "id") {
    id: ID!
    name: String!
    price: Float
    weight: Float
    category: Category!
    tags: [String!]!
    maker: Maker
    secret: String
  }
  type Maker implements Node @key(fields: "id") { id: ID! name: String! country: String }
  type User @key(fields: "id") { id: ID! name: String @shareable username: String! }
  union SearchResult = Product | Maker
  type Query {
    product(id: ID!): Product
    products(first: Int = 3, category: Category): [Product!]!
    search(term: String!): [SearchResult!]!
    node(id: ID!): Node
    user(id: ID!): User
    failing: String
    forbidden: String
    brokenProduct: Product
  }
`;

const INVENTORY = `${LINK}
  type Product @key(fields: "id") {
    id: ID!
    weight: Float @external
    inStock: Boolean!
    shippingEstimate: Float @requires(fields: "weight")
    warehouse: Warehouse
    slowStock: Boolean!
  }
  type Warehouse { code: String! city: String }
  type Mutation { setStock(id: ID!, inStock: Boolean!): Boolean! }
`;

const REVIEWS = `${LINK}
  type Review { id: ID! body: String! rating: Int! author: User! @provides(fields: "name") product: Product }
  type User @key(fields: "id") { id: ID! name: String @external reviews: [Review!]! }
  type Product @key(fields: "id") { id: ID! reviews: [Review!]! averageRating: Float }
  type Query { topReviews(first: Int = 2): [Review!]! }
`;

const ROGUE = `${LINK}
  enum Kind { SMALL LARGE }
  type Gadget { id: ID! kind: Kind! size: Int label: String }
  type Query {
    rogueEnum: Gadget
    rogueSize: Gadget
    rogueTypename: Gadget
    rogueNull: Gadget!
    rogueList: [Int!]
    rogueForbidden: String
    rogueBadGateway: String
    rogueNotJson: String
    rogueCached: String
    rogueFine: Gadget
  }
`;

const products = [
  { id: 'p1', name: 'Apple', price: 1.5, weight: 0.2, category: 'FOOD', tags: ['fresh'], makerId: 'm1' },
  { id: 'p2', name: 'Hammer', price: 12, weight: 1.1, category: 'TOOLS', tags: ['steel', 'heavy'], makerId: 'm2' },
  { id: 'p3', name: 'Kite', price: null, weight: null, category: 'TOYS', tags: [], makerId: null },
  { id: 'p4', name: 'Drill', price: 80, weight: 2.4, category: 'TOOLS', tags: ['power'], makerId: 'm2' },
];
const makers = [
  { id: 'm1', name: 'Orchard Co', country: 'FR' },
  { id: 'm2', name: 'Forge Ltd', country: null },
];
const users = [
  { id: 'u1', name: 'Ada', username: 'ada' },
  { id: 'u2', name: 'Linus', username: 'linus' },
];
const reviews = [
  { id: 'r1', body: 'Crisp', rating: 5, authorId: 'u1', productId: 'p1' },
  { id: 'r2', body: 'Heavy', rating: 3, authorId: 'u2', productId: 'p2' },
  { id: 'r3', body: 'BROKEN', rating: 1, authorId: 'u1', productId: 'p3' },
  { id: 'r4', body: 'Fine', rating: 4, authorId: 'u2', productId: 'p2' },
];
const byId = <T extends { id: string }>(list: T[], id: string) => list.find((x) => x.id === id) ?? null;

export interface FixtureState {
  stock: Record<string, boolean>;
  /** Entity and root requests each subgraph served. */
  requests: Record<string, number>;
  /** While set, slowStock waits for it (read-your-writes test); it reads stock before waiting. */
  gate: Promise<void> | null;
}

function resolversFor(state: FixtureState) {
  return {
    products: {
      Query: {
        product: (_: unknown, a: { id: string }) => byId(products, a.id),
        products: (_: unknown, a: { first: number; category?: string }) =>
          products.filter((p) => !a.category || p.category === a.category).slice(0, a.first),
        search: (_: unknown, a: { term: string }) =>
          [...products, ...makers].filter((x) => x.name.toLowerCase().includes(a.term.toLowerCase())),
        node: (_: unknown, a: { id: string }) => byId(products, a.id) ?? byId(makers, a.id),
        user: (_: unknown, a: { id: string }) => byId(users, a.id),
        failing: () => {
          throw new Error('failing field failed');
        },
        forbidden: () => {
          throw new GraphQLError('not allowed to read this', { extensions: { code: 'FORBIDDEN' } });
        },
        brokenProduct: () => ({ id: 'px', name: null, category: 'FOOD', tags: [] }),
      },
      Node: { __resolveType: (x: { makerId?: unknown }) => ('makerId' in x ? 'Product' : 'Maker') },
      SearchResult: { __resolveType: (x: { makerId?: unknown }) => ('makerId' in x ? 'Product' : 'Maker') },
      Product: {
        __resolveReference: (r: { id: string }) => byId(products, r.id),
        maker: (p: { makerId: string | null }) => (p.makerId ? byId(makers, p.makerId) : null),
        secret: () => {
          throw new GraphQLError('secret needs the approver role', { extensions: { code: 'FORBIDDEN' } });
        },
      },
      Maker: { __resolveReference: (r: { id: string }) => byId(makers, r.id) },
      User: { __resolveReference: (r: { id: string }) => byId(users, r.id) },
    },
    inventory: {
      Product: {
        __resolveReference: (r: { id: string; weight?: number | null }) => ({ ...r }),
        inStock: (p: { id: string }) => {
          if (p.id === 'p4') throw new Error('stock service timed out for p4');
          return state.stock[p.id] ?? false;
        },
        shippingEstimate: (p: { weight?: number | null }) =>
          p.weight == null ? null : Math.round(p.weight * 3.5 * 100) / 100,
        warehouse: (p: { id: string }) =>
          p.id === 'p3' ? null : { code: `W-${p.id}`, city: p.id === 'p1' ? 'Lyon' : null },
        slowStock: async (p: { id: string }) => {
          const value = state.stock[p.id] ?? false;
          if (state.gate) await state.gate;
          return value;
        },
      },
      Mutation: {
        setStock: (_: unknown, a: { id: string; inStock: boolean }) => {
          state.stock[a.id] = a.inStock;
          return true;
        },
      },
    },
    reviews: {
      Query: { topReviews: (_: unknown, a: { first: number }) => reviews.slice(0, a.first) },
      Review: {
        body: (r: { body: string }) => {
          if (r.body === 'BROKEN') throw new Error('review body is unreadable');
          return r.body;
        },
        author: (r: { authorId: string }) => byId(users, r.authorId),
        product: (r: { productId: string }) => ({ id: r.productId }),
      },
      User: {
        __resolveReference: (r: { id: string }) => ({ id: r.id }),
        reviews: (u: { id: string }) => reviews.filter((r) => r.authorId === u.id),
      },
      Product: {
        __resolveReference: (r: { id: string }) => ({ id: r.id }),
        reviews: (p: { id: string }) => reviews.filter((r) => r.productId === p.id),
        averageRating: (p: { id: string }) => {
          const rs = reviews.filter((r) => r.productId === p.id);
          return rs.length ? rs.reduce((a, r) => a + r.rating, 0) / rs.length : null;
        },
      },
    },
  };
}

/** Canned answers of the rogue subgraph, per root field. */
const ROGUE_ANSWERS: Record<string, { status?: number; type?: string; cacheControl?: string; body: unknown }> = {
  rogueEnum: { body: { data: { rogueEnum: { id: 'g1', kind: 'HUGE', size: 1, label: 'x' } } } },
  rogueSize: { body: { data: { rogueSize: { id: 'g2', kind: 'SMALL', size: 'big', label: null } } } },
  rogueTypename: {
    body: { data: { rogueTypename: { __typename: 'Secret', id: 'g3', kind: 'SMALL', size: 2, label: 'y' } } },
  },
  rogueNull: { body: { data: { rogueNull: null } } },
  rogueList: { body: { data: { rogueList: [1, null, 3] } } },
  rogueForbidden: { status: 403, body: { errors: [{ message: 'no access', extensions: { code: 'FORBIDDEN' } }] } },
  rogueBadGateway: { status: 502, type: 'text/html', body: '<html>bad gateway</html>' },
  rogueNotJson: { type: 'text/plain', body: 'oops' },
  rogueCached: { cacheControl: 'max-age=60, public', body: { data: { rogueCached: 'cacheable' } } },
  rogueFine: { body: { data: { rogueFine: { id: 'g9', kind: 'LARGE', size: 9, label: null } } } },
};

function startRogue(state: FixtureState): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      state.requests.rogue = (state.requests.rogue ?? 0) + 1;
      const { query } = JSON.parse(body) as { query: string };
      const fields = Object.keys(ROGUE_ANSWERS).filter((f) => new RegExp(`\\b${f}\\b`).test(query));
      // One canned answer decides the status/type of the response; data of several JSON answers are merged.
      const first = ROGUE_ANSWERS[fields[0]] ?? { body: { data: {} } };
      const data = Object.assign({}, ...fields.map((f) => (ROGUE_ANSWERS[f].body as { data?: object }).data ?? {}));
      const payload =
        typeof first.body === 'string' ? first.body : JSON.stringify(first.status ? first.body : { data });
      res.writeHead(first.status ?? 200, {
        'content-type': first.type ?? 'application/json',
        ...(first.cacheControl ? { 'cache-control': first.cacheControl } : {}),
      });
      res.end(payload);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`,
        close: () => {
          server.closeAllConnections();
          return new Promise((r) => server.close(() => r()));
        },
      }),
    ),
  );
}

export interface Fixture {
  urls: Record<string, string>;
  supergraphSdl: string;
  state: FixtureState;
  /** Stops one subgraph (the "subgraph down" cases); close() stops the rest. */
  stop(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  const state: FixtureState = { stock: { p1: true, p2: true, p3: false, p4: true }, requests: {}, gate: null };
  const resolvers = resolversFor(state);
  const stops = new Map<string, () => Promise<void>>();
  const urls: Record<string, string> = {};
  for (const [name, sdl] of [
    ['products', PRODUCTS],
    ['inventory', INVENTORY],
    ['reviews', REVIEWS],
  ] as const) {
    const server = new ApolloServer({
      schema: buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: resolvers[name] as any }]),
      includeStacktraceInErrorResponses: false,
      plugins: [
        {
          async requestDidStart() {
            state.requests[name] = (state.requests[name] ?? 0) + 1;
          },
        },
      ],
    });
    const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
    urls[name] = url.replace('localhost', '127.0.0.1');
    stops.set(name, () => server.stop());
  }
  const rogue = await startRogue(state);
  urls.rogue = rogue.url;
  stops.set('rogue', rogue.close);
  const composed = composeServices(
    [
      ['products', PRODUCTS],
      ['inventory', INVENTORY],
      ['reviews', REVIEWS],
      ['rogue', ROGUE],
    ].map(([name, sdl]) => ({ name, typeDefs: parse(sdl), url: urls[name] })),
  );
  if (composed.errors?.length || !composed.supergraphSdl)
    throw new Error(`fixture does not compose: ${composed.errors?.map((e) => e.message).join('; ')}`);
  return {
    urls,
    supergraphSdl: composed.supergraphSdl,
    state,
    async stop(name) {
      await stops.get(name)?.();
      stops.delete(name);
    },
    async close() {
      for (const s of stops.values()) await s();
    },
  };
}
