// A database connection that dies under a request (backend terminated, server restarted, network cut) must fail
// that request with an error the caller can act on, never crash the process. These helpers recognise such errors
// from pg, pg-pool and Prisma (whose driver adapter wraps pg's error) and give them one clear, retryable shape.

/** SQLSTATE classes/codes meaning "the connection is gone", not "the statement was wrong". */
const LOST_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);
const LOST_NODE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);
const LOST_MESSAGES = [
  /connection terminated/i,
  /terminating connection due to administrator command/i,
  /not queryable/i,
  /server has closed the connection/i,
  /can't reach database server/i,
  /cannot use a pool after calling end/i,
];

/** The request failed because the database connection was lost; retrying it is safe (its transaction rolled back). */
export class DatabaseUnavailableError extends Error {
  readonly code = 'DATABASE_UNAVAILABLE';
  /** graphql-js copies an original error's `extensions` onto the GraphQL error it wraps it in. */
  readonly extensions = { code: 'DATABASE_UNAVAILABLE', retryable: true };
  constructor(cause?: unknown) {
    super('database connection lost; retry the request', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * True when `err` (or anything in its cause chain) says the database connection was lost. Bare socket errors
 * (ECONNREFUSED, ECONNRESET) count only where the error is known to come from the database (`network: true`, the
 * default, for our own database calls) or from Prisma; elsewhere they may be any other service's.
 */
export function isConnectionLost(err: unknown, opts: { network?: boolean } = {}): boolean {
  const seen = new Set<unknown>();
  const prisma = typeof (err as any)?.name === 'string' && (err as any).name.startsWith('PrismaClient');
  const network = opts.network ?? true;
  for (let e = err as any; e && typeof e === 'object' && !seen.has(e); e = e.cause ?? e.originalError) {
    seen.add(e);
    if (e instanceof DatabaseUnavailableError) return true;
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (LOST_SQLSTATES.has(code) || ((network || prisma) && LOST_NODE_CODES.has(code)))) return true;
    // Prisma's driver-adapter errors carry the original SQLSTATE in `meta`/`cause`.
    const original = e.meta?.driverAdapterError?.cause?.originalCode ?? e.cause?.originalCode;
    if (typeof original === 'string' && LOST_SQLSTATES.has(original)) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    if (LOST_MESSAGES.some((re) => re.test(message))) return true;
  }
  return false;
}

/** `err` itself, or a DatabaseUnavailableError wrapping it when the connection was lost. */
export function asDatabaseError(err: unknown): unknown {
  return !(err instanceof DatabaseUnavailableError) && isConnectionLost(err) ? new DatabaseUnavailableError(err) : err;
}
