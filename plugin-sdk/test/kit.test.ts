// The resolver kit: one batch loader flush rule, cursors that reject what they did not make, argument validation and
// scalars whose errors name the argument, supplier scope, seeded randomness.
import { describe, it, expect } from 'vitest';
import { graphql, type GraphQLSchema } from 'graphql';
import { makeExecutableSchemaLike } from './kit.fixtures.ts';
import {
  currentScope,
  decodeCursor,
  defineLoader,
  encodeCursor,
  mulberry32,
  parseDateTime,
  parseFirst,
  parseRange,
  parseUuid,
  requireAuth,
  runInScope,
  scopedSuppliers,
  seededRandom,
  supplierScopeSql,
  toIso,
} from '@carbon-nexus/plugin-sdk';

const U1 = '7d0c8f5e-2b4a-4c3e-9a51-0f6f1c2d3e4b';
const U2 = '0b9d7e6a-1c2f-4e3d-8a7b-6c5d4e3f2a1b';

/** BAD_USER_INPUT with the field and message, from a function that throws. */
function inputError(fn: () => unknown): { field: unknown; message: string; code: unknown } {
  try {
    fn();
  } catch (err) {
    const e = err as { message: string; extensions?: Record<string, unknown> };
    return { field: e.extensions?.field, message: e.message, code: e.extensions?.code };
  }
  throw new Error('expected an error');
}

describe('defineLoader: one flush rule', () => {
  it('batches keys asked for in one turn of the event loop, even behind awaits, into one call with unique keys', async () => {
    const batches: string[][] = [];
    const loader = defineLoader(async (keys: string[]) => {
      batches.push(keys);
      return new Map(keys.map((k) => [k, k.toUpperCase()]));
    });
    const ctx = {};
    const later = async (k: string, depth: number) => {
      for (let i = 0; i < depth; i++) await Promise.resolve();
      await new Promise<void>((r) => process.nextTick(r));
      return loader.load(ctx, k);
    };
    const values = await Promise.all([loader.load(ctx, 'a'), later('b', 3), later('a', 10), loader.load(ctx, 'c')]);
    expect(values).toEqual(['A', 'B', 'A', 'C']);
    expect(batches.map((b) => [...b].sort())).toEqual([['a', 'b', 'c']]);
  });

  it('keeps requests (contexts) and argument sets apart, and caches nothing between flushes', async () => {
    const calls: { keys: string[]; args: unknown }[] = [];
    const loader = defineLoader(async (keys: string[], _ctx: object, args: { first: number }) => {
      calls.push({ keys, args });
      return new Map(keys.map((k) => [k, `${k}:${args.first}:${calls.length}`]));
    });
    const r1 = {};
    const r2 = {};
    const v = await Promise.all([
      loader.load(r1, 'x', { first: 1 }),
      loader.load(r1, 'y', { first: 1 }),
      loader.load(r1, 'x', { first: 2 }),
      loader.load(r2, 'x', { first: 1 }),
    ]);
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.keys)).toEqual([['x', 'y'], ['x'], ['x']]);
    expect(v[0]).toBe(v[1]!.replace('y', 'x'));
    // The same key in a later turn is fetched again: a long-lived (subscription) context never sees stale rows.
    const again = await loader.load(r1, 'x', { first: 1 });
    expect(calls).toHaveLength(4);
    expect(again).toBe('x:1:4');
  });

  it('missing keys resolve undefined; a failed batch rejects every waiting load', async () => {
    const found = defineLoader(
      async (keys: number[]) => new Map(keys.filter((k) => k % 2 === 0).map((k) => [k, k * 10])),
    );
    expect(await found.loadMany({}, [1, 2, 3, 4])).toEqual([undefined, 20, undefined, 40]);
    const broken = defineLoader(async (): Promise<Map<string, string>> => {
      throw new Error('database down');
    });
    const ctx = {};
    const r = await Promise.allSettled([broken.load(ctx, 'a'), broken.load(ctx, 'b')]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    expect((r[0] as PromiseRejectedResult).reason.message).toBe('database down');
  });

  it('batches the children of a list resolved by GraphQL into one call, whatever their parents awaited', async () => {
    const batches: string[][] = [];
    const owner = defineLoader(async (ids: string[]) => {
      batches.push(ids);
      return new Map(ids.map((id) => [id, `owner of ${id}`]));
    });
    const settleAfter = async <T>(v: T, depth: number) => {
      for (let i = 0; i < depth; i++) await Promise.resolve();
      await new Promise<void>((r) => process.nextTick(r));
      return v;
    };
    const schema = makeExecutableSchemaLike(`type Query { items: [Item!]! } type Item { id: ID! owner: String }`, {
      // Each item (like an entity reference) resolves at its own depth; its owner resolver awaits too.
      Query: { items: () => ['i1', 'i2', 'i3'].map((id, n) => settleAfter({ id }, n * 7)) },
      Item: {
        owner: async (item: { id: string }, _a: unknown, ctx: object) => owner.load(ctx, await settleAfter(item.id, 3)),
      },
    });
    const r = await graphql({ schema, source: '{ items { id owner } }', contextValue: {} });
    expect(r).toEqual({ data: { items: ['i1', 'i2', 'i3'].map((id) => ({ id, owner: `owner of ${id}` })) } });
    expect(batches.map((b) => [...b].sort())).toEqual([['i1', 'i2', 'i3']]);
  });
});

