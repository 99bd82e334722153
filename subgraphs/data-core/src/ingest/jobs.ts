// Import jobs (CSV uploads, MySQL imports): progress counters, the first 1000 row errors, status.
// Progress is published on `import.progress` (throttled) after the row is updated.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import { throttle } from '../state.ts';

export const ERROR_SAMPLE_MAX = 1000;

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

export class ImportJobTracker {
  readonly counters: JobCounters = { rowsTotal: 0, rowsAccepted: 0, rowsRejected: 0, rowsDuplicate: 0, bytesRead: 0 };
  readonly errors: RowError[] = [];
  private errorsDirty = false;
  private status = 'running';
  private publisher: { kick(): void; stop(): void };

  private constructor(
    private services: PluginServices<any>,
    readonly id: string,
  ) {
    this.publisher = throttle(() => void this.publish(), 500);
  }

  static async create(services: PluginServices<any>, kind: string, source: string | null, userId: string | null, checkpoint: unknown = {}) {
    const [row] = await services.db.query<{ id: string }>(
      `INSERT INTO import_jobs (id, kind, status, source, user_id, checkpoint) VALUES (gen_random_uuid(), $1, 'running', $2, $3, $4::jsonb) RETURNING id`,
      [kind, source, userId, JSON.stringify(checkpoint)],
    );
    return new ImportJobTracker(services, row.id);
  }

  /** Re-opens an existing job (resumable imports). */
  static async resume(services: PluginServices<any>, id: string) {
    const [row] = await services.db.query<any>(`SELECT * FROM import_jobs WHERE id = $1`, [id]);
    if (!row) throw new Error(`import job ${id} not found`);
    const t = new ImportJobTracker(services, id);
    t.counters.rowsTotal = row.rows_total;
    t.counters.rowsAccepted = row.rows_accepted;
    t.counters.rowsRejected = row.rows_rejected;
    t.counters.rowsDuplicate = row.rows_duplicate;
    t.counters.bytesRead = Number(row.bytes_read);
    t.errors.push(...(row.error_sample ?? []));
    await services.db.query(`UPDATE import_jobs SET status = 'running', error = NULL, finished_at = NULL WHERE id = $1`, [id]);
    return t;
  }

  addErrors(errs: RowError[]) {
    for (const e of errs) {
      if (this.errors.length >= ERROR_SAMPLE_MAX) return;
      this.errors.push(e);
      this.errorsDirty = true;
    }
  }

  /** Persists counters (and the error sample when it changed); publishes progress (throttled). */
  async save(checkpoint?: unknown) {
    const c = this.counters;
    const sample = this.errorsDirty ? JSON.stringify(this.errors) : null;
    this.errorsDirty = false;
    await this.services.db.query(
      `UPDATE import_jobs SET rows_total = $2, rows_accepted = $3, rows_rejected = $4, rows_duplicate = $5, bytes_read = $6,
         error_sample = COALESCE($7::jsonb, error_sample), checkpoint = COALESCE($8::jsonb, checkpoint) WHERE id = $1`,
      [this.id, c.rowsTotal, c.rowsAccepted, c.rowsRejected, c.rowsDuplicate, c.bytesRead, sample, checkpoint === undefined ? null : JSON.stringify(checkpoint)],
    );
    this.publisher.kick();
  }

  async finish(status: 'completed' | 'failed', error: string | null = null) {
    this.status = status;
    this.errorsDirty = true;
    await this.save();
    await this.services.db.query(`UPDATE import_jobs SET status = $2, error = $3, finished_at = now() WHERE id = $1`, [this.id, status, error]);
    this.publisher.stop();
    await this.publish();
  }

  private async publish() {
    try {
      await this.services.bus.publish('import.progress', { jobId: this.id, status: this.status, ...this.counters });
    } catch (err) {
      this.services.logger.warn({ err }, 'import.progress publish failed');
    }
  }
}
