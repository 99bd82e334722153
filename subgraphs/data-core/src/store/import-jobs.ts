// Import jobs (CSV uploads, MySQL imports): progress counters, the first 1000 row errors (all rejected rows stay in
// events_raw), status, and a heartbeat while running. Progress is published on `import.progress` (throttled) after
// the row is updated. A job whose process died (crash, SIGKILL) stops beating; markInterruptedJobs() then ends it
// as INTERRUPTED with the counts of what was stored.
import type { Services } from '../config.ts';
import { throttle } from '../state.ts';
import { safeText } from '../ingest/safe-text.ts';
import { importProgress } from '../../client/topics.ts';

export const ERROR_SAMPLE_MAX = 1000;
/** How often a running job refreshes heartbeat_at (also on every saved batch); well inside the staleness limit. */
export const heartbeatMs = (services: Services) =>
  Math.min(5_000, ((services.config.DATA_CORE_JOB_STALE_SECONDS || 30) * 1000) / 4);

export interface RowError {
  row: number;
  column: string | null;
  reason: string;
}

export interface JobCounters {
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowsDuplicate: number;
  bytesRead: number;
}

export type JobStatus = 'running' | 'completed' | 'failed' | 'interrupted';

export class ImportJobTracker {
  readonly counters: JobCounters = { rowsTotal: 0, rowsAccepted: 0, rowsRejected: 0, rowsDuplicate: 0, bytesRead: 0 };
  readonly errors: RowError[] = [];
  private errorsDirty = false;
  private status: JobStatus = 'running';
  private publisher: { kick(): void; stop(): void };
  private heartbeat: NodeJS.Timeout;

  private constructor(
    private services: Services,
    readonly id: string,
  ) {
    this.publisher = throttle(() => void this.publish(), 500);
    // Beats even while an upload is slow to arrive: the job is alive as long as this process is.
    this.heartbeat = setInterval(() => {
      services.db
        .query(`UPDATE import_jobs SET heartbeat_at = now() WHERE id = $1 AND status = 'running'`, [id])
        .catch(() => undefined);
    }, heartbeatMs(services));
    this.heartbeat.unref();
  }

  static async create(
    services: Services,
    kind: string,
    source: string | null,
    userId: string | null,
    checkpoint: unknown = {},
  ) {
    const [row] = await services.db.query<{ id: string }>(
      `INSERT INTO import_jobs (id, kind, status, source, user_id, checkpoint, heartbeat_at)
       VALUES (gen_random_uuid(), $1, 'running', $2, $3, $4::jsonb, now()) RETURNING id`,
      [kind, source === null ? null : safeText(source, 200), userId, JSON.stringify(checkpoint)],
    );
    return new ImportJobTracker(services, row.id);
  }

  /** Re-opens an existing job (resumable imports). */
  static async resume(services: Services, id: string) {
    const [row] = await services.db.query<{
      rows_total: number;
      rows_accepted: number;
      rows_rejected: number;
      rows_duplicate: number;
      bytes_read: string | number;
      error_sample: RowError[] | null;
    }>(`SELECT * FROM import_jobs WHERE id = $1`, [id]);
    if (!row) throw new Error(`import job ${id} not found`);
    const t = new ImportJobTracker(services, id);
    t.counters.rowsTotal = row.rows_total;
    t.counters.rowsAccepted = row.rows_accepted;
    t.counters.rowsRejected = row.rows_rejected;
    t.counters.rowsDuplicate = row.rows_duplicate;
    t.counters.bytesRead = Number(row.bytes_read);
    t.errors.push(...(row.error_sample ?? []));
    await services.db.query(
      `UPDATE import_jobs SET status = 'running', error = NULL, finished_at = NULL, heartbeat_at = now() WHERE id = $1`,
      [id],
    );
    return t;
  }

  addErrors(errs: RowError[]) {
    for (const e of errs) {
      if (this.errors.length >= ERROR_SAMPLE_MAX) return;
      this.errors.push({
        row: e.row,
        column: e.column === null ? null : safeText(e.column, 200),
        reason: safeText(e.reason, 500),
      });
      this.errorsDirty = true;
    }
  }

