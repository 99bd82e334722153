import { badInput, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { Hotspot as HotspotRow } from '@carbon-nexus/db';

const toGraph = (h: HotspotRow) => ({
  id: h.id,
  entityType: h.entityType,
  entityId: h.entityId,
  supplier: h.supplierId ? { id: h.supplierId } : null,
  predictedKg: h.metricValue,
  baselineKg: h.baseline,
  percentAbove: h.percentAbove,
  severity: h.severity.toUpperCase(),
  status: h.status.toUpperCase(),
  detectedAt: h.detectedAt.toISOString(),
});

function scopeFilter(ctx: ResolverContext) {
  return ctx.auth?.supplierIds ? { supplierId: { in: ctx.auth.supplierIds } } : {};
}

export const resolvers = {
  Query: {
    async hotspots(_: unknown, args: { status: string; first: number }, ctx: ResolverContext) {
      if (args.first < 1 || args.first > 200) throw badInput('first', 'must be between 1 and 200');
      const rows = await ctx.services.db.prisma.hotspot.findMany({
        where: { status: args.status.toLowerCase(), ...scopeFilter(ctx) },
        orderBy: [{ percentAbove: 'desc' }, { detectedAt: 'desc' }],
        take: args.first,
      });
      return rows.map(toGraph);
    },
  },
  Hotspot: {
    async __resolveReference(ref: { id: string }, ctx: ResolverContext) {
      const h = await ctx.services.db.prisma.hotspot.findFirst({ where: { id: ref.id, ...scopeFilter(ctx) } }).catch(() => null);
      return h ? toGraph(h) : null;
    },
  },
  Supplier: {
    async hotspots(s: { id: string }, _: unknown, ctx: ResolverContext) {
      const rows = await ctx.services.db.prisma.hotspot.findMany({
        where: { supplierId: s.id, status: { not: 'resolved' }, ...scopeFilter(ctx) },
        orderBy: { percentAbove: 'desc' },
        take: 50,
      });
      return rows.map(toGraph);
    },
  },
};
