import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { badInput, canSeeSupplier, notFound, requireRole, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { Resolvers } from '../generated/resolvers-types.ts';
import type { RecommendationsState } from '../plugin.ts';
import { changeStatus, fromSql, getRows, requireUuid, type RecRow } from '../domain/store.ts';
import { HotspotNotFoundError } from '../domain/engine.ts';
import { CATEGORIES } from '../knowledge/kb.ts';
import { loaders, scopeSql } from './loaders.ts';
import { measureToGraph, toGraph } from './mapping.ts';
import { filterIterator } from './subscriptions.ts';
import { recommendationCreated, recommendationUpdated } from '../../client/topics.ts';

type Ctx = ResolverContext<RecommendationsState>;

const STATUSES = new Set(['OPEN', 'APPROVED', 'DISMISSED']);

function encodeCursor(r: { score: number; id: string }): string {
  return Buffer.from(JSON.stringify([r.score, r.id])).toString('base64url');
}

function decodeCursor(after: string): [number, string] {
  try {
    const v = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string' && /^[0-9a-f-]{36}$/i.test(v[1])) return [v[0], v[1]];
  } catch {
    /* below */
  }
  throw badInput('after', 'not a cursor returned by this field (use pageInfo.endCursor)');
}

const MAX_REASON = 2000;

function cleanReason(reason: string | null | undefined, required: boolean): string | null {
  const r = reason?.trim() ?? '';
  if (required && !r) throw badInput('reason', 'a reason is required to dismiss a recommendation');
  if (r.length > MAX_REASON) throw badInput('reason', `at most ${MAX_REASON} characters (got ${r.length})`);
  return r || null;
}

async function publishUpdated(ctx: Ctx, row: RecRow) {
  await ctx.services.bus.publish(recommendationUpdated, { id: row.id, hotspotId: row.hotspotId, status: row.status, supplierId: row.supplierId });
}

const circuitOf = (s: string) => (s === 'open' ? 'OPEN' : s === 'half_open' ? 'HALF_OPEN' : 'CLOSED') as 'OPEN' | 'HALF_OPEN' | 'CLOSED';

function literal(v: ValueNode): unknown {
  switch (v.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return v.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(v.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return v.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(v.fields.map((f) => [f.name.value, literal(f.value)]));
    default:
      return undefined;
  }
}

const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Arbitrary JSON value.',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: literal,
});

