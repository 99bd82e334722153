// A plugin's schema as its subgraph serves it: its SDL with the SDK's @auth removed and the federation fields
// (_entities, _service, _Any) added. Consumers' operations are validated against this, not the supergraph.
import { createRequire } from 'node:module';
import type { DocumentNode } from 'graphql';
import { extractAuthRules } from '../authz/directive.ts';

const require = createRequire(import.meta.url);
// The CommonJS graphql: the instance @apollo/subgraph builds with (codegen loads this module outside vitest's alias).
const { parse, printSchema } = require('graphql') as typeof import('graphql');
const { buildSubgraphSchema } = require('@apollo/subgraph') as typeof import('@apollo/subgraph');

export function servedSchemaSdl(sdl: string | DocumentNode): string {
  const { typeDefs } = extractAuthRules(typeof sdl === 'string' ? parse(sdl) : sdl);
  return printSchema(buildSubgraphSchema({ typeDefs }));
}
