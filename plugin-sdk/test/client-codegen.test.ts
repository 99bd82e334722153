// Producer-owned operations are compiled against the PRODUCER's own served schema (not the supergraph): a consumer's
// operation that the producer cannot answer fails the build, and each operation comes out bound to its producer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '@graphql-codegen/cli';
import {
  clientCodegenTarget,
  clientOperationsPlugin,
  CLIENT_OPERATIONS_PLUGIN,
} from '../src/contract/codegen-plugin.ts';
import { servedSchemaSdl } from '../src/contract/served-schema.ts';

const require = createRequire(import.meta.url);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'client-codegen-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const producerSdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Supplier @key(fields: "id") { id: ID! name: String! country: String }
  type Query { price(kg: Float!): Float! }
  type Mutation { setPrice(kg: Float!): Boolean! @auth(roles: [admin]) }
`;

async function compile(name: string, operations: string): Promise<string> {
  const file = path.join(dir, `${name}.graphql`);
  fs.writeFileSync(file, operations);
  const [out] = await generate(
    {
      silent: true,
      generates: { [path.join(dir, `${name}.ts`)]: clientCodegenTarget('pricing', servedSchemaSdl(producerSdl), file) },
      pluginLoader: async (n: string) =>
        n.endsWith(CLIENT_OPERATIONS_PLUGIN) ? clientOperationsPlugin : require(require.resolve(n)),
    },
    false,
  );
  return out.content;
}

describe('client operations codegen', () => {
  it('types each operation and binds it to its producer', async () => {
    const code = await compile(
      'ok',
      `query PriceOf($kg: Float!) { price(kg: $kg) }
       query Names($r: [_Any!]!) { _entities(representations: $r) { ... on Supplier { __typename id name country } } }
       mutation SetPrice($kg: Float!) { setPrice(kg: $kg) }`,
    );
    expect(code).toContain(`import { operation } from '@carbon-nexus/plugin-sdk/contract';`);
    expect(code).toContain('export const PriceOf = operation("pricing", PriceOfDocument);');
    expect(code).toContain('export const Names = operation("pricing", NamesDocument);');
    expect(code).toContain('export const SetPrice = operation("pricing", SetPriceDocument);');
    expect(code).toMatch(/export type PriceOfQuery = \{ __typename\?: 'Query', price: number \};/);
    expect(code).toMatch(/__typename: 'Supplier', id: string, name: string, country: string \| null/);
    expect(code).not.toMatch(/\bany\b/);
  });

  it('an operation the producer cannot answer fails the build, naming the field', async () => {
    await expect(compile('bad', `query Cost($kg: Float!) { cost(kg: $kg) }`)).rejects.toThrow(
      /Cannot query field "cost" on type "Query"/,
    );
    // A field of another plugin's part of Supplier (in the supergraph, not in this producer) is refused too.
    await expect(
      compile('foreign', `query Q($r: [_Any!]!) { _entities(representations: $r) { ... on Supplier { cadence } } }`),
    ).rejects.toThrow(/Cannot query field "cadence" on type "Supplier"/);
  });

  it('every published operation is a named PascalCase constant', async () => {
    await expect(compile('anon', `query { price(kg: 1) }`)).rejects.toThrow(
      /every operation a plugin publishes needs a name/,
    );
    await expect(compile('lower', `query priceOf { price(kg: 1) }`)).rejects.toThrow(
      /operation "priceOf" must be PascalCase/,
    );
  });
});
