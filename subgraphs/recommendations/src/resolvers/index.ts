import { GraphQLError } from 'graphql';
import {
  badInput,
  canSeeSupplier,
  decodeCursor,
  encodeCursor,
  JSONScalar,
  notFound,
  parseFirst,
  parseUuid,
  requireRole,
  type ResolverContext,
} from '@carbon-nexus/plugin-sdk';
import type { Resolvers } from '../generated/resolvers-types.ts';
import type { RecommendationsState } from '../plugin.ts';
import { changeStatus, getRows, listPage, type RecRow } from '../store/recommendations.ts';
import { HotspotNotFoundError } from '../jobs/engine.ts';
import { CATEGORIES } from '../knowledge/kb.ts';
import { recommendationById, recommendationsOfHotspot, recommendationsOfSupplier } from './loaders.ts';
import { measureToGraph, toGraph } from './mapping.ts';
import { filterIterator } from './subscriptions.ts';
import { recommendationCreated, recommendationUpdated, type RecommendationCreated } from '../../client/topics.ts';

const STATUSES = new Set(['OPEN', 'APPROVED', 'DISMISSED']);

/** The list's keyset: [score, id]. */
const cursorOf = (r: RecRow) => encodeCursor([r.score, r.id]);

const MAX_REASON = 2000;

const state = (ctx: ResolverContext) => ctx.state as RecommendationsState;
const scope = (ctx: ResolverContext) => ctx.auth?.supplierIds ?? null;

function cleanReason(reason: string | null | undefined, required: boolean): string | null {
  const r = reason?.trim() ?? '';
  if (required && !r) throw badInput('reason', 'a reason is required to dismiss a recommendation');
  if (r.length > MAX_REASON) throw badInput('reason', `at most ${MAX_REASON} characters (got ${r.length})`);
  return r || null;
}

async function publishUpdated(ctx: ResolverContext, row: RecRow) {
  await ctx.services.bus.publish(recommendationUpdated, {
    id: row.id,
    hotspotId: row.hotspotId,
    status: row.status,
    supplierId: row.supplierId,
  });
}

const circuitOf = (s: string) =>
  (s === 'open' ? 'OPEN' : s === 'half_open' ? 'HALF_OPEN' : 'CLOSED') as 'OPEN' | 'HALF_OPEN' | 'CLOSED';

/** A subscription's payload (the bus signal) as the recommendation it names, visible to the subscriber. */
async function signalled(payload: { id: string }, _a: unknown, ctx: ResolverContext) {
  const [row] = await getRows(ctx.services.db, [payload.id]);
  if (!row) throw notFound('recommendation', payload.id);
  return toGraph(row);
}

/** Signals of the caller's suppliers (and of `supplierIds` when given). */
function visibleSignal(ctx: ResolverContext, want: readonly string[] | null) {
  return (p: { supplierId: string | null }) =>
    canSeeSupplier(ctx.auth, p.supplierId) && (!want || (!!p.supplierId && want.includes(p.supplierId)));
}

const optionalUuid = (field: string, v: string | null | undefined) => (v ? parseUuid(field, v) : null);

