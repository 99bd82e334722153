// Request-scoped context that follows async work: correlation id and the caller's verified claims.
// Every log line, plugin call and bus message carries it without being threaded by hand.
import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';

export interface AuthClaims {
  sub: string;
  roles: string[];
  /** Supplier ids the caller may see; null = all suppliers. */
  supplierIds: string[] | null;
  /** Expiry, seconds since epoch (for streams that must end when it passes). */
  exp?: number;
  /** The raw bearer token, forwarded on remote plugin calls. */
  token?: string;
}

export interface RequestScope {
  correlationId: string;
  auth: AuthClaims | null;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function newCorrelationId(): string {
  return crypto.randomUUID();
}

export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}

export function runInScope<T>(scope: Partial<RequestScope>, fn: () => T): T {
  const parent = storage.getStore();
  return storage.run(
    {
      correlationId: scope.correlationId ?? parent?.correlationId ?? newCorrelationId(),
      auth: scope.auth !== undefined ? scope.auth : (parent?.auth ?? null),
    },
    fn,
  );
}

/** The identity scheduled jobs and bus handlers act as: all suppliers, platform role. */
export const SYSTEM_CLAIMS: AuthClaims = Object.freeze({
  sub: 'system',
  roles: ['system', 'admin'],
  supplierIds: null,
});

/**
 * A subscription's event stream pulled in the subscriber's scope: each event is resolved (and its rows read under
 * the caller's row-level security) as the subscriber, whichever connection loop pulls it.
 */
export function iterateInScope<T>(result: T, scope: Partial<RequestScope>): T {
  if (!result || typeof (result as any)[Symbol.asyncIterator] !== 'function') return result;
  const it = (result as unknown as AsyncIterable<unknown>)[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  const bound: AsyncIterableIterator<unknown> = {
    next: (...args: [] | [unknown]) => runInScope(scope, () => it.next(...args)),
    return: (value?: unknown) =>
      runInScope(scope, async () => (it.return ? it.return(value) : { done: true as const, value })),
    throw: (err?: unknown) => runInScope(scope, async () => (it.throw ? it.throw(err) : Promise.reject(err))),
    [Symbol.asyncIterator]() {
      return bound;
    },
  };
  return bound as unknown as T;
}