/** A promise with its resolver outside, to hold a batch "in the database" until the test lets it answer. */
function gate(): { p: Promise<void>; open: () => void } {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}
const turn = () => new Promise<void>((r) => setImmediate(r));

describe('defineLoader: batches of different requests coalesce while the loader is busy', () => {
  type Auth = { auth?: { supplierIds: string[] | null; roles: string[] }; services?: object };
  /** A loader whose every call is recorded and answers only when the test opens its gate. */
  function heldLoader(opts?: {
    coalesce?: boolean;
    maxBatchSize?: number;
    maxWaitMs?: number;
    fail?: (keys: string[]) => boolean;
  }) {
    const calls: { keys: string[]; scope: unknown; gate: ReturnType<typeof gate> }[] = [];
    const loader = defineLoader(
      async (keys: string[], _ctx: Auth) => {
        const g = gate();
        calls.push({ keys: [...keys].sort(), scope: currentScope()?.auth?.sub, gate: g });
        await g.p;
        if (opts?.fail?.(keys)) throw new Error(`bad key in ${keys.join(',')}`);
        return new Map(keys.map((k) => [k, `${k}@${calls.length}`]));
      },
      { coalesce: opts?.coalesce, maxBatchSize: opts?.maxBatchSize, maxWaitMs: opts?.maxWaitMs },
    );
    return { calls, loader };
  }

  it('batches ready while one is running wait for it and go out together; none joins one already sent', async () => {
    const { calls, loader } = heldLoader();
    const first = loader.load({}, 'a');
    await turn();
    expect(calls).toHaveLength(1); // sent at once: nothing was running
    // Three more requests while the first is out: none of them joins it (it was sent before they asked).
    const later = [loader.load({}, 'a'), loader.load({}, 'b'), loader.loadMany({}, ['b', 'c'])];
    await turn();
    expect(calls).toHaveLength(1);
    calls[0].gate.open();
    expect(await first).toBe('a@1');
    await turn();
    expect(calls.map((c) => c.keys)).toEqual([['a'], ['a', 'b', 'c']]); // one call for the three, keys once each
    calls[1].gate.open();
    expect(await Promise.all(later)).toEqual(['a@2', 'b@2', ['b@2', 'c@2']]);
    // Idle again: the next batch goes out at once.
    const next = loader.load({}, 'd');
    await turn();
    expect(calls).toHaveLength(3);
    calls[2].gate.open();
    expect(await next).toBe('d@3');
  });

  it('callers of different supplier scope or roles never share a call, and each runs as itself', async () => {
    const { calls, loader } = heldLoader();
    const as = (sub: string, supplierIds: string[] | null, roles = ['analyst']) =>
      ({ auth: { sub, supplierIds, roles } }) as const;
    const load = (who: ReturnType<typeof as>, key: string) =>
      runInScope({ auth: who.auth }, () => loader.load({ auth: who.auth }, key));
    const all = load(as('all-1', null), 'x');
    const a1 = load(as('a-1', [U1]), 'x');
    await turn();
    expect(calls.map((c) => c.scope)).toEqual(['all-1', 'a-1']); // different scopes: both out at once
    const waiting = [
      load(as('a-2', [U1]), 'y'),
      load(as('b-1', [U2]), 'y'),
      load(as('all-2', null), 'y'),
      load(as('all-admin', null, ['admin']), 'y'),
    ];
    await turn();
    expect(calls.map((c) => c.scope)).toEqual(['all-1', 'a-1', 'b-1', 'all-admin']);
    for (const c of calls) c.gate.open();
    await Promise.all([all, a1]);
    await turn();
    // The two that waited went out after their own scope's call, read as themselves (row-level security reads
    // the request scope), with no one else's keys.
    expect(calls.slice(4).map((c) => [c.scope, c.keys])).toEqual(
      expect.arrayContaining([
        ['a-2', ['y']],
        ['all-2', ['y']],
      ]),
    );
    expect(calls).toHaveLength(6);
    for (const c of calls) c.gate.open();
    expect(await Promise.all(waiting)).toHaveLength(4);
  });

  it('two instances of a plugin in one process (their own services) never share a call', async () => {
    const { calls, loader } = heldLoader();
    const a = { services: { db: 'A' } };
    const b = { services: { db: 'B' } };
    const first = [loader.load(a, 'x'), loader.load(b, 'x')];
    await turn();
    expect(calls).toHaveLength(2); // each instance's first batch goes out at once
    const second = [loader.load(a, 'y'), loader.load(b, 'y')];
    await turn();
    for (const c of calls) c.gate.open();
    await Promise.all(first);
    await turn();
    expect(calls.slice(2).map((c) => c.keys)).toEqual([['y'], ['y']]);
    for (const c of calls) c.gate.open();
    expect(await Promise.all(second)).toEqual(['y@4', 'y@4']);
  });

  it("a merged call that fails is sent again per request, so one request's bad key fails only that request", async () => {
    const { calls, loader } = heldLoader({ fail: (keys) => keys.includes('bad') });
    const first = loader.load({}, 'a');
    await turn();
    const good = loader.load({}, 'b');
    const bad = loader.load({}, 'bad');
    await turn();
    calls[0].gate.open();
    await first;
    await turn();
    expect(calls[1].keys).toEqual(['b', 'bad']);
    calls[1].gate.open();
    await turn();
    await turn();
    expect(calls.slice(2).map((c) => c.keys)).toEqual([['b'], ['bad']]);
    for (const c of calls) c.gate.open();
    const [g, b] = await Promise.allSettled([good, bad]);
    expect(g).toEqual({ status: 'fulfilled', value: 'b@4' });
    expect((b as PromiseRejectedResult).reason.message).toBe('bad key in bad');
  });

  it('behind a call that does not finish, the waiting batches go out together after maxWaitMs', async () => {
    const { calls, loader } = heldLoader({ maxWaitMs: 30 });
    const stuck = loader.load({}, 'a'); // never answered until the end of the test
    await turn();
    const t0 = Date.now();
    const behind = [loader.load({}, 'b'), loader.load({}, 'c')];
    await turn();
    expect(calls).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(calls.map((c) => c.keys)).toEqual([['a'], ['b', 'c']]);
    calls[1].gate.open();
    expect(await Promise.all(behind)).toEqual(['b@2', 'c@2']);
    expect(Date.now() - t0).toBeLessThan(1000);
    // Two are out now; a batch asked meanwhile waits for the first of them to finish.
    const next = loader.load({}, 'd');
    await turn();
    expect(calls).toHaveLength(2);
    calls[0].gate.open();
    expect(await stuck).toMatch(/^a@/);
    await turn();
    expect(calls.map((c) => c.keys)).toEqual([['a'], ['b', 'c'], ['d']]);
    calls[2].gate.open();
    expect(await next).toBe('d@3');
  });

  it('a merged call keeps to maxBatchSize; coalesce: false sends every batch at once', async () => {
    const sized = heldLoader({ maxBatchSize: 2 });
    const first = sized.loader.load({}, 'a');
    await turn();
    const rest = ['b', 'c', 'd'].map((k) => sized.loader.load({}, k));
    await turn();
    sized.calls[0].gate.open();
    await first;
    for (let i = 0; i < 4 && sized.calls.length < 3; i++) {
      await turn();
      for (const c of sized.calls) c.gate.open();
    }
    expect(await Promise.all(rest)).toEqual(['b@2', 'c@2', 'd@3']);
    expect(sized.calls.map((c) => c.keys)).toEqual([['a'], ['b', 'c'], ['d']]);

    const apart = heldLoader({ coalesce: false });
    const both = [apart.loader.load({}, 'a'), apart.loader.load({}, 'b')];
    await turn();
    expect(apart.calls.map((c) => c.keys)).toEqual([['a'], ['b']]);
    for (const c of apart.calls) c.gate.open();
    expect(await Promise.all(both)).toEqual(['a@2', 'b@2']);
  });
});

