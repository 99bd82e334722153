import { badInput, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { Prediction as PredictionRow } from '@carbon-nexus/db';

const toGraph = (p: PredictionRow) => ({
  id: p.id,
  model: p.model,
  modelVersion: p.modelVersion,
  supplier: p.supplierId ? { id: p.supplierId } : null,
  co2eKg: p.outputCo2Kg,
  lowerKg: p.lower,
  upperKg: p.upper,
  createdAt: p.createdAt.toISOString(),
});

const scope = (ctx: ResolverContext) => (ctx.auth?.supplierIds ? { supplierId: { in: ctx.auth.supplierIds } } : {});

export const resolvers = {
  Query: {
    async predictions(_: unknown, { first }: { first: number }, ctx: ResolverContext) {
      if (first < 1 || first > 500) throw badInput('first', 'must be between 1 and 500');
      const rows = await ctx.services.db.prisma.prediction.findMany({ where: scope(ctx), orderBy: { createdAt: 'desc' }, take: first });
      return rows.map(toGraph);
    },
  },
  Prediction: {
    async __resolveReference(ref: { id: string }, ctx: ResolverContext) {
      const p = await ctx.services.db.prisma.prediction.findFirst({ where: { id: ref.id, ...scope(ctx) } }).catch(() => null);
      return p ? toGraph(p) : null;
    },
  },
  Supplier: {
    async predictions(s: { id: string }, { first }: { first: number }, ctx: ResolverContext) {
      const rows = await ctx.services.db.prisma.prediction.findMany({
        where: { supplierId: s.id, ...scope(ctx) },
        orderBy: { createdAt: 'desc' },
        take: Math.min(Math.max(first, 1), 200),
      });
      return rows.map(toGraph);
    },
  },
};
