// Every rejected row of an import job, read from events_raw (not from the job's 1000-error sample), in file order,
// paged by a keyset cursor on (row number, id): index (import_job_id, quality_status, row_number).
// Callers check that the caller may see the job first; the rows are then read without the supplier row scope, since
// a scoped sender's rejected rows are filed unattributed (the database would hide them from that same sender).
import { decodeCursor, encodeCursor, runInScope, SYSTEM_CLAIMS } from '@carbon-nexus/plugin-sdk';
import type { SqlQueryable } from '@carbon-nexus/db';
import { fieldOfColumn } from '../ingest/csv.ts';
import type { RowError } from './import-jobs.ts';

export interface RejectedRow {
  /** The row number in the file (CSV: lines after the header) or the source's key (MySQL). */
  row: number;
  cursor: string;
  errors: RowError[];
  /** What was received for the row (CSV: column -> cell text). */
  payload: unknown;
}

export interface RejectedRowsPage {
  rows: RejectedRow[];
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
}

export const encodeRowCursor = (row: number, id: string) => encodeCursor([row, id]);

/** The position a cursor stands for; null when absent; BAD_USER_INPUT naming `field` when it is not one of ours. */
export function decodeRowCursor(field: string, cursor: string | null | undefined): { row: number; id: string } | null {
  const parts = decodeCursor(field, cursor, ['int', 'uuid']);
  return parts && { row: parts[0], id: parts[1].toLowerCase() };
}

/** The CSV column (or source field) each stored error names: payload keys are the file's header names. */
function columnsOf(payload: unknown): Map<string, string> {
  const map = new Map<string, string>();
  if (payload && typeof payload === 'object' && !Array.isArray(payload)) {
    for (const key of Object.keys(payload)) {
      const field = fieldOfColumn(key);
      if (field && !map.has(field)) map.set(field, key);
    }
  }
  return map;
}

export async function rejectedRowsPage(
  db: SqlQueryable,
  jobId: string,
  limit: number,
  after: { row: number; id: string } | null,
): Promise<RejectedRowsPage> {
  return runInScope({ auth: SYSTEM_CLAIMS }, async () => {
    const rows = await db.query<{
      id: string;
      row_number: number;
      errors: { field: string; reason: string }[] | null;
      payload: unknown;
    }>(
      `SELECT id, row_number, errors, payload FROM events_raw
       WHERE import_job_id = $1 AND quality_status = 'rejected'
         ${after ? 'AND (row_number > $3 OR (row_number = $3 AND id > $4::uuid))' : ''}
       ORDER BY row_number, id LIMIT $2`,
      after ? [jobId, limit + 1, after.row, after.id] : [jobId, limit + 1],
    );
    const [{ n }] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events_raw WHERE import_job_id = $1 AND quality_status = 'rejected'`,
      [jobId],
    );
    const page = rows.slice(0, limit).map((r) => {
      const columns = columnsOf(r.payload);
      return {
        row: r.row_number,
        cursor: encodeRowCursor(r.row_number, r.id),
        errors: (r.errors ?? []).map((e) => ({
          row: r.row_number,
          column: e.field.startsWith('(') ? null : (columns.get(e.field) ?? e.field),
          reason: e.reason,
        })),
        payload: r.payload,
      };
    });
    return { rows: page, totalCount: n, hasNextPage: rows.length > limit, endCursor: page.at(-1)?.cursor ?? null };
  });
}
