// auditLog / auditLogFacets. Keyset pagination on the write sequence (seq) newest first, so pages stay stable while
// new entries arrive. Supplier-scoped callers only see entries about their suppliers: metadata.supplierId in scope,
// or the supplier entity itself (entries without a supplier are hidden from them).
import { z } from 'zod';
import {
  badInput,
  decodeCursor,
  encodeCursor,
  requireRole,
  type AuthClaims,
  type ResolverContext,
} from '@carbon-nexus/plugin-sdk';

interface AuditRow {
  id: string;
  seq: string;
  user_id: string | null;
  plugin: string;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  correlation_id: string | null;
  metadata: unknown;
  created_at: Date | string;
}

const isoDate = (field: string) =>
  z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), { message: `${field}: must be an ISO 8601 date-time` })
    .transform((s) => new Date(s));

const text = z.string().trim().min(1).max(200);
const filterSchema = z
  .object({
    plugin: text.optional(),
    action: text.optional(),
    entityType: text.optional(),
    entityId: text.optional(),
    userId: text.optional(),
    from: isoDate('filter.from').optional(),
    to: isoDate('filter.to').optional(),
  })
  .refine((f) => !f.from || !f.to || f.from < f.to, { message: 'filter.to: must be after filter.from', path: ['to'] });

type Filter = z.infer<typeof filterSchema>;

// Cursors are the write sequence (a bigint, kept as its decimal string): entries written in the same millisecond (or
// transaction) keep their order.
const cursorOf = (seq: string) => encodeCursor([seq]);

function afterSeq(cursor: string): string {
  const parts = decodeCursor('after', cursor, ['string']);
  if (!parts || !/^\d{1,19}$/.test(parts[0])) throw badInput('after', 'must be an AuditEntry cursor');
  return parts[0];
}

function parseFilter(raw: unknown): Filter {
  // GraphQL passes null for omitted-but-nulled fields; zod's optional() wants undefined.
  const clean = Object.fromEntries(Object.entries((raw ?? {}) as Record<string, unknown>).filter(([, v]) => v != null));
  const r = filterSchema.safeParse(clean);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = `filter.${issue.path.join('.')}`;
    throw badInput(field, issue.message.replace(/^filter\.\w+: /, ''));
  }
  return r.data;
}

/** WHERE clause + params for a filter and the caller's supplier scope. */
function where(f: Filter, auth: AuthClaims) {
  const conds: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, v: unknown) => {
    params.push(v);
    conds.push(sql(`$${params.length}`));
  };
  if (f.plugin) add((p) => `plugin = ${p}`, f.plugin);
  if (f.action) add((p) => `action = ${p}`, f.action);
  if (f.entityType) add((p) => `entity_type = ${p}`, f.entityType);
  if (f.entityId) add((p) => `entity_id = ${p}`, f.entityId);
  if (f.userId) add((p) => `user_id = ${p}`, f.userId);
  if (f.from) add((p) => `created_at >= ${p}`, f.from);
  if (f.to) add((p) => `created_at < ${p}`, f.to);
  if (auth.supplierIds) {
    add(
      (p) =>
        `(metadata->>'supplierId' = ANY(${p}::text[]) OR (entity_type = 'supplier' AND entity_id = ANY(${p}::text[])))`,
      auth.supplierIds,
    );
  }
  return { conds, params };
}

function toGraph(r: AuditRow) {
  const at = new Date(r.created_at);
  const metadata = (typeof r.metadata === 'string' ? JSON.parse(r.metadata) : r.metadata) ?? {};
  const supplierId =
    typeof (metadata as Record<string, unknown>).supplierId === 'string'
      ? (metadata as Record<string, string>).supplierId
      : null;
  return {
    id: r.id,
    cursor: cursorOf(r.seq),
    at: at.toISOString(),
    userId: r.user_id,
    plugin: r.plugin,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    correlationId: r.correlation_id,
    supplierId: supplierId ?? (r.entity_type === 'supplier' ? r.entity_id : null),
    metadata,
  };
}

const READERS = ['analyst', 'approver'] as const;
const FACET_DAYS = 90;

export const resolvers = {
  Query: {
    async auditLog(
      _: unknown,
      a: { filter?: unknown; first?: number | null; after?: string | null },
      ctx: ResolverContext,
    ) {
      const auth = requireRole(ctx.auth, ...READERS);
      const first = a.first ?? 50;
      if (!Number.isInteger(first) || first < 1 || first > 200) throw badInput('first', 'must be between 1 and 200');
      const { conds, params } = where(parseFilter(a.filter), auth);
      if (a.after != null) {
        params.push(afterSeq(a.after));
        conds.push(`audit_logs.seq < $${params.length}::bigint`);
      }
      // ORDER BY the column, qualified: a bare `seq` would name the text output column (9 > 37 as text), and
      // pages cut by the numeric cursor would then skip entries.
      const rows = await ctx.services.db.query<AuditRow>(
        `SELECT id::text AS id, seq::text AS seq, user_id, plugin, action, entity_type, entity_id, correlation_id, metadata, created_at
         FROM audit_logs ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''}
         ORDER BY audit_logs.seq DESC LIMIT ${first + 1}`,
        params,
      );
      const page = rows.slice(0, first).map(toGraph);
      return {
        edges: page.map((n) => ({ cursor: n.cursor, node: n })),
        nodes: page,
        pageInfo: { hasNextPage: rows.length > first, endCursor: page.at(-1)?.cursor ?? null },
      };
    },
    async auditLogFacets(_: unknown, __: unknown, ctx: ResolverContext) {
      const auth = requireRole(ctx.auth, ...READERS);
      // The last FACET_DAYS only: the created_at index bounds the scan however long the log grows.
      const { conds, params } = where({ from: new Date(Date.now() - FACET_DAYS * 86_400_000) }, auth);
      const w = `WHERE ${conds.join(' AND ')}`;
      const distinct = async (col: string) =>
        (
          await ctx.services.db.query<{ v: string }>(
            `SELECT DISTINCT ${col} AS v FROM audit_logs ${w} AND ${col} IS NOT NULL ORDER BY 1 LIMIT 500`,
            params,
          )
        ).map((r) => r.v);
      return {
        plugins: await distinct('plugin'),
        actions: await distinct('action'),
        entityTypes: await distinct('entity_type'),
      };
    },
  },
};