export const resolvers: Resolvers = {
  JSON: JSONScalar,
  Query: {
    async recommendations(_p, args, ctx) {
      const first = parseFirst(args.first, 20, 200);
      if (args.status && !STATUSES.has(args.status)) throw badInput('status', `unknown status ${args.status}`);
      const filter = {
        status: args.status?.toLowerCase() ?? null,
        hotspotId: optionalUuid('hotspotId', args.hotspotId),
        supplierId: optionalUuid('supplierId', args.supplierId),
        source: args.source?.toLowerCase() ?? null,
        suppliers: scope(ctx),
      };
      const after = decodeCursor('after', args.after, ['number', 'uuid']);
      const page = await listPage(ctx.services.db, filter, first, after);
      const nodes = page.rows.map(toGraph);
      const last = page.rows.at(-1);
      return {
        edges: page.rows.map((r, i) => ({ cursor: cursorOf(r), node: nodes[i]! })),
        nodes,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? cursorOf(last) : null },
        totalCount: page.totalCount,
      };
    },
    async recommendation(_p, { id }, ctx) {
      const r = await recommendationById.load(ctx, parseUuid('id', id));
      return r ? toGraph(r) : null;
    },
    knowledgeBase(_p, args, ctx) {
      const first = parseFirst(args.first, 100, 200);
      const category = args.category?.toLowerCase() ?? null;
      if (category && !(CATEGORIES as readonly string[]).includes(category))
        throw badInput('category', `must be one of ${CATEGORIES.join(', ')} (got ${args.category})`);
      if (args.search && args.search.length > 500) throw badInput('search', 'at most 500 characters');
      return state(ctx)
        .kb.browse(args.search, category)
        .slice(0, first)
        .map((h) => measureToGraph(h.measure, h.relevance));
    },
    recommendationEngine(_p, _a, ctx) {
      const { engine, kb } = state(ctx);
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
      await publishUpdated(ctx, row);
      return toGraph(row);
    },
    async dismissRecommendation(_p, { id, reason }, ctx) {
      const auth = requireRole(ctx.auth, 'approver');
      const r = cleanReason(reason, true);
      const { row } = await changeStatus(ctx.services, auth, id, 'dismissed', r);
      await publishUpdated(ctx, row);
      return toGraph(row);
    },
    async generateRecommendations(_p, { hotspotId }, ctx) {
      requireRole(ctx.auth, 'analyst', 'approver');
      parseUuid('hotspotId', hotspotId);
      let result;
      try {
        result = await state(ctx).engine.generate(hotspotId);
      } catch (err) {
        if (err instanceof HotspotNotFoundError) throw notFound('hotspot', hotspotId);
        throw err instanceof GraphQLError
          ? err
          : new GraphQLError(`generation failed for hotspot ${hotspotId}: ${(err as Error).message}`, {
              extensions: { code: 'UPSTREAM_FAILED' },
            });
      }
      if (!canSeeSupplier(ctx.auth, result.supplierId)) throw notFound('hotspot', hotspotId);
      await ctx.services.audit({
        action: 'recommendation.generate',
        entityType: 'hotspot',
        entityId: hotspotId,
        metadata: { source: result.source, created: result.created.length, refreshed: result.refreshed.length },
      });
      const all = (await recommendationsOfHotspot.load(ctx, hotspotId)) ?? [];
      return {
        hotspotId,
        source: result.source.toUpperCase() as 'RAG' | 'RETRIEVAL' | 'RULES',
        created: result.created.length,
        refreshed: result.refreshed.length,
        recommendations: all.map(toGraph),
      };
    },
  },
  Subscription: {
    recommendationCreated: {
      subscribe: (_p, args, ctx) => {
        const visible = visibleSignal(ctx, args.supplierIds ?? null);
        const it = ctx.services.bus.iterate(recommendationCreated, { bufferSize: 500 });
        return filterIterator(
          it,
          (p: RecommendationCreated) => visible(p) && (!args.hotspotId || p.hotspotId === args.hotspotId),
        );
      },
      resolve: signalled,
    },
    recommendationUpdated: {
      subscribe: (_p, args, ctx) =>
        filterIterator(
          ctx.services.bus.iterate(recommendationUpdated, { bufferSize: 500 }),
          visibleSignal(ctx, args.supplierIds ?? null),
        ),
      resolve: signalled,
    },
  },
  Recommendation: {
    async __resolveReference(ref, ctx) {
      const r = await recommendationById.load(ctx, ref.id);
      return r ? toGraph(r) : null;
    },
    measure(parent, _a, ctx) {
      const m = parent.measureId ? state(ctx).kb.byId.get(parent.measureId) : undefined;
      return m ? measureToGraph(m) : null;
    },
  },
  Hotspot: {
    async recommendations(h, args, ctx) {
      const rows = (await recommendationsOfHotspot.load(ctx, h.id)) ?? [];
      return rows.filter((r) => !args.status || r.status === args.status.toLowerCase()).map(toGraph);
    },
  },
  Supplier: {
    async recommendations(s, args, ctx) {
      const first = parseFirst(args.first, 20, 200);
      const rows = (await recommendationsOfSupplier.load(ctx, s.id)) ?? [];
      return rows
        .filter((r) => !args.status || r.status === args.status.toLowerCase())
        .slice(0, first)
        .map(toGraph);
    },
  },
};
