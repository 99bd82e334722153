// In-memory subgraphs for measuring a gateway alone: three plain @apollo/subgraph schemas (buildSubgraphSchema) with
// the same shapes and names as data-core, orchestration and ml-engine for the join query (JOIN_QUERY), over fixed
// data and no database, each on its own port in one process.
// Serving is deliberately cheap so the gateway's own work dominates what is measured: documents are parsed and
// validated once, and an answer (a pure function of the request body over fixed data) is computed once and then
// served from memory.
import http from 'node:http';
import crypto from 'node:crypto';
import { parse, validate, execute, specifiedRules, type DocumentNode, type GraphQLSchema } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { composeServices } from '@apollo/composition';

const FEDERATION =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

const DATA_CORE = /* GraphQL */ `
  ${FEDERATION}
  enum SupplierCategory { TRANSPORT FACTORY WAREHOUSE DELIVERY }
  type Supplier @key(fields: "id") {
    id: ID!
    externalId: String
    name: String!
    category: SupplierCategory!
    country: String
    createdAt: String!
    updatedAt: String!
  }
  type SupplierEdge { cursor: String! node: Supplier! }
  type PageInfo @shareable { hasNextPage: Boolean! endCursor: String }
  type SupplierConnection { edges: [SupplierEdge!]! nodes: [Supplier!]! pageInfo: PageInfo! totalCount: Int! }
  type Query {
    supplier(id: ID!): Supplier
    suppliers(first: Int = 50, after: String, search: String): SupplierConnection!
  }
`;

const ORCHESTRATION = /* GraphQL */ `
  ${FEDERATION}
  enum Severity { INFO WARN CRITICAL }
  enum HotspotStatus { OPEN ACKNOWLEDGED RESOLVED }
  type Hotspot @key(fields: "id") {
    id: ID!
    entityType: String!
    entityId: String!
    entityName: String
    supplier: Supplier
    predictedKg: Float!
    baselineKg: Float!
    percentAbove: Float!
    severity: Severity!
    status: HotspotStatus!
    windowStart: String!
    windowEnd: String!
  }
  type Supplier @key(fields: "id") {
    id: ID!
    hotspots(status: HotspotStatus, first: Int = 20): [Hotspot!]!
  }
  type Query { hotspot(id: ID!): Hotspot }
`;

const ML_ENGINE = /* GraphQL */ `
  ${FEDERATION}
  type Prediction @key(fields: "id") {
    id: ID!
    model: String!
    modelVersion: String!
    supplier: Supplier
    timestamp: String
    co2eKg: Float!
    lowerKg: Float
    upperKg: Float
    confidence: Float
  }
  type Supplier @key(fields: "id") {
    id: ID!
    predictions(first: Int = 20): [Prediction!]!
  }
  type Query { prediction(id: ID!): Prediction }
`;

