// GraphQL over Server-Sent Events (graphql-sse "distinct connections" mode) at POST|GET /graphql/stream: one stream
// per request, `next` events then `complete`; token expiry ends it with an UNAUTHENTICATED error.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { claimsOf, correlationIdOf, type AuthClaims, type Logger, type TokenVerifier } from '@carbon-nexus/plugin-sdk';
import type { SubscriptionEngine } from './engine.ts';
import { openSseStream } from './sse-stream.ts';
import type { AdmitDocument, StreamCounters } from './index.ts';

type Planned = Exclude<ReturnType<SubscriptionEngine['plan']>, readonly GraphQLError[]>;

interface GraphQLSseOptions {
  app: FastifyInstance;
  path: string;
  engine: SubscriptionEngine;
  verify: TokenVerifier;
  logger: Logger;
  counters: StreamCounters;
  keepAliveMs: number;
  admitDocument?: AdmitDocument;
}

const badRequest = (reply: FastifyReply, message: string, code = 'BAD_REQUEST') =>
  reply.code(400).send({ errors: [{ message, extensions: { code } }] });

export function registerGraphQLSse(o: GraphQLSseOptions): { close(): void } {
  const open = new Set<() => void>();
  o.app.route({
    method: ['GET', 'POST'],
    url: o.path,
    handler: async (req, reply) => {
      const request = await readRequest(req, reply, o);
      if (!request) return;
      await stream(reply, request, o, open);
    },
  });
  return {
    close() {
      for (const f of [...open]) f();
    },
  };
}

interface SseRequest {
  planned: Planned;
  variables: Record<string, unknown> | undefined;
  scope: { auth: AuthClaims | null; correlationId: string };
}

/** The planned operation, its variables and the caller; null when an error was already answered. */
async function readRequest(req: FastifyRequest, reply: FastifyReply, o: GraphQLSseOptions): Promise<SseRequest | null> {
  const params = (req.method === 'GET' ? req.query : req.body) as Record<string, unknown> | undefined;
  let query = params?.query;
  const admitted = o.admitDocument?.({
    query,
    extensions: typeof params?.extensions === 'string' ? safeJson(params.extensions) : params?.extensions,
  });
  if (admitted && !admitted.ok) {
    await badRequest(reply, admitted.error.message, String(admitted.error.extensions.code));
    return null;
  }
  if (admitted?.query) query = admitted.query;
  if (typeof query !== 'string' || !query.trim()) {
    await badRequest(reply, 'query: a GraphQL document is required');
    return null;
  }
  let variables: Record<string, unknown> | undefined;
  try {
    variables =
      typeof params?.variables === 'string'
        ? JSON.parse(params.variables)
        : (params?.variables as Record<string, unknown> | undefined);
  } catch {
    await badRequest(reply, 'variables: not valid JSON');
    return null;
  }
  let auth: AuthClaims | null;
  try {
    auth = await claimsOf(req, o.verify);
  } catch (err) {
    await reply
      .code(401)
      .send({ errors: [{ message: (err as Error).message, extensions: { code: 'UNAUTHENTICATED' } }] });
    return null;
  }
  const doc = o.engine.parseAndValidate(query);
  if (Array.isArray(doc)) {
    await reply.code(400).send({ errors: doc });
    return null;
  }
  const op = o.engine.plan(doc as any, params?.operationName as string | undefined);
  if (Array.isArray(op)) {
    await reply.code(400).send({ errors: op });
    return null;
  }
  return { planned: op as Planned, variables, scope: { auth, correlationId: correlationIdOf(req) } };
}

/** Runs the operation and writes its results as `next` events until it ends, the client leaves or the token expires. */
async function stream(reply: FastifyReply, r: SseRequest, o: GraphQLSseOptions, open: Set<() => void>) {
  let iterator: AsyncIterableIterator<ExecutionResult> | null = null;
  const nextEvent = (result: ExecutionResult) => `event: next\ndata: ${JSON.stringify(result)}\n\n`;
  o.counters.opened('sse');
  const sse = openSseStream(reply, {
    correlationId: r.scope.correlationId,
    auth: r.scope.auth,
    keepAliveMs: o.keepAliveMs,
    open,
    expiredEvent: () =>
      nextEvent({ errors: [new GraphQLError('token expired', { extensions: { code: 'UNAUTHENTICATED' } })] }),
    onExpired: () => o.counters.expired('sse'),
    onEnd: () => {
      o.counters.closed('sse');
      void iterator?.return?.();
    },
    endWith: 'event: complete\ndata:\n\n',
  });
  try {
    if (r.planned.kind !== 'subscription') {
      await sse.write(nextEvent(await o.engine.execute(r.planned, r.variables, r.scope)));
    } else {
      const result = o.engine.subscribe(r.planned, r.variables, r.scope);
      if (!(Symbol.asyncIterator in result)) await sse.write(nextEvent(result));
      else {
        iterator = result;
        for await (const next of result) {
          if (sse.ended) break;
          await sse.write(nextEvent(next));
        }
      }
    }
  } catch (err) {
    o.logger.error({ err }, 'SSE stream failed');
    await sse.write(nextEvent({ errors: [new GraphQLError('internal error while streaming')] }));
  }
  sse.finish();
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
