// A schema from SDL with resolvers attached (graphql-js only), for the kit tests.
import { buildSchema, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { DateTimeScalar, JSONScalar, UUIDScalar } from '@carbon-nexus/plugin-sdk';

export function makeExecutableSchemaLike(
  sdl: string,
  resolvers: Record<string, Record<string, GraphQLFieldResolver<any, any>>>,
  scalars = false,
): GraphQLSchema {
  const schema = buildSchema(sdl);
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
    for (const [name, resolve] of Object.entries(fields)) type.getFields()[name].resolve = resolve;
  }
  if (scalars) {
    for (const s of [DateTimeScalar, UUIDScalar, JSONScalar]) {
      const t = schema.getType(s.name);
      if (t) Object.assign(t, { serialize: s.serialize, parseValue: s.parseValue, parseLiteral: s.parseLiteral });
    }
  }
  return schema;
}
