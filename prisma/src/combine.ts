// Several writes as one statement (data-modifying CTEs): one statement is atomic without BEGIN/COMMIT and costs one
// round trip, where a transaction of n statements costs n + 2 (on PostgreSQL each is a socket write and a wait).
import type { SqlStatement } from './database.ts';

/**
 * `WITH w0 AS (writes[0]), w1 AS (writes[1]), … <select>`: the writes (INSERT/UPDATE/DELETE, with RETURNING to be
 * read) run as one statement; `select` reads their RETURNING rows by name (w0, w1, …) and is the statement's result
 * (`SELECT 1` when omitted). Their parameters are renumbered in order.
 *
 * All of them see the database as it was before the statement: a write does not see the rows another one writes,
 * and two of them must not change the same row. Use it for writes that are independent of each other.
 */
export function combineWrites(writes: readonly SqlStatement[], select = 'SELECT 1'): SqlStatement {
  if (!writes.length) throw new Error('combineWrites: no writes');
  const params: unknown[] = [];
  const parts = writes.map((w, i) => {
    const offset = params.length;
    const own = w.params ?? [];
    params.push(...own);
    // Our statements hold no "$n" inside literals, so every $n is a parameter reference.
    const sql = w.sql.replace(/\$(\d+)/g, (_, n: string) => {
      const k = Number(n);
      if (k < 1 || k > own.length) throw new Error(`combineWrites: statement ${i} refers to $${k} without a value`);
      return `$${k + offset}`;
    });
    return `w${i} AS (${sql})`;
  });
  return { sql: `WITH ${parts.join(',\n')}\n${select}`, params };
}