  /** Persists counters (and the error sample when it changed) and the heartbeat; publishes progress (throttled). */
  async save(checkpoint?: unknown) {
    const c = this.counters;
    const sample = this.errorsDirty ? JSON.stringify(this.errors) : null;
    this.errorsDirty = false;
    await this.services.db.query(
      `UPDATE import_jobs SET rows_total = $2, rows_accepted = $3, rows_rejected = $4, rows_duplicate = $5, bytes_read = $6,
         error_sample = COALESCE($7::jsonb, error_sample), checkpoint = COALESCE($8::jsonb, checkpoint), heartbeat_at = now() WHERE id = $1`,
      [
        this.id,
        c.rowsTotal,
        c.rowsAccepted,
        c.rowsRejected,
        c.rowsDuplicate,
        c.bytesRead,
        sample,
        checkpoint === undefined ? null : JSON.stringify(checkpoint),
      ],
    );
    this.publisher.kick();
  }

  /**
   * Ends the job. Never throws: when the final write fails (the message or the sample cannot be stored, the
   * database is gone), it records a failure with a plain reason instead, and logs what it could not store.
   */
  async finish(status: 'completed' | 'failed', error: string | null = null) {
    clearInterval(this.heartbeat);
    this.status = status;
    this.errorsDirty = true;
    const message = error === null ? null : safeText(error);
    try {
      await this.save();
      await this.services.db.query(
        `UPDATE import_jobs SET status = $2, error = $3, finished_at = now() WHERE id = $1`,
        [this.id, status, message],
      );
    } catch (err) {
      this.services.logger.error({ err, jobId: this.id, status, error: message }, 'import job: storing its end failed');
      this.status = 'failed';
      try {
        await this.services.db.query(
          `UPDATE import_jobs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`,
          [
            this.id,
            `storing the job's result failed (${safeText((err as Error)?.message ?? String(err), 300)})${message ? `; the import had ended with: ${message}` : ''}`,
          ],
        );
      } catch (err2) {
        // The database is unreachable: the job stays RUNNING, stops beating, and is marked INTERRUPTED later.
        this.services.logger.error({ err: err2, jobId: this.id }, 'import job: marking it failed failed too');
      }
    }
    this.publisher.stop();
    await this.publish();
  }

  private async publish() {
    try {
      await this.services.bus.publish(importProgress, { jobId: this.id, status: this.status, ...this.counters });
    } catch (err) {
      this.services.logger.warn({ err }, 'import.progress publish failed');
    }
  }
}

/**
 * Ends jobs left RUNNING by a process that died: INTERRUPTED, with their counters recounted from what was stored
 * (events_raw rows of the job), and a final `import.progress` so subscribers see the end. `staleMs`: how long
 * without a heartbeat before a job counts as dead (0 = every running job, for a process that owns the database).
 */
export async function markInterruptedJobs(services: Services, staleMs: number): Promise<string[]> {
  const rows = await services.db.query<{
    id: string;
    rows_total: number;
    rows_accepted: number;
    rows_rejected: number;
    rows_duplicate: number;
    bytes_read: string;
  }>(
    `UPDATE import_jobs j SET status = 'interrupted', finished_at = now(),
        rows_accepted = s.accepted, rows_rejected = s.rejected,
        rows_total = GREATEST(j.rows_total, s.accepted + s.rejected + j.rows_duplicate),
        error = 'interrupted: the server stopped (crash, kill or power loss) during the import; ' || s.accepted || ' accepted and ' ||
                s.rejected || ' rejected rows were stored before that. Send the file again to finish it: rows already stored come back as duplicates.'
     FROM (
       SELECT r.id,
              (SELECT count(*) FROM events_raw e WHERE e.import_job_id = r.id AND e.quality_status <> 'rejected')::int AS accepted,
              (SELECT count(*) FROM events_raw e WHERE e.import_job_id = r.id AND e.quality_status = 'rejected')::int AS rejected
       FROM import_jobs r
       WHERE r.status = 'running' AND (r.heartbeat_at IS NULL OR r.heartbeat_at < now() - make_interval(secs => $1::float8))
       FOR UPDATE SKIP LOCKED
     ) s
     WHERE j.id = s.id AND j.status = 'running'
     RETURNING j.id, j.rows_total, j.rows_accepted, j.rows_rejected, j.rows_duplicate, j.bytes_read`,
    [staleMs / 1000],
  );
  for (const r of rows) {
    await services.bus
      .publish(importProgress, {
        jobId: r.id,
        status: 'interrupted',
        rowsTotal: r.rows_total,
        rowsAccepted: r.rows_accepted,
        rowsRejected: r.rows_rejected,
        rowsDuplicate: r.rows_duplicate,
        bytesRead: Number(r.bytes_read),
      })
      .catch((err) => services.logger.warn({ err }, 'import.progress publish failed'));
  }
  if (rows.length)
    services.logger.warn(
      { jobs: rows.map((r) => r.id) },
      'import jobs interrupted by an earlier stop marked INTERRUPTED',
    );
  return rows.map((r) => r.id);
}
