// Supplier row-level security, enforced by the database. A supplier-scoped caller's statements run inside a
// transaction that first switches to the NOLOGIN role `cn_supplier_scope` and records the caller's supplier ids;
// the policies of migration `*_supplier_row_level_security` then hide (and refuse to write) other suppliers' rows.
// Unscoped callers (admins, system jobs, tokens without supplier_ids) pay nothing: their statements run as before.
// This is the Supabase pattern (`set local role authenticated` + claims in a setting) behind our own adapters.
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, Transaction } from '@prisma/driver-adapter-utils';

export const SCOPE_ROLE = 'cn_supplier_scope';
export const SCOPE_SETTING = 'cn.supplier_ids';

/** The current caller's supplier ids; null = not restricted. Read at the start of every statement/transaction. */
export type RowScopeProvider = () => readonly string[] | null | undefined;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The statement that scopes the current transaction. Ids that are not UUIDs can match no row, so they are dropped
 * (which also makes the literal safe to inline: only hex digits, dashes and commas remain).
 */
export function scopeStatement(ids: readonly string[]): string {
  const list = ids.filter((id) => UUID.test(id)).join(',');
  return `SELECT set_config('role', '${SCOPE_ROLE}', true), set_config('${SCOPE_SETTING}', '${list}', true)`;
}

const noArgs = (sql: string): SqlQuery => ({ sql, args: [], argTypes: [] });

/** Wraps a Prisma driver adapter factory so every query and transaction honours the caller's row scope. */
export function scopedAdapterFactory(
  inner: SqlDriverAdapterFactory,
  scope: () => RowScopeProvider | null,
): SqlDriverAdapterFactory {
  const ids = () => scope()?.() ?? null;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop !== 'connect') return Reflect.get(target, prop, receiver);
      return async () => scopedAdapter(await target.connect(), ids);
    },
  });
}

// Adapters that do not use phantom queries (PrismaPg) expect the caller to send COMMIT/ROLLBACK; their
// commit()/rollback() only release the connection. PGlite's adapter ends the transaction itself.
async function finish(tx: Transaction, how: 'COMMIT' | 'ROLLBACK'): Promise<void> {
  if (!tx.options.usePhantomQuery) {
    try {
      await tx.executeRaw(noArgs(how));
    } catch (err) {
      await tx.rollback().catch(() => undefined);
      throw err;
    }
  }
  await (how === 'COMMIT' ? tx.commit() : tx.rollback());
}

function scopedAdapter(adapter: SqlDriverAdapter, ids: () => readonly string[] | null): SqlDriverAdapter {
  const begin = async (isolation?: Parameters<SqlDriverAdapter['startTransaction']>[0]): Promise<Transaction> => {
    const scoped = ids();
    const tx = await adapter.startTransaction(isolation);
    if (scoped) {
      try {
        await tx.queryRaw(noArgs(scopeStatement(scoped)));
      } catch (err) {
        await finish(tx, 'ROLLBACK').catch(() => undefined);
        throw err;
      }
    }
    return tx;
  };
  // A statement outside a transaction gets its own short transaction when (and only when) the caller is scoped.
  const once =
    <R>(run: (q: Pick<SqlDriverAdapter, 'queryRaw' | 'executeRaw'>) => Promise<R>) =>
    async (): Promise<R> => {
      if (!ids()) return run(adapter);
      const tx = await begin();
      let out: R;
      try {
        out = await run(tx);
      } catch (err) {
        await finish(tx, 'ROLLBACK').catch(() => undefined);
        throw err;
      }
      await finish(tx, 'COMMIT');
      return out;
    };
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      switch (prop) {
        case 'queryRaw':
          return (q: SqlQuery) => once((c) => c.queryRaw(q))();
        case 'executeRaw':
          return (q: SqlQuery) => once((c) => c.executeRaw(q))();
        case 'startTransaction':
          return begin;
        default: {
          const v = Reflect.get(target, prop, receiver);
          return typeof v === 'function' ? v.bind(target) : v;
        }
      }
    },
  });
}
