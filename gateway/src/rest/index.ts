// REST from the graph: every operation in operations/*.graphql is served at its path (GET for queries with the
// variables in the query string, POST for mutations with a JSON body, SSE for subscriptions), executed by the same
// Apollo gateway as /graphql — the caller's token, roles, supplier scope, limits, metrics and audit apply unchanged.
// Also here: the OpenAPI 3.1 document (/api/v1/openapi.json), the API reference (/api/v1/docs) and the
// trusted-documents gate in front of /graphql.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApolloServer } from '@apollo/server';
import {
  Kind,
  parse,
  validate,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import {
  type AuthError,
  claimsOf,
  correlationIdOf,
  withSpan,
  type AuthClaims,
  type Logger,
  type Metrics,
  type TokenVerifier,
} from '@carbon-nexus/plugin-sdk';
import type { GatewayContext } from '../context.ts';
import type { RunGraphQL } from '../execution/in-process.ts';
import type { SubscriptionEngine } from '../subscriptions/engine.ts';
import { OpenApiBuilder, type PreparedOperation } from './openapi.ts';
import { ingestionPaths } from './ingestion-paths.ts';
import { registerDocsPage } from './docs-page.ts';
import { problem, problemFromGraphQL, sendProblem, type Problem } from './problem.ts';
import { streamOperation } from './sse.ts';
import { operationsManifestPath, type TrustedDocuments } from './trusted-documents.ts';
import { argumentPaths, VariableError, variablesFromRequest, variablesOf, type VariableInfo } from './variables.ts';
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

interface Served extends PreparedOperation {
  variables: VariableInfo[];
  /** GraphQL argument path -> REST variable (names field errors in the caller's terms). */
  argumentVariables: Map<string, string>;
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

function prepare(op: RestOperation, schema: GraphQLSchema): Served | string {
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

function pathOnly(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? url : url.slice(0, i);
}

export async function registerRestApi(app: FastifyInstance, deps: RestApiDeps): Promise<RestApi> {
  const { engine, trusted, verify, env, logger, metrics } = deps;
  const schema = engine.apiSchema;
  const requests = metrics.counter('rest_requests_total', 'REST API requests by operation and HTTP status', [
    'operation',
    'status',
  ]);

  installGraphQLGate(app, trusted);

  // ---- the operations ------------------------------------------------------------------------------------------------
  const served: Served[] = [];
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

  const openStreams = new Set<() => void>();
  const streamOpts = { engine, keepAliveMs: Number(env.SSE_KEEPALIVE_MS ?? 15_000), open: openStreams };
  app.addHook('preClose', async () => {
    for (const f of [...openStreams]) f();
  });

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
      // Everything under /api/v1 answers problem+json, including body-parse errors, rate limits and unknown paths.
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
        const handler = async (req: FastifyRequest, reply: FastifyReply) => {
          const correlationId = correlationIdOf(req);
          reply.header('x-correlation-id', correlationId);
          const instance = pathOnly(req.url);
          const problemOf = (errors: readonly any[], data?: unknown): Problem =>
            problemFromGraphQL(errors, {
              instance,
              correlationId,
              data,
              fieldOfArgument: (p) => op.argumentVariables.get(p),
            });
          if (op.method !== 'GET' && typeof req.body === 'string' && req.body.length) {
            return sendProblem(
              reply,
              problem({
                status: 415,
                code: 'BAD_REQUEST',
                detail: 'send the body as application/json',
                instance,
                correlationId,
              }),
            );
          }
          let variables: Record<string, unknown>;
          try {
            variables = variablesFromRequest({
              variables: op.variables,
              pathParams: op.pathParams,
              params: req.params as Record<string, string>,
              query: req.query as Record<string, string | string[] | undefined>,
              body: req.body,
              useBody: op.method !== 'GET',
            });
          } catch (err) {
            if (!(err instanceof VariableError)) throw err;
            return sendProblem(reply, {
              ...problem({ status: 400, code: 'BAD_USER_INPUT', detail: err.message, instance, correlationId }),
              errors: err.problems,
            });
          }
          if (op.kind === 'subscription') {
            let auth: AuthClaims | null;
            try {
              auth = await claimsOf(req, verify);
            } catch (err) {
              return sendProblem(
                reply,
                problem({
                  status: 401,
                  code: 'UNAUTHENTICATED',
                  detail: (err as AuthError).message,
                  instance,
                  correlationId,
                }),
              );
            }
            const scope = { auth, correlationId };
            // EventSource sends the last id it saw on reconnect; it wins over the URL's original `after`.
            const last = req.headers['last-event-id'];
            if (typeof last === 'string' && last && op.variables.some((v) => v.name === 'after'))
              variables.after = last;
            requests.inc({ operation: op.name, status: '200' });
            return streamOperation(req, reply, op, variables, scope, streamOpts, (errors) => problemOf(errors));
          }
          // The operation for this caller as over POST /graphql (fast path or Apollo: limits, metrics, audit), run
          // in-process; rate limits and CORS were applied to this request.
          const answer = await deps.runGraphQL(
            req,
            { query: op.document, operationName: op.name, variables },
            correlationId,
          );
          const inner = { statusCode: answer.status, payload: answer.body };
          // A plain success ({"data":{"<root>":…}}) is passed on as it is, without parsing and printing it again.
          const prefix = op.root ? `{"data":{${JSON.stringify(op.root)}:` : null;
          if (inner.statusCode === 200 && prefix && inner.payload.startsWith(prefix) && inner.payload.endsWith('}}')) {
            const value = inner.payload.slice(prefix.length, -2);
            if (value !== 'null') {
              requests.inc({ operation: op.name, status: '200' });
              return reply.code(200).type('application/json; charset=utf-8').send(value);
            }
          }
          let body: { data?: Record<string, unknown> | null; errors?: GraphQLFormattedError[] };
          try {
            body = JSON.parse(inner.payload);
          } catch {
            logger.error(
              { status: inner.statusCode, correlationId },
              'REST: /graphql answered something that is not JSON',
            );
            return sendProblem(
              reply,
              problem({
                status: 500,
                code: 'INTERNAL_SERVER_ERROR',
                detail: 'internal error; quote the correlation id when reporting it',
                instance,
                correlationId,
              }),
            );
          }
          const data = body.data as Record<string, unknown> | null | undefined;
          if (body.errors?.length) {
            const p = problemOf(body.errors, data);
            requests.inc({ operation: op.name, status: String(p.status) });
            return sendProblem(reply, p);
          }
          const value = op.root ? data?.[op.root] : data;
          if (value === null || value === undefined) {
            requests.inc({ operation: op.name, status: '404' });
            const what = Object.entries(variables)
              .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
              .join(', ');
            return sendProblem(
              reply,
              problem({
                status: 404,
                code: 'NOT_FOUND',
                detail: `${op.root ?? op.name} not found${what ? ` (${what})` : ''}`,
                instance,
                correlationId,
              }),
            );
          }
          requests.inc({ operation: op.name, status: '200' });
          return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(value));
        };
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
