import { badInput, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { DataQuality as Row } from '@carbon-nexus/db';

const toGraph = (r: Row) => ({
  windowStart: r.windowStart.toISOString(),
  granularity: r.granularity,
  completenessPct: r.completenessPct,
  predictedPct: r.predictedPct,
  anomaliesCount: r.anomaliesCount,
});

const scope = (ctx: ResolverContext) => (ctx.auth?.supplierIds ? { supplierId: { in: ctx.auth.supplierIds } } : {});

export const resolvers = {
  Query: {
    async dataQualityWindows(_: unknown, args: { granularity: string; first: number }, ctx: ResolverContext) {
      if (!['hour', 'day'].includes(args.granularity)) throw badInput('granularity', 'must be "hour" or "day"');
      const rows = await ctx.services.db.prisma.dataQuality.findMany({
        where: { granularity: args.granularity, ...scope(ctx) },
        orderBy: { windowStart: 'desc' },
        take: Math.min(Math.max(args.first, 1), 500),
      });
      return rows.map(toGraph);
    },
  },
  Supplier: {
    async dataQuality(s: { id: string }, args: { granularity: string; first: number }, ctx: ResolverContext) {
      const rows = await ctx.services.db.prisma.dataQuality.findMany({
        where: { supplierId: s.id, granularity: args.granularity, ...scope(ctx) },
        orderBy: { windowStart: 'desc' },
        take: Math.min(Math.max(args.first, 1), 500),
      });
      return rows.map(toGraph);
    },
  },
};
