// Runs a cached query plan the way @apollo/gateway's executeQueryPlan does — the same fetches, variables,
// representations, merges, error paths and codes — without what costs per request and is unused here: a protobuf
// trace node per plan node, an OpenTelemetry span per fetch, re-deriving the operation from its AST, and the generic
// result shaping (the compiled shaper of shape.ts does it; see there for how errors stay Apollo's).
import { GraphQLError, type GraphQLFormattedError, type GraphQLErrorOptions } from 'graphql';
import {
  evaluateCondition,
  type FetchNode,
  type PlanNode,
  type QueryPlan,
  type QueryPlanSelectionNode,
  type ResponsePath,
} from '@apollo/query-planner';
import { errorCodeDef, ERRORS, type Operation } from '@apollo/federation-internals';
import type { GraphQLDataSource } from '@apollo/gateway';
import { applyRewrites, isObjectOfType } from '@apollo/gateway/dist/dataRewrites.js';
import type { GraphQLSchema } from 'graphql';
import type { CompiledShaper } from './shape.ts';

type ResultMap = Record<string, any>;
type Cursor = { path: ResponsePath; data: ResultMap | ResultMap[]; fullResult: ResultMap };

export type Services = Record<string, GraphQLDataSource>;

export interface PlanRequest {
  /** What data sources see as the incoming request context (request, context, overallCachePolicy, …). */
  requestContext: { request: { variables?: Record<string, any> }; context: unknown } & Record<string, any>;
  services: Services;
  supergraphSchema: GraphQLSchema;
}

export interface PlanResult {
  errors?: unknown[];
  data?: Record<string, unknown> | null;
  extensions?: Record<string, unknown>;
}

interface Run {
  req: PlanRequest;
  operation: Operation;
  errors: unknown[];
}

/** executeQueryPlan(plan, …) for a plan without @defer or subscriptions, shaped by `shaper`. */
export async function runPlan(
  plan: QueryPlan,
  operation: Operation,
  shaper: CompiledShaper,
  req: PlanRequest,
): Promise<PlanResult> {
  const run: Run = { req, operation, errors: [] };
  const unfilteredData: ResultMap = Object.create(null);
  // (compile.ts admits only plans without subscription or @defer nodes)
  if (plan.node)
    await executeNode(run, plan.node as PlanNode, { path: [], data: unfilteredData, fullResult: unfilteredData });
  // Post-processing, as executeQueryPlan does it: shaping errors are dropped when the plan already failed somewhere
  // (they are consequences), reported as extensions.valueCompletion otherwise; a shaping failure is the only error.
  let data: Record<string, unknown> | null | undefined;
  try {
    const shaped = shaper.shape(unfilteredData, req.requestContext.request.variables);
    data = shaped.data;
    if (run.errors.length === 0 && shaped.errors.length > 0)
      return { extensions: { valueCompletion: shaped.errors }, data };
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    if (error instanceof Error) return { errors: [new GraphQLError(error.message, { originalError: error })] };
    return { errors: [new GraphQLError('Unexpected error during query plan execution')] };
  }
  return run.errors.length === 0 ? { data } : { errors: run.errors, data };
}

async function executeNode(run: Run, node: PlanNode, cursor: Cursor | undefined): Promise<void> {
  if (!cursor) return;
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executeNode(run, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executeNode(run, child, cursor)));
      return;
    case 'Flatten':
      return executeNode(run, node.node, moveIntoCursor(cursor, node.path));
    case 'Fetch':
      try {
        await executeFetch(run, node, cursor);
      } catch (error) {
        run.errors.push(error);
      }
      return;
    case 'Condition': {
      const branch = evaluateCondition(
        node,
        run.operation.variableDefinitions,
        run.req.requestContext.request.variables,
      )
        ? node.ifClause
        : node.elseClause;
      if (branch) await executeNode(run, branch, cursor);
      return;
    }
    default:
      // Plans with @defer or subscriptions never reach here (compile.ts leaves them to Apollo's executor).
      throw new Error(`unsupported query plan node ${(node as PlanNode).kind}`);
  }
}

