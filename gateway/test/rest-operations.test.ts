// The operations folder is the REST contract: its route annotations are read strictly at build time (codegen), so a
// mistake fails the build naming the file and operation instead of silently serving a wrong or missing endpoint.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRestOperations } from '../src/rest/operations.ts';
import { operations } from './rest.fixtures.ts';

const read = (body: string) => readRestOperations([{ file: 'operations/x.graphql', body }]);

describe('operations/*.graphql annotations', () => {
  it('reads route, description, example, path parameters and the unwrapped root field', () => {
    const [op] = read(`
# POST /api/v1/things/{id}/frob
# Frobs a thing. Second sentence
# continues here.
# @example {"id": "t1", "level": 3}
mutation Frob($id: ID!, $level: Int) { frob: frobThing(id: $id, level: $level) { id } }
`);
    expect(op).toMatchObject({
      name: 'Frob',
      kind: 'mutation',
      method: 'POST',
      path: '/api/v1/things/{id}/frob',
      pathParams: ['id'],
      summary: 'Frobs a thing',
      description: 'Frobs a thing. Second sentence continues here.',
      example: { id: 't1', level: 3 },
      root: 'frob',
    });
    expect(op.hash).toMatch(/^[0-9a-f]{64}$/);
    // The manifest holds the normalized document: formatting does not change the id.
    const [same] = read(
      '# POST /api/v1/things/{id}/frob\nmutation Frob($level: Int, $id: ID!) {\n  frob: frobThing(id: $id, level: $level) {\n    id\n  }\n}',
    );
    expect(same.hash).toBe(op.hash);
  });

  it.each([
    ['query Q { a }', /no route/],
    ['# GET /api/v1/q\nquery { a }', /needs a name/],
    ['# POST /api/v1/q\nquery Q { a }', /query is served with GET/],
    ['# GET /api/v1/q\nmutation M { a }', /mutation needs POST/],
    ['# GET /v2/q\nquery Q { a }', /must start with \/api\/v1\//],
    ['# GET /api/v1/q/{id}\nquery Q { a }', /\{id\} is not a variable/],
    ['# GET /api/v1/q\nquery HotQuery { a }', /drop the "Query" suffix/],
    ['# GET /api/v1/q\n# @example {"nope": 1}\nquery Q($a: Int) { a(x: $a) }', /"nope", which is not a variable/],
    ['# GET /api/v1/q\n# @example {oops\nquery Q { a }', /@example is not valid JSON/],
    ['# GET /api/v1/q\nquery Q { a }\n# GET /api/v1/q\nquery R { b }', /already served by Q/],
  ])('refuses %j', (body, message) => {
    expect(() => read(body)).toThrow(message);
    expect(() => read(body)).toThrow(/operations\/x\.graphql: operation/);
  });

  it('the checked-in folder compiles to the routes the gateway serves (the seed paths among them)', () => {
    const dir = path.resolve(import.meta.dirname, '../../operations');
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.graphql'))
      .map((f) => ({ file: `operations/${f}`, body: fs.readFileSync(path.join(dir, f), 'utf8') }));
    const fresh = readRestOperations(files);
    expect(new Set(fresh.map((o) => `${o.method} ${o.path} ${o.hash}`))).toEqual(
      new Set(operations.map((o) => `${o.method} ${o.path} ${o.hash}`)),
    );
    const routes = fresh.map((o) => `${o.method} ${o.path}`);
    for (const seed of [
      'GET /api/v1/emissions/current',
      'GET /api/v1/emissions/forecast',
      'GET /api/v1/hotspots',
      'GET /api/v1/recommendations',
      'GET /api/v1/alerts',
      'GET /api/v1/data-quality',
      'POST /api/v1/simulate',
      'POST /api/v1/recommendations/{id}/approve',
      'POST /api/v1/recommendations/{id}/dismiss',
      'GET /api/v1/alerts/stream',
    ]) {
      expect(routes).toContain(seed);
    }
  });
});