describe('cursors', () => {
  const shape = ['datetime', 'uuid'] as const;
  it('round-trip typed parts', () => {
    const c = encodeCursor(['2026-11-27T10:00:00.000Z', U1]);
    const [at, id] = decodeCursor('after', c, shape)!;
    expect([at, id]).toEqual(['2026-11-27T10:00:00.000Z', U1]);
    expect(decodeCursor('after', null, shape)).toBeNull();
    expect(decodeCursor('after', encodeCursor([3, 'x']), ['int', 'string'])).toEqual([3, 'x']);
  });

  it('a tampered, truncated, foreign or garbage cursor is BAD_USER_INPUT naming the argument', () => {
    const good = encodeCursor(['2026-11-27T10:00:00.000Z', U1]);
    const flipped = good.slice(0, 5) + (good[5] === 'A' ? 'B' : 'A') + good.slice(6);
    const tampered = [
      flipped,
      good.slice(0, -4),
      encodeCursor(['2026-11-27T10:00:00.000Z']), // another list's cursor (one part)
      encodeCursor(['yesterday', U1]),
      encodeCursor(['2026-11-27T10:00:00.000Z', `${U1}'; DROP TABLE x; --`]),
      encodeCursor([1, 2]),
      'not a cursor!',
      Buffer.from('{"a":1}').toString('base64url'),
    ];
    for (const c of tampered) {
      expect(
        inputError(() => decodeCursor('after', c, shape)),
        c,
      ).toEqual({
        field: 'after',
        code: 'BAD_USER_INPUT',
        message: 'after: is not a cursor returned by this API (pass pageInfo.endCursor of the previous page unchanged)',
      });
    }
  });
});