async function executeFetch(run: Run, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const service = run.req.services[fetch.serviceName];
  if (!service) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
  let entities: ResultMap[];
  if (Array.isArray(cursor.data)) entities = cursor.data.filter((e) => e !== null && e !== undefined);
  else entities = [cursor.data];
  if (entities.length < 1) return;

  const provided = run.req.requestContext.request.variables;
  const variables: ResultMap = Object.create(null);
  if (fetch.variableUsages && provided) {
    for (const name of fetch.variableUsages) {
      if (Object.hasOwn(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
    }
  }
  const schema = run.req.supergraphSchema;

  if (!fetch.requires) {
    const received = await sendOperation(run, fetch, cursor, variables, service);
    if (received && fetch.outputRewrites?.length) applyRewrites(schema, fetch.outputRewrites, received);
    for (const entity of entities) deepMerge(entity, received);
    return;
  }

  const representations: ResultMap[] = [];
  const representationToEntity: number[] = [];
  for (let index = 0; index < entities.length; index++) {
    // `requires` may name @inaccessible elements: read with the supergraph schema, as Apollo does.
    const representation = executeSelectionSet(schema, entities[index], fetch.requires);
    if (representation && representation.__typename) {
      if (fetch.inputRewrites?.length) applyRewrites(schema, fetch.inputRewrites, representation);
      representations.push(representation);
      representationToEntity.push(index);
    }
  }
  if (representations.length < 1) return;
  if ('representations' in variables) throw new Error(`Variables cannot contain key "representations"`);

  const received = await sendOperation(run, fetch, cursor, { ...variables, representations }, service);
  if (!received) return;
  if (!(received._entities && Array.isArray(received._entities)))
    throw new Error(`Expected "data._entities" in response to be an array`);
  const receivedEntities = received._entities as ResultMap[];
  if (receivedEntities.length !== representations.length)
    throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
  // (Apollo iterates over `entities.length` here; past the representations both sides are undefined and nothing merges.)
  for (let i = 0; i < entities.length; i++) {
    const receivedEntity = receivedEntities[i];
    const existing = entities[representationToEntity[i]];
    if (receivedEntity && !receivedEntity.__typename) receivedEntity.__typename = existing.__typename;
    if (fetch.outputRewrites?.length) applyRewrites(schema, fetch.outputRewrites, receivedEntity);
    deepMerge(entities[representationToEntity[i]], receivedEntity);
  }
}

async function sendOperation(
  run: Run,
  fetch: FetchNode,
  cursor: Cursor,
  variables: ResultMap,
  service: GraphQLDataSource,
): Promise<ResultMap | null | undefined> {
  const rc = run.req.requestContext;
  const response = await service.process({
    kind: 'incoming operation' as any, // GraphQLDataSourceRequestKind.INCOMING_OPERATION
    request: { query: fetch.operation, variables, operationName: fetch.operationName, http: undefined as any },
    incomingRequestContext: rc as any,
    context: rc.context as any,
    document: fetch.operationDocumentNode,
    pathInIncomingRequest: cursor.path,
  });
  if (response.errors) {
    const pathOf = makeLazyErrorPathGenerator(fetch, cursor);
    for (const error of response.errors) run.errors.push(downstreamServiceError(error, fetch.serviceName, pathOf));
  }
  return response.data as ResultMap | null | undefined;
}

type ErrorPathGenerator = (path: GraphQLErrorOptions['path']) => GraphQLErrorOptions['path'];

function makeLazyErrorPathGenerator(fetch: FetchNode, cursor: Cursor): ErrorPathGenerator {
  let hydrated: ResponsePath[] | undefined;
  return (errorPath) => {
    if (fetch.requires && typeof errorPath?.[1] === 'number') {
      if (!hydrated) {
        hydrated = [];
        generateHydratedPaths([], cursor.path, cursor.fullResult, hydrated);
      }
      return [...(hydrated[errorPath[1]] ?? []), ...errorPath.slice(2)];
    }
    return errorPath ? [...cursor.path, ...errorPath.slice()] : undefined;
  };
}

function generateHydratedPaths(
  parent: ResponsePath,
  path: ResponsePath,
  data: ResultMap | null,
  result: ResponsePath[],
): void {
  const head = path[0];
  if (data == null) return;
  if (head == null) {
    result.push(parent.slice());
  } else if (head === '@') {
    if (!Array.isArray(data)) throw new Error('expected array when encountering `@`');
    data.forEach((value, i) => {
      parent.push(i);
      generateHydratedPaths(parent, path.slice(1), value, result);
      parent.pop();
    });
  } else if (typeof head === 'string') {
    if (Array.isArray(data)) {
      data.forEach((value, i) => {
        parent.push(i);
        generateHydratedPaths(parent, path, value, result);
        parent.pop();
      });
    } else if (Object.hasOwn(data, head)) {
      parent.push(head);
      generateHydratedPaths(parent, path.slice(1), data[head], result);
      parent.pop();
    }
  } else {
    throw new Error(`unknown path part "${head}"`);
  }
}

function downstreamServiceError(
  original: GraphQLFormattedError,
  serviceName: string,
  pathOf: ErrorPathGenerator,
): GraphQLError {
  const message = original.message || `Error while fetching subquery from service "${serviceName}"`;
  const { extensions } = original;
  const options: GraphQLErrorOptions = {
    originalError: original as Error,
    path: pathOf(original.path),
    extensions: { ...extensions, serviceName },
  };
  const codeDef = errorCodeDef(original);
  if (!codeDef && extensions?.code) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}

/** The representation of an entity for `requires` (null when an input is missing), as executeQueryPlan builds it. */
function executeSelectionSet(
  schema: GraphQLSchema,
  source: ResultMap | null,
  selections: QueryPlanSelectionNode[],
): ResultMap | null {
  if (source === null) return null;
  // A plain object (Apollo: null-prototype): fast to build and to serialise; keys are schema field names, never
  // `__proto__`, and JSON.stringify reads own properties only.
  const result: ResultMap = {};
  for (const selection of selections) {
    if (selection.kind === 'Field') {
      const responseName = selection.alias ?? selection.name;
      const sub = selection.selections;
      if (!Object.hasOwn(source, responseName) || typeof source[responseName] === 'undefined') return null;
      const value = source[responseName];
      if (Array.isArray(value))
        result[responseName] = value.map((v: any) => (sub ? executeSelectionSet(schema, v, sub) : v));
      else if (sub) result[responseName] = executeSelectionSet(schema, value, sub);
      else result[responseName] = value;
    } else if (selection.kind === 'InlineFragment') {
      if (!selection.typeCondition || !source) continue;
      if (isObjectOfType(schema, source, selection.typeCondition))
        deepMerge(result, executeSelectionSet(schema, source, selection.selections));
    }
  }
  return result;
}

function moveIntoCursor(cursor: Cursor, path: ResponsePath): Cursor | undefined {
  const data = flattenResultsAtPath(cursor.data, path);
  return data ? { path: cursor.path.concat(path), data, fullResult: cursor.fullResult } : undefined;
}

function flattenResultsAtPath(value: any, path: ResponsePath, from = 0): any {
  if (from === path.length) return value;
  if (value === undefined || value === null) return value;
  const current = path[from];
  if (current === '@') return value.flatMap((element: any) => flattenResultsAtPath(element, path, from + 1));
  if (typeof current !== 'string') throw new Error(`Unexpected ${typeof current} found in path`);
  if (Array.isArray(value)) throw new Error(`Unexpected array in result for path element ${current}`);
  return flattenResultsAtPath(Object.hasOwn(value, current) ? value[current] : undefined, path, from + 1);
}

const isObject = (v: unknown): v is ResultMap =>
  v !== undefined && v !== null && typeof v === 'object' && !Array.isArray(v);

/** @apollo/gateway's deepMerge (utilities/deepMerge.ts): the plan's results merged into the entities, in place. */
export function deepMerge(target: any, source: any): any {
  if (source === undefined || source === null) return target;
  for (const key of Object.keys(source)) {
    const s = source[key];
    if (s === undefined) continue;
    // An own property even where `target` inherits one (Apollo's defineOwn): never write through a prototype.
    if (!Object.hasOwn(target, key) && key in target) {
      Object.defineProperty(target, key, { configurable: true, enumerable: true, value: undefined, writable: true });
    }
    const t = target[key];
    if (t && isObject(s)) {
      deepMerge(t, s);
    } else if (Array.isArray(s) && Array.isArray(t) && s.length === t.length) {
      for (let i = 0; i < s.length; i++) {
        if (isObject(t[i]) && isObject(s[i])) deepMerge(t[i], s[i]);
        else t[i] = s[i];
      }
    } else {
      target[key] = s;
    }
  }
  return target;
}
