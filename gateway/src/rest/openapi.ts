// OpenAPI 3.1 from the composed API schema and the named operations: parameters and request bodies from the
// variables' types, responses from each operation's selection set (exactly the fields it returns), enums and input
// objects as components, descriptions from the schema and the operation's comment, bearer security, examples.
import {
  getNamedType,
  type GraphQLObjectType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { RestOperation } from './operations.ts';
import { argumentPaths, variablesOf } from './variables.ts';

type Json = Record<string, any>;

export interface PreparedOperation extends RestOperation {
  ast: OperationDefinitionNode;
  fragments: Map<string, FragmentDefinitionNode>;
}

const SCALARS: Record<string, Json> = {
  ID: { type: 'string' },
  String: { type: 'string' },
  Int: { type: 'integer', format: 'int32' },
  Float: { type: 'number' },
  Boolean: { type: 'boolean' },
  JSON: { description: 'Any JSON value.' },
};

const nullable = (s: Json): Json => {
  if (typeof s.type === 'string') return { ...s, type: [s.type, 'null'] };
  return { anyOf: [s, { type: 'null' }] };
};

const PROBLEM_STATUSES: Record<string, string> = {
  '400': 'Bad input: `errors` names each parameter and why.',
  '401': 'No valid bearer token, or the operation needs one.',
  '403': 'The token lacks the role this operation needs.',
  '404': 'No such resource (or not visible in your supplier scope).',
  '422': 'Not enough data to answer yet (e.g. a forecast needs a week of hourly history).',
  '429': 'Rate limit reached; retry after `Retry-After` seconds.',
  '503': 'A subgraph behind this operation is unavailable; `subgraph` names it.',
};

/** Example value for a scalar/enum, chosen by the field name so examples read like real data. */
function exampleScalar(named: GraphQLNamedType, field: string): unknown {
  if (isEnumType(named)) return named.getValues()[0]?.value;
  const f = field.toLowerCase();
  switch (named.name) {
    case 'ID':
      return '6f1c2a9e-3c1b-4d0e-9a53-2f5d1a7c9b10';
    case 'Int':
      return f.includes('count') || f.includes('rank') ? 3 : 24;
    case 'Float':
      return f.includes('pct') || f.includes('percent') ? 42.5 : 118.4;
    case 'Boolean':
      return false;
    case 'String':
      if (/(at|start|end|^t|^from|^to|timestamp)$/.test(f) || f === 't') return '2025-01-06T08:00:00.000Z';
      if (f.includes('cursor')) return '1042';
      return f.includes('name') ? 'Northwind Freight' : 'string';
    default:
      return {};
  }
}

export class OpenApiBuilder {
  private readonly components: Json = { schemas: {} };

  constructor(private readonly schema: GraphQLSchema) {}

  private enumRef(type: GraphQLNamedType): Json {
    if (isEnumType(type) && !this.components.schemas[type.name]) {
      const values = type.getValues();
      const described = values.filter((v) => v.description);
      this.components.schemas[type.name] = {
        type: 'string',
        enum: values.map((v) => v.name),
        ...(type.description || described.length
          ? {
              description: [type.description, ...described.map((v) => `- \`${v.name}\`: ${v.description}`)]
                .filter(Boolean)
                .join('\n'),
            }
          : {}),
      };
    }
    return { $ref: `#/components/schemas/${type.name}` };
  }

  /** JSON Schema of an input type (variables, request bodies). */
  inputSchema(type: GraphQLInputType): Json {
    if (isNonNullType(type)) return this.inputSchema(type.ofType);
    if (isListType(type)) return { type: 'array', items: this.inputSchema(type.ofType) };
    if (isScalarType(type)) return { ...(SCALARS[type.name] ?? {}) };
    if (isEnumType(type)) return this.enumRef(type);
    if (isInputObjectType(type)) {
      if (!this.components.schemas[type.name]) {
        this.components.schemas[type.name] = {}; // reserve first: input types may refer to themselves
        const properties: Json = {};
        const required: string[] = [];
        for (const f of Object.values(type.getFields())) {
          const s = this.inputSchema(f.type);
          properties[f.name] = {
            ...(isNonNullType(f.type) ? s : nullable(s)),
            ...(f.description ? { description: f.description } : {}),
            ...(f.defaultValue !== undefined ? { default: f.defaultValue } : {}),
          };
          if (isNonNullType(f.type) && f.defaultValue === undefined) required.push(f.name);
        }
        this.components.schemas[type.name] = {
          type: 'object',
          properties,
          ...(required.length ? { required } : {}),
          additionalProperties: false,
          ...(type.description ? { description: type.description } : {}),
        };
      }
      return { $ref: `#/components/schemas/${type.name}` };
    }
    return {};
  }

  /** JSON Schema (and an example) of what a selection set returns. */
  selectionSchema(
    type: GraphQLOutputType,
    set: SelectionSetNode | undefined,
    fragments: Map<string, FragmentDefinitionNode>,
    field = '',
  ): { schema: Json; example: unknown } {
    if (isNonNullType(type)) return this.selectionSchema(type.ofType, set, fragments, field);
    if (isListType(type)) {
      const inner = this.selectionSchema(type.ofType, set, fragments, field);
      const item = isNonNullType(type.ofType) ? inner.schema : nullable(inner.schema);
      return { schema: { type: 'array', items: item }, example: [inner.example] };
    }
    const named = getNamedType(type);
    if (isScalarType(named))
      return { schema: { ...(SCALARS[named.name] ?? {}) }, example: exampleScalar(named, field) };
    if (isEnumType(named)) return { schema: this.enumRef(named), example: exampleScalar(named, field) };
    const properties: Json = {};
    const required: string[] = [];
    const example: Json = {};
    const add = (sel: FieldNode, parent: GraphQLNamedType, always: boolean) => {
      const key = (sel.alias ?? sel.name).value;
      if (sel.name.value === '__typename') {
        properties[key] = { type: 'string', description: 'GraphQL type name.' };
        example[key] = parent.name;
      } else {
        const def = (parent as GraphQLObjectType).getFields?.()[sel.name.value] as
          | GraphQLField<unknown, unknown>
          | undefined;
        if (!def) return;
        const inner = this.selectionSchema(def.type, sel.selectionSet, fragments, sel.name.value);
        properties[key] = {
          ...(isNonNullType(def.type) ? inner.schema : nullable(inner.schema)),
          ...(def.description ? { description: def.description } : {}),
        };
        example[key] = inner.example;
      }
      if (always && !required.includes(key)) required.push(key);
    };
    const walk = (s: SelectionSetNode | undefined, on: GraphQLNamedType, always: boolean) => {
      for (const sel of s?.selections ?? []) {
        if (sel.kind === Kind.FIELD) add(sel, on, always);
        else {
          const frag = sel.kind === Kind.FRAGMENT_SPREAD ? fragments.get(sel.name.value) : sel;
          if (!frag) continue;
          const cond = frag.typeCondition ? this.schema.getType(frag.typeCondition.name.value) : on;
          if (cond) walk(frag.selectionSet, cond, always && cond.name === on.name);
        }
      }
    };
    if (isObjectType(named) || isInterfaceType(named) || isUnionType(named)) walk(set, named, true);
    return {
      schema: {
        type: 'object',
        properties,
        required,
        additionalProperties: false,
        ...(named.description ? { description: named.description } : {}),
      },
      example,
    };
  }

  private rootField(op: PreparedOperation): GraphQLField<unknown, unknown> | undefined {
    const root =
      op.kind === 'query'
        ? this.schema.getQueryType()
        : op.kind === 'mutation'
          ? this.schema.getMutationType()
          : this.schema.getSubscriptionType();
    const sel = op.ast.selectionSet.selections[0];
    return sel?.kind === Kind.FIELD ? root?.getFields()[sel.name.value] : undefined;
  }

  /** Description of the argument (or input field) a variable feeds. */
  private variableDescription(op: PreparedOperation, variable: string): string | undefined {
    const root = this.rootField(op);
    for (const [p, v] of argumentPaths(op.ast)) {
      if (v !== variable || !root) continue;
      const [argName, ...rest] = p.split('.');
      const arg = root.args.find((a) => a.name === argName);
      let type: GraphQLInputType | undefined = arg?.type;
      let description = arg?.description ?? undefined;
      for (const part of rest) {
        const named = type ? getNamedType(type) : undefined;
        const f = named && isInputObjectType(named) ? named.getFields()[part] : undefined;
        type = f?.type;
        description = f?.description ?? undefined;
      }
      return description;
    }
    return undefined;
  }

  operation(op: PreparedOperation, opts: { anonymousRead: boolean }): Json {
    const vars = variablesOf(this.schema, op.ast);
    const root = this.rootField(op);
    const rootSel = op.ast.selectionSet.selections[0] as FieldNode;
    const parentType =
      op.kind === 'query'
        ? this.schema.getQueryType()!
        : op.kind === 'mutation'
          ? this.schema.getMutationType()!
          : this.schema.getSubscriptionType()!;
    const result =
      op.root && root
        ? this.selectionSchema(root.type, rootSel.selectionSet, op.fragments, root.name)
        : this.selectionSchema(parentType, op.ast.selectionSet, op.fragments);
    const fieldDoc = root?.description ?? '';
    const roles = /Roles: ([^\n]+)/.exec(fieldDoc)?.[1];
    const needsToken = !!roles || !opts.anonymousRead || op.kind === 'mutation';
    const parameters: Json[] = [];
    const body: Json = { type: 'object', properties: {}, additionalProperties: false };
    const bodyRequired: string[] = [];
    for (const v of vars) {
      const s = this.inputSchema(v.type);
      const description = this.variableDescription(op, v.name);
      const inPath = op.pathParams.includes(v.name);
      if (inPath || op.method === 'GET') {
        const isList = isListType(isNonNullType(v.type) ? v.type.ofType : v.type);
        parameters.push({
          name: v.name,
          in: inPath ? 'path' : 'query',
          required: inPath || v.required,
          ...(description ? { description } : {}),
          schema: s,
          ...(isList ? { style: 'form', explode: true } : {}),
          ...(op.example?.[v.name] !== undefined ? { example: op.example[v.name] } : {}),
        });
      } else {
        body.properties[v.name] = { ...(v.required ? s : nullable(s)), ...(description ? { description } : {}) };
        if (v.required) bodyRequired.push(v.name);
      }
    }
    if (bodyRequired.length) body.required = bodyRequired;
    if (op.kind === 'subscription' && vars.some((v) => v.name === 'after')) {
      parameters.push({
        name: 'Last-Event-ID',
        in: 'header',
        required: false,
        description:
          'Resume: the `id` of the last event received (an alert cursor). Sent by EventSource on reconnect; wins over `after`.',
        schema: { type: 'string' },
      });
    }
    const problems = Object.fromEntries(
      Object.keys(PROBLEM_STATUSES)
        .filter((s) => (s === '401' || s === '403' ? needsToken || s === '401' : true))
        .map((s) => [s, { $ref: `#/components/responses/Problem${s}` }]),
    );
    const ok =
      op.kind === 'subscription'
        ? {
            description: `A stream of Server-Sent Events; each \`data:\` line is one JSON object (schema ${op.name}Event)${vars.some((v) => v.name === 'after') ? ' and each `id:` its resume cursor' : ''}. Keep-alive comments every 15 s.`,
            content: {
              'text/event-stream': {
                schema: { type: 'string' },
                example: `id: 1042\ndata: ${JSON.stringify(result.example)}\n\n`,
              },
            },
          }
        : {
            description: op.summary || 'OK',
            content: { 'application/json': { schema: result.schema, example: result.example } },
          };
    if (op.kind === 'subscription') this.components.schemas[`${op.name}Event`] = result.schema;
    const description = [
      op.description || fieldDoc,
      op.description && fieldDoc && fieldDoc !== op.description
        ? `\n\nGraphQL field \`${root?.name}\`: ${fieldDoc}`
        : '',
      `\n\nGraphQL operation \`${op.name}\` (trusted document \`${op.hash.slice(0, 12)}…\`, in \`${op.file}\`).`,
    ]
      .join('')
      .trim();
    return {
      operationId: op.name[0].toLowerCase() + op.name.slice(1),
      summary: op.summary || op.name,
      description,
      tags: [op.path.split('/')[3]],
      ...(parameters.length ? { parameters } : {}),
      ...(op.method !== 'GET' && Object.keys(body.properties).length
        ? {
            requestBody: {
              required: bodyRequired.length > 0,
              content: {
                'application/json': {
                  schema: body,
                  ...(op.example
                    ? {
                        example: Object.fromEntries(
                          Object.entries(op.example).filter(([k]) => !op.pathParams.includes(k)),
                        ),
                      }
                    : {}),
                },
              },
            },
          }
        : {}),
      responses: { '200': ok, ...problems },
      security: needsToken ? [{ bearerAuth: [] }] : [{ bearerAuth: [] }, {}],
      ...(roles ? { 'x-roles': roles.replace(/\.$/, '') } : {}),
    };
  }

  document(
    ops: PreparedOperation[],
    opts: { anonymousRead: boolean; version: string; extraPaths?: Json; trustedMode: string },
  ): Json {
    const paths: Json = {};
    for (const op of ops) {
      const item = (paths[op.path] ??= {});
      item[op.method.toLowerCase()] = this.operation(op, opts);
    }
    Object.assign(paths, opts.extraPaths ?? {});
    const problemSchema = {
      type: 'object',
      description: 'RFC 9457 problem details.',
      required: ['type', 'title', 'status', 'detail', 'instance', 'correlationId', 'code'],
      properties: {
        type: { type: 'string', format: 'uri-reference', example: 'urn:carbon-nexus:problem:forbidden' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        instance: { type: 'string', description: 'The request path.' },
        correlationId: {
          type: 'string',
          description: 'Quote it when reporting a problem: every log line of the request carries it.',
        },
        code: {
          type: 'string',
          description: 'The GraphQL error code (FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, SUBGRAPH_UNAVAILABLE, ...).',
        },
        errors: {
          type: 'array',
          description: 'Field errors (400): the parameter and why.',
          items: {
            type: 'object',
            required: ['field', 'reason'],
            properties: { field: { type: 'string' }, reason: { type: 'string' } },
          },
        },
        subgraph: { type: 'string', description: '503: the subgraph that could not answer.' },
        subgraphs: { type: 'array', items: { type: 'string' } },
        retryAfterSeconds: { type: 'integer' },
        data: { description: 'The part of the answer the graph could produce.' },
      },
    };
    const responses = Object.fromEntries(
      Object.entries(PROBLEM_STATUSES).map(([s, d]) => [
        `Problem${s}`,
        {
          description: d,
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      ]),
    );
    return {
      openapi: '3.1.0',
      info: {
        title: 'Carbon Nexus REST API',
        version: opts.version,
        description: [
          'Real-time carbon intelligence for supply chains. Every endpoint is a named GraphQL operation (operations/*.graphql)',
          'executed by the gateway exactly as over GraphQL: the same token, roles, supplier scope, limits and audit.',
          'Units are explicit: kg CO2e, t·km, kWh.',
          '',
          'Sign in with a bearer token (JWT). Errors are RFC 9457 problem details (`application/problem+json`).',
          `Trusted-documents mode of this deployment: \`${opts.trustedMode}\`.`,
        ].join('\n'),
        license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      },
      servers: [{ url: '/', description: 'this gateway' }],
      tags: [...new Set(ops.map((o) => o.path.split('/')[3]))].sort().map((name) => ({ name })),
      paths,
      components: {
        ...this.components,
        schemas: { ...this.components.schemas, Problem: problemSchema },
        responses,
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'A JWT with `roles` (and `supplier_ids` for supplier-scoped callers).',
          },
        },
      },
    };
  }
}
