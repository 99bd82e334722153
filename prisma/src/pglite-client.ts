// The embedded database in its own thread (pglite-worker.mjs), seen from the gateway's thread as the part of PGlite's
// interface that we and the Prisma adapter use: query, exec, transaction, dumpDataDir, close.
// Why: PGlite runs each statement synchronously in WebAssembly. On the gateway's thread a 30 ms statement is 30 ms
// in which no socket is read, no health check answered and no subscription event sent; under a large import that
// was most of the time. Here the thread only sends the statement and parses the text rows that come back.
// Semantics are PGlite's own: the worker runs them on a real PGlite (its statement queue, transaction lock,
// BEGIN/COMMIT/ROLLBACK, errors as `DatabaseError` with every field).
import fs from 'node:fs';
import path from 'node:path';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { messages, types, type Results, type QueryOptions, type Transaction } from '@electric-sql/pglite';
import { DatabaseUnavailableError } from './errors.ts';

type Parser = (value: string, typeId: number) => unknown;
interface RawResult {
  fields: { name: string; dataTypeID: number }[];
  rows: (string | null)[][];
  affectedRows: number;
}
interface SerializedError {
  database: boolean;
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, unknown>;
}
type Pending = { resolve: (v: any) => void; reject: (e: unknown) => void };

export interface WorkerPGliteOptions {
  /** Data directory; omitted = in memory. */
  dataDir?: string;
  /** In memory, starting from a dumped data directory. */
  loadDataDir?: Blob;
}

/** Like `Transaction` of PGlite (listen and the sql tag aside). */
export type WorkerTransaction = Pick<Transaction, 'query' | 'exec' | 'rollback' | 'closed'>;

export class WorkerPGlite {
  /** PGlite's parsers, plus one per array type of this database (as PGlite's own `_initArrayTypes` adds). */
  readonly parsers: Record<number, Parser> = { ...(types.parsers as Record<number, Parser>) };
  readonly waitReady: Promise<void>;
  #worker: Worker;
  #pending = new Map<number, Pending>();
  #seq = 0;
  #txSeq = 0;
  #dead: Error | null = null;
  #closing = false;

