// A stand-in for a peer plugin in tests, built from the peer's REAL SDL (its schema.graphql), so a mock cannot drift
// from the contract: a resolver for a field the peer does not have is an error when the mock is made, and every
// operation sent to it is validated against that schema like the real one would be. Root fields the test does not
// give a resolver for answer with an error naming the field. Calls are recorded for assertions.
//   const dataCore = mockPlugin('data-core', { Query: { emissionsSeries: () => [...] } });
//   const kit = await createSubgraphTestkit(plugin, { with: [dataCore] });
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isObjectType, parse, GraphQLError, type DocumentNode, type GraphQLResolveInfo } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { definePlugin, type AnyPlugin, type ResolverContext } from '../plugin.ts';
import { extractAuthRules } from '../authz/directive.ts';

type MockFieldResolver = (parent: any, args: any, ctx: ResolverContext, info: GraphQLResolveInfo) => unknown;
type MockTypeResolvers = Record<
  string,
  MockFieldResolver | { subscribe: MockFieldResolver; resolve?: MockFieldResolver } | unknown
>;
export type MockResolvers = Record<string, MockTypeResolvers>;

export interface MockCall {
  /** Type.field, e.g. "Query.emissionsSeries" or "Supplier.__resolveReference". */
  field: string;
  args: Record<string, unknown>;
}

export type MockPlugin = AnyPlugin & {
  /** Every root field and reference the consumer asked for, in order. */
  readonly calls: MockCall[];
  /** The calls of one field. */
  callsOf(field: string): MockCall[];
};

export interface MockPluginOptions {
  /** The peer's SDL, when it is not the schema.graphql of package @carbon-nexus/<id> (e.g. a third-party peer). */
  typeDefs?: DocumentNode | string | URL;
}

/** schema.graphql of the package that provides plugin `id` (@carbon-nexus/<id>), found from the test's folder or the SDK's. */
export function peerSchemaFile(id: string): string {
  const name = `@carbon-nexus/${id}`;
  const bases = [path.join(process.cwd(), 'package.json'), fileURLToPath(import.meta.url)];
  for (const base of bases) {
    let entry: string;
    try {
      entry = createRequire(base).resolve(name);
    } catch {
      continue;
    }
    for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const pkg = path.join(dir, 'package.json');
      if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === name) {
        const file = path.join(dir, 'schema.graphql');
        if (fs.existsSync(file)) return file;
        break;
      }
    }
  }
  throw new Error(
    `mockPlugin("${id}"): cannot find the SDL of package ${name} (schema.graphql beside its package.json); pass { typeDefs }`,
  );
}

function loadSdl(id: string, typeDefs: MockPluginOptions['typeDefs']): { doc: DocumentNode; source: string } {
  if (typeDefs && typeof typeDefs === 'object' && 'kind' in typeDefs)
    return { doc: typeDefs, source: 'the given typeDefs' };
  if (typeof typeDefs === 'string' && !fs.existsSync(typeDefs))
    return { doc: parse(typeDefs), source: 'the given typeDefs' };
  const file = typeDefs ? (typeDefs instanceof URL ? typeDefs.pathname : typeDefs) : peerSchemaFile(id);
  return { doc: parse(fs.readFileSync(file, 'utf8')), source: path.relative(process.cwd(), file) };
}

export function mockPlugin(id: string, resolvers: MockResolvers, opts: MockPluginOptions = {}): MockPlugin {
  const { doc, source } = loadSdl(id, opts.typeDefs);
  // The served schema (federation fields added, @auth as the host enforces it), to check the mock against.
  const schema = buildSubgraphSchema({ typeDefs: extractAuthRules(doc).typeDefs });
  const calls: MockCall[] = [];
  const wrapped: Record<string, Record<string, unknown>> = {};
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!type) throw new Error(`mockPlugin("${id}"): type ${typeName} is not in ${id}'s schema (${source})`);
    const own = isObjectType(type) ? type.getFields() : null;
    wrapped[typeName] = {};
    for (const [field, resolver] of Object.entries(fields)) {
      if (field === '__resolveReference') {
        if (!own) throw new Error(`mockPlugin("${id}"): ${typeName} is not an entity type of ${id} (${source})`);
        wrapped[typeName][field] = (ref: Record<string, unknown>, ctx: ResolverContext, info: GraphQLResolveInfo) => {
          calls.push({ field: `${typeName}.__resolveReference`, args: ref });
          return (resolver as MockFieldResolver)(ref, {}, ctx, info);
        };
        continue;
      }
      if (field.startsWith('__') || !own) {
        wrapped[typeName][field] = resolver; // __resolveType, enum and scalar maps pass through
        continue;
      }
      if (!own[field]) {
        const known = Object.keys(own)
          .filter((f) => !f.startsWith('_'))
          .join(', ');
        throw new Error(
          `mockPlugin("${id}"): ${typeName}.${field} is not in ${id}'s schema (${source}); ${typeName} has: ${known}`,
        );
      }
      const root = typeName === 'Query' || typeName === 'Mutation' || typeName === 'Subscription';
      const record = (args: Record<string, unknown>) => root && calls.push({ field: `${typeName}.${field}`, args });
      if (typeof resolver === 'function') {
        wrapped[typeName][field] = (
          parent: unknown,
          args: Record<string, unknown>,
          ctx: ResolverContext,
          info: GraphQLResolveInfo,
        ) => {
          record(args);
          return (resolver as MockFieldResolver)(parent, args, ctx, info);
        };
      } else if (resolver && typeof resolver === 'object' && 'subscribe' in resolver) {
        const r = resolver as { subscribe: MockFieldResolver; resolve?: MockFieldResolver };
        wrapped[typeName][field] = {
          ...r,
          subscribe: (
            parent: unknown,
            args: Record<string, unknown>,
            ctx: ResolverContext,
            info: GraphQLResolveInfo,
          ) => {
            record(args);
            return r.subscribe(parent, args, ctx, info);
          },
        };
      } else {
        wrapped[typeName][field] = (_p: unknown, args: Record<string, unknown>) => {
          record(args);
          return resolver; // a plain value
        };
      }
    }
  }
  // Root fields the test did not mock answer with an error that says so.
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!root) continue;
    for (const field of Object.keys(root.getFields())) {
      if (field.startsWith('_') || wrapped[root.name]?.[field]) continue;
      wrapped[root.name] ??= {};
      const missing = () => {
        throw new GraphQLError(`mockPlugin("${id}") has no resolver for ${root.name}.${field}: give one in the test`, {
          extensions: { code: 'MOCK_NOT_GIVEN' },
        });
      };
      wrapped[root.name][field] = root.name === 'Subscription' ? { subscribe: missing } : missing;
    }
  }
  // So do entity references of the peer's keyed types (an `_entities` lookup the test did not expect).
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('_') || wrapped[type.name]?.__resolveReference) continue;
    const keyed = [type.astNode, ...(type.extensionASTNodes ?? [])].some((n) =>
      n?.directives?.some((d) => d.name.value === 'key'),
    );
    if (!keyed) continue;
    wrapped[type.name] ??= {};
    wrapped[type.name].__resolveReference = () => {
      throw new GraphQLError(
        `mockPlugin("${id}") has no resolver for ${type.name}.__resolveReference: give one in the test`,
        { extensions: { code: 'MOCK_NOT_GIVEN' } },
      );
    };
  }
  const plugin = definePlugin({ id, description: `mock of ${id} (tests)`, typeDefs: doc, resolvers: wrapped });
  return Object.assign(plugin, { calls, callsOf: (field: string) => calls.filter((c) => c.field === field) });
}
