// DATABASE_POOL_SIZE: the PostgreSQL pool per process, validated by name.
import { describe, expect, it } from 'vitest';
import { poolSizeFromEnv } from '../src/database.ts';

describe('DATABASE_POOL_SIZE', () => {
  it('defaults to 10 and takes a whole number from 1 to 1000', () => {
    expect(poolSizeFromEnv({})).toBe(10);
    expect(poolSizeFromEnv({ DATABASE_POOL_SIZE: ' 25 ' })).toBe(25);
    for (const bad of ['0', '2.5', 'ten', '1001'])
      expect(() => poolSizeFromEnv({ DATABASE_POOL_SIZE: bad })).toThrow(/DATABASE_POOL_SIZE: must be a whole number/);
  });
});
