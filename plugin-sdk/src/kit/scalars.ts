// Custom scalars for plugins' SDL: `scalar DateTime`, `scalar UUID`, `scalar JSON`, with these as their resolvers.
// A bad value is rejected while variables and literals are coerced, so the error names the variable (or points at
// the argument) before any resolver runs.
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { isDateTime, isUuid } from './validate.ts';

// A plain error: graphql-js then reports it with the variable's name or the argument's location (a GraphQLError
// would be passed on as is, without either); servers answer it as BAD_USER_INPUT / validation failed.
const invalid = (message: string) => new TypeError(message);

export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An ISO-8601 (RFC 3339) timestamp with a time zone, e.g. 2026-11-27T00:00:00Z; answered in UTC.',
  serialize(value) {
    const d =
      value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
    if (!d || Number.isNaN(d.getTime())) throw invalid(`DateTime cannot represent ${JSON.stringify(value)}`);
    return d.toISOString();
  },
  parseValue(value) {
    if (!isDateTime(value))
      throw invalid(
        `${JSON.stringify(value)} is not an ISO-8601 timestamp with a time zone (e.g. 2026-11-27T00:00:00Z)`,
      );
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || !isDateTime(ast.value)) {
      throw invalid(
        `${ast.kind === Kind.STRING ? JSON.stringify(ast.value) : 'a non-string'} is not an ISO-8601 timestamp with a time zone (e.g. 2026-11-27T00:00:00Z)`,
      );
    }
    return ast.value;
  },
});

export const UUIDScalar = new GraphQLScalarType<string, string>({
  name: 'UUID',
  description: 'A UUID, e.g. 7d0c8f5e-2b4a-4c3e-9a51-0f6f1c2d3e4b.',
  serialize: (value) => String(value),
  parseValue(value) {
    if (!isUuid(value)) throw invalid(`${JSON.stringify(value)} is not a uuid`);
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || !isUuid(ast.value))
      throw invalid(`${ast.kind === Kind.STRING ? JSON.stringify(ast.value) : 'a non-string'} is not a uuid`);
    return ast.value;
  },
});

function literal(ast: ValueNode, vars: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value, vars)]));
    case Kind.LIST:
      return ast.values.map((v) => literal(v, vars));
    case Kind.NULL:
      return null;
    case Kind.VARIABLE:
      return vars?.[ast.name.value];
    default:
      return undefined;
  }
}

export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Arbitrary JSON value (object, array, string, number, boolean).',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (ast, vars) => literal(ast, vars),
});
