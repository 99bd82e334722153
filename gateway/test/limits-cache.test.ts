// Depth and cost analysed once per document (protection/limits.ts): the cached answers must be the uncached ones —
// per value of the variables that size lists or switch fields, never reused for invalid variables.
import { describe, expect, it } from 'vitest';
import { buildSchema, parse } from 'graphql';
import { limitError, queryCost } from '../src/protection/limits.ts';

const schema = buildSchema(`
  type Item { id: ID! children(first: Int = 5): [Item!]! name: String }
  type Query { items(first: Int, filter: String): [Item!]! }
`);
const opts = { maxDepth: 4, maxCost: 500 };
const doc = parse(
  'query Q($n: Int, $m: Int, $f: String, $deep: Boolean = false) { items(first: $n, filter: $f) { id children(first: $m) { id name } ... @include(if: $deep) { children { children { id } } } } }',
);

describe('depth and cost limits, analysed once per document', () => {
  it("gives the estimator's cost for every value of the list-size variables, cached or not", () => {
    for (const vars of [
      { n: 2, m: 3 },
      { n: 10, m: 3 },
      { n: 2, m: 3 },
      { n: 40, m: 20 },
      { n: 40, m: 20, f: 'x' },
      { n: 2, m: 3, deep: true },
      { n: 2 },
    ]) {
      const expected = queryCost(schema, doc, vars, 'Q');
      const err = limitError(opts, schema, doc, vars, 'Q');
      if (expected > opts.maxCost) expect(err?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', cost: expected });
      else expect(err, JSON.stringify(vars)).toBeNull();
    }
  });

  it('a variable that does not size anything does not change the answer; one that does, does', () => {
    expect(limitError(opts, schema, doc, { n: 40, m: 20, f: 'a' }, 'Q')?.extensions.code).toBe('QUERY_TOO_COSTLY');
    expect(limitError(opts, schema, doc, { n: 40, m: 20, f: 'b' }, 'Q')?.extensions.code).toBe('QUERY_TOO_COSTLY');
    expect(limitError(opts, schema, doc, { n: 4, m: 20, f: 'b' }, 'Q')).toBeNull();
  });

  it("invalid variables are the client's error every time, even after the same sizes were accepted", () => {
    expect(limitError(opts, schema, doc, { n: 2, m: 3 }, 'Q')).toBeNull();
    for (const bad of [
      { n: 2, m: 3, f: 7 },
      { n: 'two', m: 3 },
    ]) {
      const err = limitError(opts, schema, doc, bad, 'Q');
      expect(err?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', http: { status: 400 } });
      expect(err?.message).toMatch(/Variable "\$(f|n)"/);
    }
  });

  it('depth is refused per operation of the document', () => {
    const two = parse(
      'query Shallow { items { id } } query Deep { items { children { children { children { children { id } } } } } }',
    );
    expect(limitError(opts, schema, two, undefined, 'Shallow')).toBeNull();
    expect(limitError(opts, schema, two, undefined, 'Deep')?.extensions).toMatchObject({
      code: 'QUERY_TOO_DEEP',
      depth: 6,
    });
    expect(limitError(opts, schema, two, undefined, 'Shallow')).toBeNull();
  });
});