  private constructor(opts: WorkerPGliteOptions) {
    this.#worker = startWorker({ dataDir: opts.dataDir, loadDataDir: opts.loadDataDir });
    // Idle, the worker does not keep the process alive (a PGlite in this thread did not either); it does while a
    // statement is pending, so an awaited statement always gets its answer.
    this.#worker.unref();
    this.waitReady = new Promise<void>((resolve, reject) => {
      this.#pending.set(0, { resolve, reject });
    });
    this.#worker.on('message', (msg: [number | 'ready' | 'failed', unknown, SerializedError?]) => this.#onMessage(msg));
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the embedded database thread exited (code ${code})`)));
  }

  /** Starts the thread and PGlite in it; resolves when the database is ready. */
  static async open(opts: WorkerPGliteOptions = {}): Promise<WorkerPGlite> {
    // A new database is created (initdb) by a thread that then ends: initdb leaves several hundred MB of garbage
    // that V8 may not collect for a long time in a thread that stays (measured: 800 MB RSS after a fresh start,
    // 290 MB when opening the same directory again).
    const fresh = opts.dataDir ? !fs.existsSync(path.join(opts.dataDir, 'PG_VERSION')) : !opts.loadDataDir;
    if (fresh) {
      const dump = await createNewDatabase(opts.dataDir);
      if (!opts.dataDir) opts = { loadDataDir: dump };
    }
    const db = new WorkerPGlite(opts);
    db.#worker.ref();
    try {
      await db.waitReady;
      for (const { oid, typarray } of await db.#call<{ oid: number; typarray: number }[]>('arrayTypes')) {
        if (oid == null || typarray == null) continue;
        db.parsers[typarray] = (v) => types.arrayParser(v, db.parsers[oid] as any, typarray);
      }
    } catch (err) {
      await db.#worker.terminate();
      throw err;
    } finally {
      if (!db.#pending.size) db.#worker.unref();
    }
    return db;
  }

  #onMessage([id, result, error]: [number | 'ready' | 'failed', unknown, SerializedError?]) {
    const key = id === 'ready' || id === 'failed' ? 0 : id;
    const p = this.#pending.get(key);
    if (!p) return;
    this.#pending.delete(key);
    if (!this.#pending.size) this.#worker.unref();
    if (error) p.reject(rebuildError(error));
    else p.resolve(result);
  }

  #fail(err: Error) {
    if (this.#dead) return;
    this.#dead = this.#closing ? new Error('the embedded database is closed') : err;
    for (const p of this.#pending.values()) p.reject(this.#closing ? this.#dead : new DatabaseUnavailableError(err));
    this.#pending.clear();
  }

  #call<T>(op: string, a?: unknown, b?: unknown, tx?: number): Promise<T> {
    if (this.#dead) return Promise.reject(this.#closing ? this.#dead : new DatabaseUnavailableError(this.#dead));
    const id = ++this.#seq;
    return new Promise<T>((resolve, reject) => {
      if (!this.#pending.size) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage([id, op, a, b, tx]);
    });
  }

  /** Rows as PGlite would return them, parsed here with the caller's parsers over this database's. */
  #shape<T>(r: RawResult, opts?: QueryOptions): Results<T> {
    const own = opts?.parsers as Record<number, Parser> | undefined;
    const parse = r.fields.map((f) => own?.[f.dataTypeID] ?? this.parsers[f.dataTypeID]);
    const n = parse.length;
    const rows: unknown[] = new Array(r.rows.length);
    for (let i = 0; i < r.rows.length; i++) {
      const text = r.rows[i];
      if (opts?.rowMode === 'array') {
        const row = new Array(n);
        for (let c = 0; c < n; c++)
          row[c] = text[c] === null ? null : parse[c] ? parse[c](text[c]!, r.fields[c].dataTypeID) : text[c];
        rows[i] = row;
      } else {
        const row: Record<string, unknown> = {};
        for (let c = 0; c < n; c++)
          row[r.fields[c].name] =
            text[c] === null ? null : parse[c] ? parse[c](text[c]!, r.fields[c].dataTypeID) : text[c];
        rows[i] = row;
      }
    }
    return { rows: rows as T[], fields: r.fields, affectedRows: r.affectedRows };
  }

  async #query<T>(
    sql: string,
    params: unknown[] | undefined,
    opts: QueryOptions | undefined,
    tx?: number,
  ): Promise<Results<T>> {
    const r = await this.#call<RawResult>('query', sql, params?.map(cloneable), tx).catch((err) => {
      throw withQuery(err, sql, params);
    });
    return this.#shape<T>(r, opts);
  }

  async #exec(sql: string, opts: QueryOptions | undefined, tx?: number): Promise<Results[]> {
    const rs = await this.#call<RawResult[]>('exec', sql, undefined, tx).catch((err) => {
      throw withQuery(err, sql, undefined);
    });
    return rs.map((r) => this.#shape(r, opts));
  }

  query<T = Record<string, unknown>>(sql: string, params?: unknown[], opts?: QueryOptions): Promise<Results<T>> {
    return this.#query<T>(sql, params, opts);
  }

  exec(sql: string, opts?: QueryOptions): Promise<Results[]> {
    return this.#exec(sql, opts);
  }

  /**
   * BEGIN … COMMIT on the worker's PGlite, which holds its transaction lock meanwhile (other statements wait, as on
   * PGlite itself). `fn` throwing, or calling `tx.rollback()`, ends it with ROLLBACK.
   * `fn` starts without waiting for BEGIN: its statements queue in the worker behind it (and fail with BEGIN's error
   * if it fails), which saves the connection a round trip to this thread per transaction.
   */
  async transaction<T>(fn: (tx: WorkerTransaction) => Promise<T>): Promise<T> {
    const id = ++this.#txSeq;
    const begun = this.#call('begin', undefined, undefined, id);
    begun.catch(() => undefined); // awaited below; its error is also every queued statement's
    let closed = false;
    let rolledBack = false;
    const open = () => {
      if (closed) throw new Error('Transaction is closed');
    };
    const tx: WorkerTransaction = {
      query: async <R>(sql: string, params?: unknown[], opts?: QueryOptions) => (
        open(), this.#query<R>(sql, params, opts, id)
      ),
      exec: async (sql: string, opts?: QueryOptions) => (open(), this.#exec(sql, opts, id)),
      rollback: async () => {
        open();
        rolledBack = closed = true;
        await this.#call('rollback', undefined, undefined, id);
      },
      get closed() {
        return closed;
      },
    };
    let out: T;
    try {
      // fn runs after this call has returned its promise, as with PGlite's own transaction (Prisma's PGlite adapter
      // reads that promise inside fn).
      await undefined;
      out = await fn(tx);
      await begun;
    } catch (err) {
      closed = true;
      await this.#call('end', false, undefined, id).catch(() => undefined);
      // A transaction that could not begin fails with that reason, not with what it did in the meantime.
      throw await begun.then(
        () => err,
        (beginError) => beginError,
      );
    }
    closed = true;
    await this.#call('end', !rolledBack, undefined, id);
    return out;
  }

  /**
   * Statements in one transaction, run back to back in the database thread (see SqlRunner.batch): all or nothing,
   * the first failure rolls back and rejects with that statement's error.
   */
  async batch<T = Record<string, unknown>>(
    statements: readonly { sql: string; params?: unknown[] }[],
    opts?: QueryOptions,
  ): Promise<Results<T>[]> {
    const rs = await this.#call<RawResult[]>(
      'batch',
      statements.map((s) => [s.sql, s.params?.map(cloneable)]),
    ).catch((err) => {
      const failed = statements[(err as { batchIndex?: number }).batchIndex ?? -1];
      throw failed ? withQuery(err, failed.sql, failed.params) : err;
    });
    return rs.map((r) => this.#shape<T>(r, opts));
  }

  /** How busy the database thread has been (Node's event-loop utilization of the worker): for benchmarks. */
  utilization(): EventLoopUtilization {
    return this.#worker.performance.eventLoopUtilization();
  }

  async dumpDataDir(): Promise<Blob> {
    return this.#call<Blob>('dump');
  }

  async close(): Promise<void> {
    if (this.#dead || this.#closing) return;
    this.#closing = true;
    try {
      // PGlite's close may end the thread before it answers (Emscripten's exit): that is a close too.
      await this.#call('close').catch((err) => {
        if (!this.#dead) throw err;
      });
    } finally {
      await this.#worker.terminate();
    }
  }
}

function startWorker(workerData: { dataDir?: string; loadDataDir?: Blob; initOnly?: boolean }): Worker {
  return new Worker(new URL('./pglite-worker.mjs', import.meta.url), {
    workerData,
    // The worker is plain JavaScript: no loader (tsx) or inspector flags of this process.
    execArgv: [],
    env: process.env,
  });
}

/** initdb in a thread of its own; in memory, the new data directory comes back as a tarball. */
async function createNewDatabase(dataDir: string | undefined): Promise<Blob | undefined> {
  const worker = startWorker({ dataDir, initOnly: true });
  try {
    return await new Promise<Blob | undefined>((resolve, reject) => {
      worker.on('message', ([what, dump, error]: [string, Blob | undefined, SerializedError?]) =>
        what === 'ready' ? resolve(dump) : reject(rebuildError(error!)),
      );
      worker.on('error', reject);
      worker.on('exit', (code) =>
        reject(new Error(`creating the embedded database failed (thread exited with code ${code})`)),
      );
    });
  } finally {
    await worker.terminate();
  }
}

/** Values a worker can receive as the caller meant them: class instances (e.g. a Decimal) as their text. */
function cloneable(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Date || ArrayBuffer.isView(v) || Array.isArray(v)) return v;
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return v;
  return typeof (v as { toJSON?: unknown }).toJSON === 'function' ? (v as { toJSON(): unknown }).toJSON() : String(v);
}

function rebuildError(e: SerializedError): Error {
  const err = e.database ? new messages.DatabaseError(e.message, 0, 'error') : new Error(e.message);
  Object.assign(err, e.fields);
  if (!e.database) Object.defineProperty(err, 'name', { value: e.name, configurable: true, writable: true });
  if (e.stack)
    err.stack = `${err.name}: ${e.message}\n    (in the embedded database thread)${e.stack.slice(e.stack.indexOf('\n'))}`;
  return err;
}

/** As PGlite does: a failed statement's error names the statement and its parameters. */
function withQuery(err: unknown, sql: string, params: unknown[] | undefined): unknown {
  if (err instanceof messages.DatabaseError) Object.assign(err, { query: sql, params });
  return err;
}
