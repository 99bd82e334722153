import { badInput, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { Recommendation as Row } from '@carbon-nexus/db';

const toGraph = (r: Row) => ({
  id: r.id,
  hotspot: { id: r.hotspotId },
  title: r.title,
  body: r.body,
  co2ImpactKg: r.co2Impact,
  costEstimate: r.costEstimate,
  feasibilityScore: r.feasibilityScore,
  source: r.source,
  status: r.status.toUpperCase(),
  createdAt: r.createdAt.toISOString(),
});

const scope = (ctx: ResolverContext) => (ctx.auth?.supplierIds ? { supplierId: { in: ctx.auth.supplierIds } } : {});

export const resolvers = {
  Query: {
    async recommendations(_: unknown, args: { status: string; first: number }, ctx: ResolverContext) {
      if (args.first < 1 || args.first > 200) throw badInput('first', 'must be between 1 and 200');
      const rows = await ctx.services.db.prisma.recommendation.findMany({
        where: { status: args.status.toLowerCase(), ...scope(ctx) },
        orderBy: [{ co2Impact: 'desc' }, { createdAt: 'desc' }],
        take: args.first,
      });
      return rows.map(toGraph);
    },
  },
  Recommendation: {
    async __resolveReference(ref: { id: string }, ctx: ResolverContext) {
      const r = await ctx.services.db.prisma.recommendation.findFirst({ where: { id: ref.id, ...scope(ctx) } }).catch(() => null);
      return r ? toGraph(r) : null;
    },
  },
  Hotspot: {
    async recommendations(h: { id: string }, _: unknown, ctx: ResolverContext) {
      const rows = await ctx.services.db.prisma.recommendation.findMany({ where: { hotspotId: h.id, ...scope(ctx) }, orderBy: { rank: 'asc' } });
      return rows.map(toGraph);
    },
  },
};
