// REST from the graph: every operation in operations/*.graphql is served at its path (GET for queries with the
// variables in the query string, POST for mutations with a JSON body, SSE for subscriptions), executed by the same
// Apollo gateway as /graphql — the caller's token, roles, supplier scope, limits, metrics and audit apply unchanged.
// Also here: the OpenAPI 3.1 document (/api/v1/openapi.json), the API reference (/api/v1/docs) and the
// trusted-documents gate in front of /graphql.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { ApolloServer } from '@apollo/server';
import {
  Kind,
  parse,
  validate,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { correlationIdOf, withSpan, type Logger, type Metrics, type TokenVerifier } from '@carbon-nexus/plugin-sdk';
import type { GatewayContext } from '../context.ts';
import type { RunGraphQL } from '../execution/in-process.ts';
import type { SubscriptionEngine } from '../subscriptions/engine.ts';
import { OpenApiBuilder, type PreparedOperation } from './openapi.ts';
import { ingestionPaths } from './ingestion-paths.ts';
import { registerDocsPage } from './docs-page.ts';
import { problem, sendProblem } from './problem.ts';
import { operationHandler, pathOnly, type HandlerDeps, type ServedOperation } from './handler.ts';
import { operationsManifestPath, type TrustedDocuments } from './trusted-documents.ts';
import { argumentPaths, variablesOf } from './variables.ts';
import type { RestOperation } from './operations.ts';
import { installGraphQLGate } from './graphql-gate.ts';

export {
  TrustedDocuments,
  trustedDocumentsFromEnv,
  TrustedDocumentsConfigError,
  TRUSTED_MODES,
  type TrustedMode,
} from './trusted-documents.ts';
export type { Problem } from './problem.ts';

const require = createRequire(import.meta.url);
const VERSION: string = require('../../package.json').version;

export interface RestApiDeps {
  /** The Apollo server behind /graphql (REST reaches it through that route, like every GraphQL client). */
  apollo: ApolloServer<GatewayContext>;
  engine: SubscriptionEngine;
  trusted: TrustedDocuments;
  verify: TokenVerifier;
  env: Record<string, string | undefined>;
  logger: Logger;
  metrics: Metrics;
  /** Runs an operation for the caller of a request as POST /graphql would (execution/in-process.ts). */
  runGraphQL: RunGraphQL;
}

export interface RestApi {
  /** Operations served (those the running schema accepts). */
  operations: PreparedOperation[];
  /** Operations of the manifest this deployment's schema cannot run (a plugin is missing), with the reason. */
  unavailable: { name: string; method: string; path: string; reason: string }[];
  openapi: Record<string, unknown>;
}

function readOperations(logger: Logger): RestOperation[] {
  if (!fs.existsSync(operationsManifestPath)) {
    logger.warn(
      { file: operationsManifestPath },
      'REST API: operations not built yet (run `npm run build`); /api/v1 serves nothing',
    );
    return [];
  }
  return (JSON.parse(fs.readFileSync(operationsManifestPath, 'utf8')) as { operations: RestOperation[] }).operations;
}

function prepare(op: RestOperation, schema: GraphQLSchema): ServedOperation | string {
  const doc = parse(op.document);
  const errors = validate(schema, doc);
  if (errors.length) return errors.map((e) => e.message).join('; ');
  const ast = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  // graphql-js 16 validation does not check the root type exists (a graph without subscriptions or mutations).
  if (!schema.getRootType(ast.operation)) return `this graph has no ${ast.operation} type`;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const argumentVariables = argumentPaths(ast);
  return { ...op, ast, fragments, variables: variablesOf(schema, ast), argumentVariables };
}

const PREFIX = '/api/v1';
/** Fastify's path syntax inside the /api/v1 scope: /api/v1/a/{id}/b -> /a/:id/b. */
const fastifyPath = (p: string) => p.slice(PREFIX.length).replace(/\{([^}]+)\}/g, ':$1');

