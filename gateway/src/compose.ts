// Supergraph composition with @apollo/composition. The build writes the result to gateway/supergraph.graphql
// (committed) and the API schema to gateway/schema.graphql (what codegen and the dashboard type against).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { printSchema, lexicographicSortSchema, buildSchema } from 'graphql';
import type { AnyPlugin } from '@carbon-nexus/plugin-sdk';

export const gatewayDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const supergraphPath = path.join(gatewayDir, 'supergraph.graphql');
export const apiSchemaPath = path.join(gatewayDir, 'schema.graphql');

export class CompositionError extends Error {
  constructor(readonly errors: { message: string; code?: string }[]) {
    super('the plugins do not compose into one graph:\n' + errors.map((e) => `  - ${e.code ? `[${e.code}] ` : ''}${e.message}`).join('\n'));
    this.name = 'CompositionError';
  }
}

export interface Composed {
  supergraphSdl: string;
  apiSchemaSdl: string;
}

/** Subgraph URLs in the committed supergraph are placeholders; the gateway routes by subgraph name. */
export function subgraphPlaceholderUrl(id: string): string {
  return `http://${id}.subgraph.local/graphql`;
}

export function composePlugins(plugins: AnyPlugin[]): Composed {
  const result = composeServices(plugins.map((p) => ({ name: p.id, typeDefs: p.typeDefs, url: subgraphPlaceholderUrl(p.id) })));
  if (result.errors?.length) {
    throw new CompositionError(result.errors.map((e: any) => ({ message: e.message, code: e.extensions?.code })));
  }
  if (!result.schema || !result.supergraphSdl) throw new CompositionError([{ message: 'composition returned no schema' }]);
  const api = result.schema.toAPISchema().toGraphQLJSSchema();
  return {
    supergraphSdl: result.supergraphSdl,
    apiSchemaSdl: printSchema(lexicographicSortSchema(api)) + '\n',
  };
}

export function readCommittedSupergraph(): string | null {
  return fs.existsSync(supergraphPath) ? fs.readFileSync(supergraphPath, 'utf8') : null;
}

export function isStale(composed: Composed): boolean {
  const sg = readCommittedSupergraph();
  const api = fs.existsSync(apiSchemaPath) ? fs.readFileSync(apiSchemaPath, 'utf8') : null;
  return sg !== composed.supergraphSdl || api !== composed.apiSchemaSdl;
}

export function writeComposed(composed: Composed): void {
  fs.writeFileSync(supergraphPath, composed.supergraphSdl);
  fs.writeFileSync(apiSchemaPath, composed.apiSchemaSdl);
}

export { buildSchema };
