import { badInput, requireRole, canSeeSupplier, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { Supplier as SupplierRow } from '@carbon-nexus/db';
import type { Resolvers } from '../generated/resolvers-types.ts';

const toGraph = (s: SupplierRow) => ({
  id: s.id,
  name: s.name,
  category: s.category,
  country: s.country,
  baselineEmissionKgPerHour: s.baselineEmission,
  lastSeenAt: s.lastSeenAt?.toISOString() ?? null,
  createdAt: s.createdAt.toISOString(),
});

const encode = (id: string) => Buffer.from(id).toString('base64url');
const decode = (c: string) => Buffer.from(c, 'base64url').toString();

export const resolvers: Resolvers = {
  Query: {
    async supplier(_: unknown, { id }: { id: string }, ctx: ResolverContext) {
      if (!canSeeSupplier(ctx.auth, id)) return null;
      const s = await ctx.services.db.prisma.supplier.findUnique({ where: { id } }).catch(() => null);
      return s ? toGraph(s) : null;
    },
    async suppliers(
      _: unknown,
      args: { first: number; after?: string | null; search?: string | null; category?: string | null },
      ctx: ResolverContext,
    ) {
      if (args.first < 1 || args.first > 500) throw badInput('first', 'must be between 1 and 500');
      const where: any = {};
      if (args.search) where.name = { contains: args.search, mode: 'insensitive' };
      if (args.category) where.category = args.category;
      if (ctx.auth?.supplierIds) where.id = { in: ctx.auth.supplierIds };
      const rows = await ctx.services.db.prisma.supplier.findMany({
        where,
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
        take: args.first + 1,
        ...(args.after ? { cursor: { id: decode(args.after) }, skip: 1 } : {}),
      });
      const page = rows.slice(0, args.first).map(toGraph);
      return {
        edges: page.map((node) => ({ cursor: encode(node.id), node })),
        nodes: page,
        pageInfo: { hasNextPage: rows.length > args.first, endCursor: page.length ? encode(page[page.length - 1].id) : null },
        totalCount: await ctx.services.db.prisma.supplier.count({ where }),
      };
    },
  },
  Mutation: {
    async createSupplier(_: unknown, { input }: { input: any }, ctx: ResolverContext) {
      requireRole(ctx.auth, 'analyst');
      if (!input.name.trim()) throw badInput('input.name', 'must not be empty');
      const s = await ctx.services.db.prisma.supplier.create({
        data: { name: input.name.trim(), category: input.category, country: input.country, baselineEmission: input.baselineEmissionKgPerHour },
      });
      await ctx.services.audit({ action: 'supplier.create', entityType: 'supplier', entityId: s.id, metadata: { name: s.name } });
      return toGraph(s);
    },
  },
  Supplier: {
    async __resolveReference(ref: { id: string }, ctx: ResolverContext) {
      if (!canSeeSupplier(ctx.auth, ref.id)) return null;
      const s = await ctx.services.db.prisma.supplier.findUnique({ where: { id: ref.id } }).catch(() => null);
      return s ? toGraph(s) : null;
    },
  },
};