export const resolvers: Resolvers = {
  JSON: JSONScalar,
  Query: {
    async recommendations(_p, args, ctx) {
      const first = args.first ?? 20;
      if (first < 1 || first > 200) throw badInput('first', `must be between 1 and 200 (got ${first})`);
      const params: unknown[] = [];
      const where: string[] = [];
      if (args.status) {
        if (!STATUSES.has(args.status)) throw badInput('status', `unknown status ${args.status}`);
        params.push(args.status.toLowerCase());
        where.push(`status = $${params.length}`);
      }
      if (args.hotspotId) {
        params.push(requireUuid('hotspotId', args.hotspotId));
        where.push(`hotspot_id = $${params.length}`);
      }
      if (args.supplierId) {
        params.push(requireUuid('supplierId', args.supplierId));
        where.push(`supplier_id = $${params.length}`);
      }
      if (args.source) {
        params.push(args.source.toLowerCase());
        where.push(`source = $${params.length}`);
      }
      where.push(scopeSql(ctx, params));
      const base = where.join(' AND ');
      const countParams = [...params];
      let keyset = '';
      if (args.after) {
        const [score, id] = decodeCursor(args.after);
        params.push(score, id);
        keyset = ` AND (score < $${params.length - 1} OR (score = $${params.length - 1} AND id < $${params.length}::uuid))`;
      }
      params.push(first + 1);
      const db = ctx.services.db;
      const [rows, count] = await Promise.all([
        db.query(`SELECT * FROM recommendations WHERE ${base}${keyset} ORDER BY score DESC, id DESC LIMIT $${params.length}`, params),
        db.query<{ n: string | number }>(`SELECT count(*) AS n FROM recommendations WHERE ${base}`, countParams),
      ]);
      const page = rows.slice(0, first).map(fromSql);
      const nodes = page.map(toGraph);
      return {
        edges: page.map((r, i) => ({ cursor: encodeCursor(r), node: nodes[i]! })),
        nodes,
        pageInfo: { hasNextPage: rows.length > first, endCursor: page.length ? encodeCursor(page[page.length - 1]!) : null },
        totalCount: Number(count[0]?.n ?? 0),
      } as any;
    },
    async recommendation(_p, { id }, ctx) {
      requireUuid('id', id);
      const r = await loaders(ctx).byId.load(id);
      return r ? (toGraph(r) as any) : null;
    },
    knowledgeBase(_p, args, ctx) {
      const first = args.first ?? 100;
      if (first < 1 || first > 200) throw badInput('first', `must be between 1 and 200 (got ${first})`);
      const category = args.category?.toLowerCase() ?? null;
      if (category && !(CATEGORIES as readonly string[]).includes(category)) throw badInput('category', `must be one of ${CATEGORIES.join(', ')} (got ${args.category})`);
      if (args.search && args.search.length > 500) throw badInput('search', 'at most 500 characters');
      const state = (ctx as Ctx).state;
      return state.kb.browse(args.search, category).slice(0, first).map((h) => measureToGraph(h.measure, h.relevance)) as any;
    },
    recommendationEngine(_p, _a, ctx) {
      const { engine, kb } = (ctx as Ctx).state;
      return {
        ragConfigured: !!engine.rag,
        ragCircuit: circuitOf(engine.rag?.state ?? 'closed'),
        llmConfigured: !!engine.llm,
        knowledgeBaseSize: kb.measures.length,
        queued: engine.queue.size,
      };
    },
  },
  Mutation: {
    async approveRecommendation(_p, { id, reason }, ctx) {
      const auth = requireRole(ctx.auth, 'approver');
      const { row } = await changeStatus(ctx.services, auth, id, 'approved', cleanReason(reason, false));
      await publishUpdated(ctx as Ctx, row);
      return toGraph(row) as any;
    },
    async dismissRecommendation(_p, { id, reason }, ctx) {
      const auth = requireRole(ctx.auth, 'approver');
      const r = cleanReason(reason, true);
      const { row } = await changeStatus(ctx.services, auth, id, 'dismissed', r);
      await publishUpdated(ctx as Ctx, row);
      return toGraph(row) as any;
    },
    async generateRecommendations(_p, { hotspotId }, ctx) {
      requireRole(ctx.auth, 'analyst', 'approver');
      requireUuid('hotspotId', hotspotId);
      const { engine } = (ctx as Ctx).state;
      let result;
      try {
        result = await engine.generate(hotspotId);
      } catch (err) {
        if (err instanceof HotspotNotFoundError) throw notFound('hotspot', hotspotId);
        throw err instanceof GraphQLError ? err : new GraphQLError(`generation failed for hotspot ${hotspotId}: ${(err as Error).message}`, { extensions: { code: 'UPSTREAM_FAILED' } });
      }
      if (!canSeeSupplier(ctx.auth, result.supplierId)) throw notFound('hotspot', hotspotId);
      await ctx.services.audit({ action: 'recommendation.generate', entityType: 'hotspot', entityId: hotspotId, metadata: { source: result.source, created: result.created.length, refreshed: result.refreshed.length } });
      const all = await loaders(ctx).byHotspot.load(hotspotId);
      return {
        hotspotId,
        source: result.source.toUpperCase() as 'RAG' | 'RETRIEVAL' | 'RULES',
        created: result.created.length,
        refreshed: result.refreshed.length,
        recommendations: all.map(toGraph) as any,
      };
    },
  },
  Subscription: {
    recommendationCreated: {
      subscribe: (_p: unknown, args: { supplierIds?: string[] | null; hotspotId?: string | null }, ctx: Ctx) => {
        const want = args.supplierIds ?? null;
        return filterIterator(ctx.services.bus.iterate(recommendationCreated, { bufferSize: 500 }), (p) =>
          canSeeSupplier(ctx.auth, p.supplierId) && (!want || (!!p.supplierId && want.includes(p.supplierId))) && (!args.hotspotId || p.hotspotId === args.hotspotId),
        ) as any;
      },
      resolve: async (payload: { id: string }, _a: unknown, ctx: Ctx) => {
        const [row] = await getRows(ctx.services.db, [payload.id]);
        if (!row) throw notFound('recommendation', payload.id);
        return toGraph(row);
      },
    } as any,
    recommendationUpdated: {
      subscribe: (_p: unknown, args: { supplierIds?: string[] | null }, ctx: Ctx) => {
        const want = args.supplierIds ?? null;
        return filterIterator(ctx.services.bus.iterate(recommendationUpdated, { bufferSize: 500 }), (p) =>
          canSeeSupplier(ctx.auth, p.supplierId) && (!want || (!!p.supplierId && want.includes(p.supplierId))),
        ) as any;
      },
      resolve: async (payload: { id: string }, _a: unknown, ctx: Ctx) => {
        const [row] = await getRows(ctx.services.db, [payload.id]);
        if (!row) throw notFound('recommendation', payload.id);
        return toGraph(row);
      },
    } as any,
  },
  Recommendation: {
    async __resolveReference(ref, ctx) {
      const r = await loaders(ctx).byId.load(ref.id);
      return r ? (toGraph(r) as any) : null;
    },
    measure(parent, _a, ctx) {
      const id = (parent as { measureId?: string | null }).measureId;
      const m = id ? (ctx as Ctx).state.kb.byId.get(id) : undefined;
      return m ? (measureToGraph(m) as any) : null;
    },
  },
  Hotspot: {
    async recommendations(h, args, ctx) {
      const rows = await loaders(ctx).byHotspot.load(h.id!);
      return rows.filter((r) => !args.status || r.status === args.status.toLowerCase()).map(toGraph) as any;
    },
  },
  Supplier: {
    async recommendations(s, args, ctx) {
      const first = args.first ?? 20;
      if (first < 1 || first > 200) throw badInput('first', `must be between 1 and 200 (got ${first})`);
      const rows = await loaders(ctx).bySupplier.load(s.id!);
      return rows
        .filter((r) => !args.status || r.status === args.status.toLowerCase())
        .slice(0, first)
        .map(toGraph) as any;
    },
  },
};