export async function registerRestApi(app: FastifyInstance, deps: RestApiDeps): Promise<RestApi> {
  const { engine, trusted, env, logger, metrics } = deps;
  const schema = engine.apiSchema;
  installGraphQLGate(app, trusted);
  const { served, unavailable } = servedOperations(schema, trusted, logger);

  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const f of [...openStreams]) f();
  });
  const requests = metrics.counter('rest_requests_total', 'REST API requests by operation and HTTP status', [
    'operation',
    'status',
  ]);
  const handlerDeps: HandlerDeps = {
    runGraphQL: deps.runGraphQL,
    verify: deps.verify,
    logger,
    streams: { engine, keepAliveMs: Number(env.SSE_KEEPALIVE_MS ?? 15_000), open: openStreams },
    count: (operation, status) => requests.inc({ operation, status: String(status) }),
  };

  const builder = new OpenApiBuilder(schema);
  const eventInput = schema.getType('EventInput');
  const hasIngestion = app.hasRoute({ method: 'POST', url: '/ingest/event' });
  const openapi = builder.document(served, {
    anonymousRead: env.AUTH_ANONYMOUS_READ !== 'false',
    version: VERSION,
    trustedMode: trusted.mode,
    extraPaths: hasIngestion && eventInput ? ingestionPaths(builder.inputSchema(eventInput as any)) : {},
  });
  const openapiJson = JSON.stringify(openapi);

  await app.register(
    async (api) => {
      registerProblemHandlers(api, logger);
      api.get('/openapi.json', async (_req, reply) =>
        reply.type('application/json; charset=utf-8').header('cache-control', 'no-cache').send(openapiJson),
      );
      registerDocsPage(api);
      for (const u of unavailable) {
        api.route({
          method: u.method as 'GET',
          url: fastifyPath(u.path),
          handler: async (req, reply) =>
            sendProblem(
              reply,
              problem({
                status: 404,
                code: 'NOT_FOUND',
                detail: `${u.name} is not served by this deployment: ${u.reason}`,
                instance: pathOnly(req.url),
                correlationId: correlationIdOf(req),
              }),
            ),
        });
      }
      for (const op of served) {
        const handler = operationHandler(op, handlerDeps);
        api.route({
          method: op.method,
          url: fastifyPath(op.path),
          // No automatic HEAD for a stream: it would hold the connection open with nothing to send.
          exposeHeadRoute: op.kind !== 'subscription',
          handler: (req, reply) =>
            withSpan(`gateway REST ${op.method} ${op.path}`, () => handler(req, reply), {
              kind: 'server',
              remoteParent: req.headers,
              attributes: {
                'carbon_nexus.component': 'gateway',
                'http.request.method': op.method,
                'http.route': op.path,
                'graphql.operation.name': op.name,
              },
            }),
        });
      }
    },
    { prefix: PREFIX },
  );

  logger.info(
    { operations: served.length, trustedDocuments: trusted.size, mode: trusted.mode },
    'REST API ready at /api/v1 (reference at /api/v1/docs)',
  );
  return { operations: served, unavailable, openapi };
}

/** The manifest's operations this deployment's schema runs, and those it cannot (a plugin is missing) with why. */
function servedOperations(schema: GraphQLSchema, trusted: TrustedDocuments, logger: Logger) {
  const served: ServedOperation[] = [];
  const unavailable: RestApi['unavailable'] = [];
  for (const op of readOperations(logger)) {
    if (!trusted.get(op.hash))
      logger.warn({ operation: op.name }, 'REST API: operation missing from the trusted manifest');
    const p = prepare(op, schema);
    if (typeof p === 'string') unavailable.push({ name: op.name, method: op.method, path: op.path, reason: p });
    else served.push(p);
  }
  if (unavailable.length) {
    logger.info(
      { operations: unavailable.map((u) => u.name) },
      'REST API: operations this deployment cannot serve (their subgraph is not composed)',
    );
  }
  return { served, unavailable };
}

/** Everything under /api/v1 answers problem+json, including body-parse errors, rate limits and unknown paths. */
function registerProblemHandlers(api: FastifyInstance, logger: Logger): void {
  api.setErrorHandler((err: any, req, reply) => {
    const status = Number(err.statusCode ?? 500);
    const base = { instance: pathOnly(req.url), correlationId: correlationIdOf(req) };
    if (status === 429) {
      const retry = Number(err.errors?.[0]?.extensions?.retryAfterSeconds ?? reply.getHeader('retry-after') ?? 60);
      return sendProblem(
        reply,
        problem({
          status,
          code: 'RATE_LIMITED',
          detail: err.errors?.[0]?.message ?? 'rate limit exceeded',
          retryAfterSeconds: retry,
          ...base,
        }),
      );
    }
    if (status >= 500) logger.error({ err, correlationId: base.correlationId }, 'REST request failed');
    const detail =
      status >= 500
        ? 'internal error; quote the correlation id when reporting it'
        : String(err.message ?? 'bad request');
    const body = status === 400 && /JSON/i.test(detail) ? { errors: [{ field: '(body)', reason: detail }] } : {};
    return sendProblem(reply, {
      ...problem({ status, code: status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST', detail, ...base }),
      ...body,
    });
  });
  api.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      problem({
        status: 404,
        code: 'NOT_FOUND',
        detail: `no endpoint ${req.method} ${pathOnly(req.url)}; see /api/v1/openapi.json`,
        instance: pathOnly(req.url),
        correlationId: correlationIdOf(req),
      }),
    ),
  );
}
