import { badInput, isUuid, toIso, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { mappedIterator } from './common.ts';
import type { ImportJobParent } from './parents.ts';
import { decodeRowCursor, rejectedRowsPage } from '../store/rejected-rows.ts';
import { importProgress } from '../../client/topics.ts';

export function toImportJob(r: Record<string, any>): ImportJobParent {
  return {
    id: r.id,
    kind: r.kind,
    status: String(r.status).toUpperCase() as ImportJobParent['status'],
    source: r.source,
    rowsTotal: r.rows_total,
    rowsAccepted: r.rows_accepted,
    rowsRejected: r.rows_rejected,
    rowsDuplicate: r.rows_duplicate,
    bytesRead: Number(r.bytes_read),
    error: r.error,
    errorSample: r.error_sample ?? [],
    startedAt: toIso(r.started_at),
    finishedAt: toIso(r.finished_at),
  };
}

/** Supplier-scoped callers only see the jobs they started. */
async function loadJob(ctx: ResolverContext, id: string) {
  if (!isUuid(id)) throw badInput('id', 'must be a uuid');
  const scoped = ctx.auth?.supplierIds ? ctx.auth.sub : null;
  const [row] = await ctx.services.db.query<Record<string, any>>(
    `SELECT * FROM import_jobs WHERE id = $1 ${scoped ? 'AND user_id = $2' : ''}`,
    scoped ? [id, scoped] : [id],
  );
  return row ? toImportJob(row) : null;
}

export const importResolvers: Resolvers = {
  Query: {
    importJob: (_p, { id }, ctx) => loadJob(ctx, id),
    async importJobs(_p, { first }, ctx) {
      const n = first ?? 20;
      if (n < 1 || n > 200) throw badInput('first', 'must be between 1 and 200');
      const scoped = ctx.auth?.supplierIds ? ctx.auth.sub : null;
      const rows = await ctx.services.db.query<Record<string, any>>(
        `SELECT * FROM import_jobs ${scoped ? 'WHERE user_id = $1' : ''} ORDER BY started_at DESC, id DESC LIMIT ${n}`,
        scoped ? [scoped] : [],
      );
      return rows.map(toImportJob);
    },
  },
  ImportJob: {
    errors(job, { first }) {
      const n = first ?? 100;
      if (n < 0 || n > 1000) throw badInput('first', 'must be between 0 and 1000');
      return (job.errorSample ?? []).slice(0, n);
    },
    // The job was loaded through loadJob (the caller may see it): its rows are read from events_raw.
    async rejectedRows(job, { first, after }, ctx) {
      const n = first ?? 100;
      if (n < 0 || n > 1000) throw badInput('first', 'must be between 0 and 1000');
      const from = decodeRowCursor('after', after);
      const page = await rejectedRowsPage(ctx.services.db, job.id, Math.max(n, 1), from);
      const rows = n === 0 ? [] : page.rows;
      return {
        totalCount: page.totalCount,
        edges: rows.map((r) => ({ cursor: r.cursor, node: r })),
        nodes: rows,
        pageInfo: {
          hasNextPage: n === 0 ? page.totalCount > 0 : page.hasNextPage,
          endCursor: rows.at(-1)?.cursor ?? null,
        },
      };
    },
  },
  Subscription: {
    importProgress: {
      subscribe: async (_p: unknown, { jobId }: { jobId: string }, ctx: ResolverContext) => {
        // Listen first, then read the job: an end published in between is not missed.
        const ac = new AbortController();
        const source = ctx.services.bus.iterate(importProgress, { signal: ac.signal });
        let initial: ImportJobParent | null;
        try {
          initial = await loadJob(ctx, jobId);
        } catch (err) {
          ac.abort();
          throw err;
        }
        if (!initial) {
          ac.abort();
          throw badInput('jobId', `import job ${jobId} not found`);
        }
        // Completed, failed or interrupted: the last event, then the subscription completes.
        const done = (r: { importProgress: ImportJobParent }) => r.importProgress.status !== 'RUNNING';
        return mappedIterator(
          source,
          ac,
          async (m) => {
            if (m.jobId !== jobId) return undefined;
            const job = await loadJob(ctx, jobId);
            return job ? { importProgress: job } : undefined;
          },
          { initial: async () => ({ importProgress: initial }), until: done },
        );
      },
    },
  },
};
