// Operation variables from an HTTP request: path parameters, the query string (GET) typed by the variable
// definitions, or the JSON body (POST). Unknown parameters are refused by name, so a typo never silently drops a
// filter; the GraphQL coercion that follows checks everything else and names the variable.
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { FieldProblem } from './problem.ts';

export class VariableError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.reason}`).join('; '));
  }
}

export interface VariableInfo {
  name: string;
  type: GraphQLInputType;
  required: boolean;
}

export function variablesOf(schema: GraphQLSchema, op: OperationDefinitionNode): VariableInfo[] {
  return (op.variableDefinitions ?? []).map((v: VariableDefinitionNode) => {
    const type = typeFromAST(schema, v.type as any) as GraphQLInputType | undefined;
    if (!type) throw new Error(`variable $${v.variable.name.value}: unknown type`);
    return { name: v.variable.name.value, type, required: isNonNullType(type) && !v.defaultValue };
  });
}

/** Where each variable is used, as a GraphQL argument path of the root field: `input.loadChange` -> `load_change`. */
export function argumentPaths(op: OperationDefinitionNode): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (value: ValueNode, path: string) => {
    if (value.kind === Kind.VARIABLE) out.set(path, value.name.value);
    else if (value.kind === Kind.OBJECT) for (const f of value.fields) walk(f.value, `${path}.${f.name.value}`);
  };
  for (const sel of op.selectionSet.selections) {
    if (sel.kind !== Kind.FIELD) continue;
    for (const arg of sel.arguments ?? []) walk(arg.value, arg.name.value);
  }
  return out;
}

function scalarFromString(type: GraphQLInputType, raw: string, field: string): unknown {
  const named = getNamedType(type);
  if (raw === '') return null; // an empty value passes null (e.g. `status=` for "any status")
  if (isScalarType(named)) {
    switch (named.name) {
      case 'Int':
        if (!/^-?\d+$/.test(raw)) throw new VariableError([{ field, reason: `must be an integer (got "${raw}")` }]);
        return Number(raw);
      case 'Float': {
        const n = Number(raw);
        if (!Number.isFinite(n)) throw new VariableError([{ field, reason: `must be a number (got "${raw}")` }]);
        return n;
      }
      case 'Boolean':
        if (raw === 'true') return true;
        if (raw === 'false') return false;
        throw new VariableError([{ field, reason: `must be true or false (got "${raw}")` }]);
      case 'ID':
      case 'String':
        return raw;
      default:
        // Custom scalars (JSON): JSON text, or the plain string when it is not JSON.
        try {
          return JSON.parse(raw);
        } catch {
          return raw;
        }
    }
  }
  if (isEnumType(named)) return raw;
  if (isInputObjectType(named)) {
    try {
      return JSON.parse(raw);
    } catch {
      throw new VariableError([{ field, reason: `must be a JSON object (${named.name})` }]);
    }
  }
  return raw;
}

function fromQueryValue(v: VariableInfo, raw: string | string[]): unknown {
  const inner = isNonNullType(v.type) ? v.type.ofType : v.type;
  if (isListType(inner)) {
    // Repeated parameters (?supplierIds=a&supplierIds=b) or one comma-separated value.
    const items = (Array.isArray(raw) ? raw : raw === '' ? [] : raw.split(','))
      .map((s) => s.trim())
      .filter((s) => s !== '');
    return items.map((s) => scalarFromString(inner.ofType, s, v.name));
  }
  if (Array.isArray(raw)) throw new VariableError([{ field: v.name, reason: 'given more than once' }]);
  return scalarFromString(v.type, raw, v.name);
}

export function variablesFromRequest(opts: {
  variables: VariableInfo[];
  pathParams: string[];
  params: Record<string, string>;
  query: Record<string, string | string[] | undefined>;
  body: unknown;
  useBody: boolean;
  /** Query-string names handled by the transport itself (never variables). */
  reserved?: string[];
}): Record<string, unknown> {
  const byName = new Map(opts.variables.map((v) => [v.name, v]));
  const out: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const p of opts.pathParams) {
    try {
      out[p] = scalarFromString(byName.get(p)!.type, decodeURIComponent(opts.params[p] ?? ''), p);
    } catch (err) {
      if (err instanceof VariableError) problems.push(...err.problems);
      else problems.push({ field: p, reason: 'is not a valid path segment' });
    }
  }
  const reserved = new Set(opts.reserved ?? []);
  for (const [k, raw] of Object.entries(opts.query)) {
    if (raw === undefined || reserved.has(k)) continue;
    const v = byName.get(k);
    if (opts.useBody || !v || opts.pathParams.includes(k)) {
      problems.push({
        field: k,
        reason: opts.useBody
          ? 'send it in the JSON body'
          : `is not a parameter of this endpoint${byName.size ? ` (parameters: ${[...byName.keys()].join(', ')})` : ''}`,
      });
      continue;
    }
    try {
      out[k] = fromQueryValue(v, raw);
    } catch (err) {
      if (err instanceof VariableError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (opts.useBody && opts.body !== undefined && opts.body !== null) {
    if (typeof opts.body !== 'object' || Array.isArray(opts.body)) {
      problems.push({ field: '(body)', reason: 'must be a JSON object whose keys are the parameters' });
    } else {
      for (const [k, value] of Object.entries(opts.body as Record<string, unknown>)) {
        if (opts.pathParams.includes(k))
          problems.push({ field: k, reason: 'comes from the path; leave it out of the body' });
        else if (!byName.has(k))
          problems.push({
            field: k,
            reason: `is not a parameter of this endpoint (parameters: ${[...byName.keys()].filter((n) => !opts.pathParams.includes(n)).join(', ')})`,
          });
        else out[k] = value;
      }
    }
  }
  if (problems.length) throw new VariableError(problems);
  return out;
}