const uuid = (s: string) => {
  const h = crypto.createHash('md5').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const CATEGORIES = ['TRANSPORT', 'FACTORY', 'WAREHOUSE', 'DELIVERY'];
const SEVERITIES = ['INFO', 'WARN', 'CRITICAL'];
/** Suppliers "Supplier 000" … "Supplier 499": a search for "Supplier 0" … "Supplier 4" selects a hundred each. */
export const MEMORY_SUPPLIERS = 500;
const now = Date.parse('2026-11-27T12:00:00Z');

const suppliers = Array.from({ length: MEMORY_SUPPLIERS }, (_, i) => ({
  id: uuid(`s${i}`),
  externalId: `EXT-${i}`,
  name: `Supplier ${String(i).padStart(3, '0')}`,
  category: CATEGORIES[i % 4],
  country: 'DE',
  createdAt: new Date(now - 86_400_000).toISOString(),
  updatedAt: new Date(now).toISOString(),
}));
const byId = new Map(suppliers.map((s) => [s.id, s]));
const hotspotsOf = new Map(
  suppliers.map((s, i) => [
    s.id,
    [1, 2].map((k) => ({
      id: uuid(`h${i}-${k}`),
      entityType: 'supplier',
      entityId: s.id,
      entityName: s.name,
      supplier: { id: s.id },
      predictedKg: 100 + i,
      baselineKg: 60,
      percentAbove: ((40 + i) / 60) * 100,
      severity: SEVERITIES[(i + k) % 3],
      status: 'OPEN',
      windowStart: new Date(now - 3_600_000).toISOString(),
      windowEnd: new Date(now).toISOString(),
    })),
  ]),
);
const predictionsOf = new Map(
  suppliers.map((s, i) => [
    s.id,
    [1, 2, 3, 4, 5].map((k) => ({
      id: uuid(`p${i}-${k}`),
      model: 'logistics',
      modelVersion: '1.0.0',
      supplier: { id: s.id },
      timestamp: new Date(now - k * 3_600_000).toISOString(),
      co2eKg: 10 * k + i,
      lowerKg: 9 * k + i,
      upperKg: 11 * k + i,
      confidence: 0.8,
    })),
  ]),
);
const hotspotById = new Map([...hotspotsOf.values()].flat().map((h) => [h.id, h]));
const predictionById = new Map([...predictionsOf.values()].flat().map((p) => [p.id, p]));

const resolvers = {
  'data-core': {
    Query: {
      supplier: (_: unknown, a: { id: string }) => byId.get(a.id) ?? null,
      suppliers: (_: unknown, a: { first: number; search?: string | null }) => {
        const term = a.search?.toLowerCase();
        const all = term ? suppliers.filter((s) => s.name.toLowerCase().includes(term)) : suppliers;
        const page = all.slice(0, Math.max(0, Math.min(a.first, 200)));
        return {
          nodes: page,
          edges: page.map((s) => ({ cursor: s.id, node: s })),
          pageInfo: { hasNextPage: page.length < all.length, endCursor: page.at(-1)?.id ?? null },
          totalCount: all.length,
        };
      },
    },
    Supplier: { __resolveReference: (r: { id: string }) => byId.get(r.id) ?? null },
  },
  orchestration: {
    Query: { hotspot: (_: unknown, a: { id: string }) => hotspotById.get(a.id) ?? null },
    Hotspot: { __resolveReference: (r: { id: string }) => hotspotById.get(r.id) ?? null },
    Supplier: {
      __resolveReference: (r: { id: string }) => ({ id: r.id }),
      hotspots: (s: { id: string }, a: { first: number }) => (hotspotsOf.get(s.id) ?? []).slice(0, a.first),
    },
  },
  'ml-engine': {
    Query: { prediction: (_: unknown, a: { id: string }) => predictionById.get(a.id) ?? null },
    Prediction: { __resolveReference: (r: { id: string }) => predictionById.get(r.id) ?? null },
    Supplier: {
      __resolveReference: (r: { id: string }) => ({ id: r.id }),
      predictions: (s: { id: string }, a: { first: number }) => (predictionsOf.get(s.id) ?? []).slice(0, a.first),
    },
  },
};

export const MEMORY_SUBGRAPHS = [
  { name: 'data-core', typeDefs: parse(DATA_CORE), resolvers: resolvers['data-core'] },
  { name: 'orchestration', typeDefs: parse(ORCHESTRATION), resolvers: resolvers.orchestration },
  { name: 'ml-engine', typeDefs: parse(ML_ENGINE), resolvers: resolvers['ml-engine'] },
];

export function composeMemorySupergraph(urls: Record<string, string>): string {
  const r = composeServices(MEMORY_SUBGRAPHS.map((s) => ({ name: s.name, typeDefs: s.typeDefs, url: urls[s.name] })));
  if (r.errors?.length || !r.supergraphSdl)
    throw new Error(`memory subgraphs do not compose: ${r.errors?.map((e) => e.message).join('; ')}`);
  return r.supergraphSdl;
}

export interface MemorySubgraphs {
  urls: Record<string, string>;
  supergraphSdl: string;
  /** Requests answered so far, all subgraphs together. */
  requests(): number;
  close(): Promise<void>;
}

/** Serves one subgraph schema: POST JSON, documents parsed and validated once, answers memoised by request body. */
function serve(schema: GraphQLSchema, count: () => void): http.Server {
  const documents = new Map<string, DocumentNode | readonly unknown[]>();
  const answers = new Map<string, string>();
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      count();
      const body = Buffer.concat(chunks).toString();
      let answer = answers.get(body);
      if (answer === undefined) {
        let status = 200;
        try {
          const { query, variables, operationName } = JSON.parse(body) as {
            query: string;
            variables?: Record<string, unknown>;
            operationName?: string;
          };
          let doc = documents.get(query);
          if (!doc) {
            const d = parse(query);
            const errors = validate(schema, d, specifiedRules);
            documents.set(query, (doc = errors.length ? errors : d));
          }
          const result = Array.isArray(doc)
            ? { errors: doc }
            : await execute({ schema, document: doc as DocumentNode, variableValues: variables, operationName });
          answer = JSON.stringify(result);
        } catch (err) {
          status = 400;
          answer = JSON.stringify({ errors: [{ message: (err as Error).message }] });
        }
        if (status !== 200) {
          res.writeHead(status, { 'content-type': 'application/json' }).end(answer);
          return;
        }
        if (answers.size >= 20_000) answers.delete(answers.keys().next().value!);
        answers.set(body, answer);
      }
      res
        .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) })
        .end(answer);
    });
  });
}

export async function startMemorySubgraphs(host = '127.0.0.1'): Promise<MemorySubgraphs> {
  let requests = 0;
  const servers: http.Server[] = [];
  const urls: Record<string, string> = {};
  for (const s of MEMORY_SUBGRAPHS) {
    const server = serve(
      buildSubgraphSchema([{ typeDefs: s.typeDefs, resolvers: s.resolvers as any }]),
      () => requests++,
    );
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => server.listen(0, host, r));
    servers.push(server);
    urls[s.name] = `http://${host}:${(server.address() as { port: number }).port}/graphql`;
  }
  return {
    urls,
    supergraphSdl: composeMemorySupergraph(urls),
    requests: () => requests,
    async close() {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      }
    },
  };
}
