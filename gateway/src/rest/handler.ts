// One REST operation's handler: variables from the path, query string or JSON body; a subscription streamed as SSE;
// anything else run for the caller as POST /graphql would run it, its root field answered as JSON, its errors as
// problem+json with the HTTP status of their code.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GraphQLFormattedError } from 'graphql';
import {
  claimsOf,
  correlationIdOf,
  type AuthClaims,
  type AuthError,
  type Logger,
  type TokenVerifier,
} from '@carbon-nexus/plugin-sdk';
import type { RunGraphQL } from '../execution/in-process.ts';
import type { PreparedOperation } from './openapi.ts';
import { problem, problemFromGraphQL, sendProblem, type Problem } from './problem.ts';
import { streamOperation, type StreamOptions } from './sse.ts';
import { VariableError, variablesFromRequest, type VariableInfo } from './variables.ts';

export interface ServedOperation extends PreparedOperation {
  variables: VariableInfo[];
  /** GraphQL argument path -> REST variable (names field errors in the caller's terms). */
  argumentVariables: Map<string, string>;
}

export interface HandlerDeps {
  runGraphQL: RunGraphQL;
  verify: TokenVerifier;
  logger: Logger;
  streams: StreamOptions;
  /** Counts a request by operation and the HTTP status it got. */
  count: (operation: string, status: number) => void;
}

export function pathOnly(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? url : url.slice(0, i);
}

/** What every answer of one request shares: where it was asked and under which correlation id. */
interface Call {
  op: ServedOperation;
  instance: string;
  correlationId: string;
  problemOf: (errors: readonly any[], data?: unknown) => Problem;
}

export function operationHandler(op: ServedOperation, deps: HandlerDeps) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const correlationId = correlationIdOf(req);
    reply.header('x-correlation-id', correlationId);
    const instance = pathOnly(req.url);
    const call: Call = {
      op,
      instance,
      correlationId,
      problemOf: (errors, data) =>
        problemFromGraphQL(errors, {
          instance,
          correlationId,
          data,
          fieldOfArgument: (p) => op.argumentVariables.get(p),
        }),
    };
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
    const variables = readVariables(req, reply, call);
    if (!variables) return reply;
    if (op.kind === 'subscription') return stream(req, reply, call, variables, deps);
    // The operation for this caller as over POST /graphql (fast path or Apollo: limits, metrics, audit), run
    // in-process; rate limits and CORS were applied to this request.
    const answer = await deps.runGraphQL(req, { query: op.document, operationName: op.name, variables }, correlationId);
    return sendAnswer(reply, call, variables, answer, deps);
  };
}

/** The operation's variables, or null when a problem (400 naming the fields) was sent. */
function readVariables(req: FastifyRequest, reply: FastifyReply, call: Call): Record<string, unknown> | null {
  try {
    return variablesFromRequest({
      variables: call.op.variables,
      pathParams: call.op.pathParams,
      params: req.params as Record<string, string>,
      query: req.query as Record<string, string | string[] | undefined>,
      body: req.body,
      useBody: call.op.method !== 'GET',
    });
  } catch (err) {
    if (!(err instanceof VariableError)) throw err;
    const { instance, correlationId } = call;
    void sendProblem(reply, {
      ...problem({ status: 400, code: 'BAD_USER_INPUT', detail: err.message, instance, correlationId }),
      errors: err.problems,
    });
    return null;
  }
}

async function stream(
  req: FastifyRequest,
  reply: FastifyReply,
  call: Call,
  variables: Record<string, unknown>,
  deps: HandlerDeps,
) {
  let auth: AuthClaims | null;
  try {
    auth = await claimsOf(req, deps.verify);
  } catch (err) {
    const { instance, correlationId } = call;
    return sendProblem(
      reply,
      problem({ status: 401, code: 'UNAUTHENTICATED', detail: (err as AuthError).message, instance, correlationId }),
    );
  }
  // EventSource sends the last id it saw on reconnect; it wins over the URL's original `after`.
  const last = req.headers['last-event-id'];
  if (typeof last === 'string' && last && call.op.variables.some((v) => v.name === 'after')) variables.after = last;
  deps.count(call.op.name, 200);
  return streamOperation(
    req,
    reply,
    call.op,
    variables,
    { auth, correlationId: call.correlationId },
    deps.streams,
    (e) => call.problemOf(e),
  );
}

/** The root field's value as JSON (404 when null), or the GraphQL errors as problem+json. */
function sendAnswer(
  reply: FastifyReply,
  call: Call,
  variables: Record<string, unknown>,
  answer: { status: number; body: string },
  deps: HandlerDeps,
) {
  const { op, instance, correlationId } = call;
  // A plain success ({"data":{"<root>":…}}) is passed on as it is, without parsing and printing it again.
  const prefix = op.root ? `{"data":{${JSON.stringify(op.root)}:` : null;
  if (answer.status === 200 && prefix && answer.body.startsWith(prefix) && answer.body.endsWith('}}')) {
    const value = answer.body.slice(prefix.length, -2);
    if (value !== 'null') {
      deps.count(op.name, 200);
      return reply.code(200).type('application/json; charset=utf-8').send(value);
    }
  }
  let body: { data?: Record<string, unknown> | null; errors?: GraphQLFormattedError[] };
  try {
    body = JSON.parse(answer.body);
  } catch {
    deps.logger.error(
      { status: answer.status, correlationId },
      'REST: the operation answered something that is not JSON',
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
    const p = call.problemOf(body.errors, data);
    deps.count(op.name, p.status);
    return sendProblem(reply, p);
  }
  const value = op.root ? data?.[op.root] : data;
  if (value === null || value === undefined) {
    deps.count(op.name, 404);
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
  deps.count(op.name, 200);
  return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(value));
}
