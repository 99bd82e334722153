// Test hosts given REDIS_URL (CI sets it) share one Redis with every suite running beside them, and Redis pub/sub
// channels are server-wide: without a prefix of their own, one suite's events reach another's subscribers.
import { randomUUID } from 'node:crypto';
import type { Database } from '@carbon-nexus/db';

const prefixes = new WeakMap<Database, string>();

/** The bus channel prefix of the test deployment on `db`: hosts on the same database hear each other, no one else. */
export function testBusPrefix(db: Database): string {
  let prefix = prefixes.get(db);
  if (!prefix) prefixes.set(db, (prefix = `test-${randomUUID().slice(0, 8)}`));
  return prefix;
}