describe('argument validation', () => {
  it('uuids', () => {
    expect(parseUuid('supplierId', U1)).toBe(U1);
    expect(inputError(() => parseUuid('supplierId', 'nope', 'a supplier id'))).toEqual({
      field: 'supplierId',
      code: 'BAD_USER_INPUT',
      message: 'supplierId: "nope" is not a supplier id (uuid)',
    });
    expect(inputError(() => parseUuid('id', `${U1}x`)).message).toBe(`id: "${U1}x" is not an id (uuid)`);
  });

  it('ISO-8601 date-times need a zone; ranges are ordered and bounded', () => {
    expect(parseDateTime('from', '2026-11-27T10:00:00Z')).toBe(Date.UTC(2026, 10, 27, 10));
    expect(parseDateTime('from', '2026-11-27T11:00+01:00')).toBe(Date.UTC(2026, 10, 27, 10));
    for (const bad of ['2026-11-27', '2026-11-27T10:00:00', 'tomorrow', '2026-11-27 10:00:00Z']) {
      expect(inputError(() => parseDateTime('from', bad))).toEqual({
        field: 'from',
        code: 'BAD_USER_INPUT',
        message: `from: "${bad}" is not an ISO-8601 timestamp with a time zone (e.g. 2026-11-27T00:00:00Z)`,
      });
    }
    for (const unreal of [
      '2026-02-30T10:00:00Z',
      '2026-11-27T24:00:00Z',
      '2026-11-27T10:61:00Z',
      '2026-11-27T10:00:00+25:00',
    ]) {
      expect(inputError(() => parseDateTime('to', unreal)).message).toBe(`to: "${unreal}" is not a valid date`);
    }
    expect(parseDateTime('to', '2024-02-29T23:59:59.999z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
    expect(parseRange('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')).toEqual({
      from: Date.UTC(2026, 0, 1),
      to: Date.UTC(2026, 0, 2),
    });
    expect(inputError(() => parseRange('2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z'))).toMatchObject({
      field: 'to',
      message: 'to: must be after from (2026-01-02T00:00:00Z)',
    });
    expect(inputError(() => parseRange('2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z', { maxDays: 31 }))).toMatchObject(
      { field: 'to', message: 'to: the range may span at most 31 days' },
    );
    expect(inputError(() => parseRange('x', '2026-03-01T00:00:00Z', { fromField: 'since' })).field).toBe('since');
  });

  it('page sizes and ISO output', () => {
    expect(parseFirst(undefined, 50, 500)).toBe(50);
    expect(inputError(() => parseFirst(501, 50, 500))).toMatchObject({
      field: 'first',
      message: 'first: must be an integer between 1 and 500 (got 501)',
    });
    expect(inputError(() => parseFirst(2.5, 50, 500, 'limit')).field).toBe('limit');
    expect(toIso(Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00.000Z');
    expect(toIso(null)).toBeNull();
  });

  it('toIso gives exactly what Date gives for timestamp text, or fails as Date does', () => {
    // PostgreSQL's JSON text and its neighbours: every fraction length, every UTC suffix, days past 28 (Date rolls
    // 02-31 over to March), hour 24, second 60, other offsets, junk.
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    const samples: string[] = ['2026-12-04T22:47:32+00', '2026-12-04 22:47:32+00:00', 'not a date', '2026-12-04'];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 3000; i++) {
      const date = `${pad(1990 + rand(60), 4)}-${pad(1 + rand(13))}-${pad(1 + rand(31))}`;
      const time = `${pad(rand(25))}:${pad(rand(60))}:${pad(rand(61))}`;
      const digits = rand(10);
      const fraction = digits ? `.${String(rand(10 ** digits)).padStart(digits, '0')}` : '';
      const suffix = ['Z', '+00:00', '+0000', '+01:00', '-00:00', ''][rand(6)];
      samples.push(`${date}T${time}${fraction}${suffix}`);
    }
    const outcome = (f: () => string | null) => {
      try {
        return f();
      } catch (err) {
        return `throws ${(err as Error).name}`;
      }
    };
    for (const s of samples)
      expect([s, outcome(() => toIso(s))]).toEqual([s, outcome(() => new Date(s).toISOString())]);
    expect(toIso('2026-12-04T22:47:32.123456+00:00')).toBe('2026-12-04T22:47:32.123Z');
  });
});

describe('scalars', () => {
  const schema: GraphQLSchema = makeExecutableSchemaLike(
    `scalar DateTime scalar UUID scalar JSON
     type Query { at(when: DateTime!): DateTime! supplier(id: UUID!): UUID! echo(v: JSON): JSON count: Int }`,
    {
      Query: {
        at: (_: unknown, a: { when: string }) => new Date(a.when),
        supplier: (_: unknown, a: { id: string }) => a.id,
        echo: (_: unknown, a: { v: unknown }) => a.v,
      },
    },
    true,
  );
  it('DateTime: variables and literals are checked; values are answered in UTC', async () => {
    const ok = await graphql({
      schema,
      source: 'query($w: DateTime!) { at(when: $w) }',
      variableValues: { w: '2026-11-27T11:00:00+01:00' },
    });
    expect(ok).toEqual({ data: { at: '2026-11-27T10:00:00.000Z' } });
    const badVar = await graphql({
      schema,
      source: 'query($w: DateTime!) { at(when: $w) }',
      variableValues: { w: '27/11/2026' },
    });
    expect(badVar.errors?.[0].message).toBe(
      'Variable "$w" got invalid value "27/11/2026"; Expected type "DateTime". "27/11/2026" is not an ISO-8601 timestamp with a time zone (e.g. 2026-11-27T00:00:00Z)',
    );
    const badLiteral = await graphql({ schema, source: '{ at(when: "2026-11-27") }' });
    expect(badLiteral.errors?.[0].message).toBe(
      'Expected value of type "DateTime!", found "2026-11-27"; "2026-11-27" is not an ISO-8601 timestamp with a time zone (e.g. 2026-11-27T00:00:00Z)',
    );
    expect(badLiteral.errors?.[0].locations).toEqual([{ line: 1, column: 12 }]);
  });

  it('UUID and JSON', async () => {
    expect(await graphql({ schema, source: `{ supplier(id: "${U1}") }` })).toEqual({ data: { supplier: U1 } });
    const bad = await graphql({
      schema,
      source: 'query($id: UUID!) { supplier(id: $id) }',
      variableValues: { id: '42' },
    });
    expect(bad.errors?.[0].message).toBe(
      'Variable "$id" got invalid value "42"; Expected type "UUID". "42" is not a uuid',
    );
    const json = await graphql({
      schema,
      source: 'query($n: Int) { echo(v: { a: [1, "two", null, true], b: { c: 2.5, n: $n } }) }',
      variableValues: { n: 7 },
    });
    expect(json).toEqual({ data: { echo: { a: [1, 'two', null, true], b: { c: 2.5, n: 7 } } } });
  });
});

describe('supplier scope', () => {
  it('intersects the requested suppliers with the caller scope; outside-only is FORBIDDEN (or empty)', () => {
    expect(scopedSuppliers(null, null)).toBeNull();
    expect(scopedSuppliers(null, [U1, U1])).toEqual([U1]);
    expect(scopedSuppliers([U1], null)).toEqual([U1]);
    expect(scopedSuppliers([U1], [U1, U2])).toEqual([U1]);
    expect(() => scopedSuppliers([U1], [U2])).toThrow('you may not see data of the requested suppliers');
    expect(scopedSuppliers([U1], [U2], { outside: 'empty' })).toEqual([]);
    expect(() => requireAuth(null)).toThrow(/sign in first/);
  });

  it('SQL: a parameterized condition, or TRUE for an unrestricted caller', () => {
    const params: unknown[] = ['x'];
    expect(supplierScopeSql([U1], params, 'h.supplier_id')).toBe('h.supplier_id = ANY($2::uuid[])');
    expect(params).toEqual(['x', [U1]]);
    expect(supplierScopeSql(null, params)).toBe('TRUE');
    expect(params).toHaveLength(2);
  });
});

describe('seeded randomness', () => {
  it("mulberry32 gives the sequence the plugins' copies gave (same seed, same data)", () => {
    const r = mulberry32(42);
    expect([r(), r(), r()]).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  });
  it('seededRandom helpers stay in range and repeat with the seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from(
      { length: 200 },
      () => [a.uniform(2, 3), a.int(1, 6), a.normal(), a.pick(['x', 'y'])] as const,
    );
    expect(xs).toEqual(
      Array.from({ length: 200 }, () => [b.uniform(2, 3), b.int(1, 6), b.normal(), b.pick(['x', 'y'])]),
    );
    expect(
      xs.every(([u, i, , p]) => u >= 2 && u < 3 && Number.isInteger(i) && i >= 1 && i <= 6 && (p === 'x' || p === 'y')),
    ).toBe(true);
    expect(new Set(xs.map((x) => x[1])).size).toBe(6);
    expect(() => a.pick([])).toThrow('pick: the list is empty');
  });
});
