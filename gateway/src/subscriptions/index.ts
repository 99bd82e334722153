// Federated subscriptions, attached to the gateway's HTTP server:
//   - graphql-ws (GraphQL over WebSocket, `graphql-transport-ws`) at /graphql, token in connection_init;
//   - Server-Sent Events (graphql-sse "distinct connections" mode) at POST|GET /graphql/stream.
// Both transports run the same engine (engine.ts): plan with the gateway's query planner, one shared
// upstream per identical subscription, per-event completion through the plan, bounded client buffers.
// Token expiry ends a stream: WebSocket close 4401 "token expired"; SSE an UNAUTHENTICATED error then complete.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApolloGateway } from '@apollo/gateway';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import {
  AuthError,
  claimsOf,
  correlationIdOf,
  acceptCorrelationId,
  newCorrelationId,
  tokenFromConnectionParams,
  verifyBearer,
  type AuthClaims,
  type Host,
  type Logger,
  type Metrics,
  type TokenVerifier,
} from '@carbon-nexus/plugin-sdk';
import { SubscriptionEngine } from './engine.ts';

export { SubscriptionEngine, scopeKeyOf } from './engine.ts';
export { Subscriber, SharedSource } from './fanout.ts';

export interface SubscriptionDeps {
  app: FastifyInstance;
  gateway: ApolloGateway;
  supergraphSdl: string;
  /** Embedded plugins (null when every subgraph is remote). */
  host: Host | null;
  subgraphUrls: Record<string, string>;
  verify: TokenVerifier;
  logger: Logger;
  metrics: Metrics;
  env: Record<string, string | undefined>;
  /** Trusted-documents gate (rest/trusted-documents.ts): refuses a document, or names the manifest's to run. */
  admitDocument?: (payload: {
    query?: unknown;
    extensions?: unknown;
  }) => { ok: true; query?: string } | { ok: false; error: GraphQLError };
}

export interface SubscriptionServer {
  engine: SubscriptionEngine;
  close(): Promise<void>;
}

/** WebSocket close code and reason when the connection's token expires (or is invalid at connect). */
export const CLOSE_TOKEN_EXPIRED = 4401;

const GRAPHQL_PATH = '/graphql';
const SSE_PATH = '/graphql/stream';
// setTimeout's ceiling (~24.8 days): longer-lived tokens are re-armed.
const MAX_TIMER_MS = 2 ** 31 - 1;

type ConnExtra = {
  auth: AuthClaims | null;
  correlationId: string;
  cancelExpiry?: () => void;
};

function closeReason(message: string): string {
  // WebSocket close reasons are limited to 123 bytes.
  return Buffer.byteLength(message) <= 123 ? message : Buffer.from(message).subarray(0, 120).toString() + '...';
}

/** Runs `onExpire` when the token's `exp` passes (null when it has none); returns a cancel function. */
function armExpiry(auth: AuthClaims | null, onExpire: () => void): (() => void) | undefined {
  if (!auth?.exp) return undefined;
  let t: NodeJS.Timeout;
  const arm = () => {
    const ms = auth.exp! * 1000 - Date.now();
    t = setTimeout(() => (ms > MAX_TIMER_MS ? arm() : onExpire()), Math.max(0, Math.min(ms, MAX_TIMER_MS)));
  };
  arm();
  return () => clearTimeout(t);
}

export async function attachSubscriptions(deps: SubscriptionDeps): Promise<SubscriptionServer> {
  const { app, env, logger, metrics, verify } = deps;
  const engine = new SubscriptionEngine({
    supergraphSdl: deps.supergraphSdl,
    gateway: deps.gateway,
    host: deps.host,
    subgraphUrls: deps.subgraphUrls,
    logger,
    metrics,
    bufferSize: Number(env.SUBSCRIPTION_CLIENT_BUFFER ?? 1000),
    maxBatch: Number(env.SUBSCRIPTION_MAX_BATCH ?? 256),
    coalesceMs: Number(env.SUBSCRIPTION_COALESCE_MS ?? 5),
    unsharedArgs: (env.SUBSCRIPTION_UNSHARED_ARGS ?? 'after')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  });
  const connections = metrics.gauge('subscription_connections', 'Open subscription connections', ['transport']);
  const expired = metrics.counter('subscription_token_expired_total', 'Streams ended because the token expired', [
    'transport',
  ]);

  // ---- graphql-ws ---------------------------------------------------------------------------------
  const wss = new WebSocketServer({ noServer: true });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (req.url ?? '').split('?')[0];
    // Other paths (e.g. a plugin's own WebSocket route) are left to their handlers.
    if (pathname !== GRAPHQL_PATH) return;
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  app.server.on('upgrade', onUpgrade);

  const wsDispose = useServer<Record<string, unknown>, ConnExtra>(
    {
      schema: engine.apiSchema,
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket as WebSocket;
        const token = tokenFromConnectionParams(ctx.connectionParams);
        let auth: AuthClaims | null = null;
        try {
          auth = token ? await verifyBearer(token, verify) : null;
        } catch (err) {
          const reason = err instanceof AuthError ? err.message : 'invalid token';
          if (reason === 'token expired') expired.inc({ transport: 'ws' });
          socket.close(CLOSE_TOKEN_EXPIRED, closeReason(reason));
          return false;
        }
        ctx.extra.auth = auth;
        ctx.extra.correlationId = acceptCorrelationId(ctx.connectionParams?.correlationId) ?? newCorrelationId();
        ctx.extra.cancelExpiry = armExpiry(auth, () => {
          expired.inc({ transport: 'ws' });
          socket.close(CLOSE_TOKEN_EXPIRED, 'token expired');
        });
        connections.inc({ transport: 'ws' });
        return true;
      },
      onClose: (ctx) => {
        ctx.extra.cancelExpiry?.();
        if (ctx.acknowledged) connections.dec({ transport: 'ws' });
      },
      context: (ctx) => ({
        auth: ctx.extra.auth ?? null,
        correlationId: ctx.extra.correlationId ?? newCorrelationId(),
      }),
      onSubscribe: deps.admitDocument
        ? (_ctx, _id, payload) => {
            const a = deps.admitDocument!(payload);
            if (!a.ok) return [a.error];
            if (a.query) (payload as { query: string }).query = a.query; // a persisted-document id: run the manifest document
          }
        : undefined,
      subscribe: (args) => {
        const op = engine.plan(args.document, args.operationName);
        if (Array.isArray(op)) return { errors: op as GraphQLError[] };
        const scope = args.contextValue as { auth: AuthClaims | null; correlationId: string };
        if ((op as any).kind !== 'subscription') return engine.execute(op as any, args.variableValues as any, scope);
        return engine.subscribe(op as any, args.variableValues as Record<string, unknown> | undefined, scope) as any;
      },
      execute: (args) => {
        const op = engine.plan(args.document, args.operationName);
        if (Array.isArray(op)) return { errors: op as GraphQLError[] };
        return engine.execute(
          op as any,
          args.variableValues as Record<string, unknown> | undefined,
          args.contextValue as any,
        );
      },
    },
    wss,
  );

  // ---- Server-Sent Events ------------------------------------------------------------------------
  const openStreams = new Set<() => void>();
  const sse = async (req: FastifyRequest, reply: FastifyReply) => {
    const params = (req.method === 'GET' ? req.query : req.body) as Record<string, unknown> | undefined;
    let query = params?.query;
    const admitted = deps.admitDocument?.({
      query,
      extensions: typeof params?.extensions === 'string' ? safeJson(params.extensions) : params?.extensions,
    });
    if (admitted && !admitted.ok)
      return reply
        .code(400)
        .send({ errors: [{ message: admitted.error.message, extensions: { code: admitted.error.extensions.code } }] });
    if (admitted?.query) query = admitted.query;
    if (typeof query !== 'string' || !query.trim()) {
      return reply
        .code(400)
        .send({ errors: [{ message: 'query: a GraphQL document is required', extensions: { code: 'BAD_REQUEST' } }] });
    }
    let variables: Record<string, unknown> | undefined;
    try {
      variables =
        typeof params?.variables === 'string'
          ? JSON.parse(params.variables)
          : (params?.variables as Record<string, unknown> | undefined);
    } catch {
      return reply
        .code(400)
        .send({ errors: [{ message: 'variables: not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
    }
    let auth: AuthClaims | null;
    try {
      auth = await claimsOf(req, verify);
    } catch (err) {
      return reply
        .code(401)
        .send({ errors: [{ message: (err as Error).message, extensions: { code: 'UNAUTHENTICATED' } }] });
    }
    const doc = engine.parseAndValidate(query);
    if (Array.isArray(doc)) return reply.code(400).send({ errors: doc });
    const op = engine.plan(doc as any, params?.operationName as string | undefined);
    if (Array.isArray(op)) return reply.code(400).send({ errors: op });
    const planned = op as Exclude<typeof op, readonly GraphQLError[]>;
    const scope = { auth, correlationId: correlationIdOf(req) };

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-correlation-id': scope.correlationId,
    });
    res.flushHeaders?.();
    connections.inc({ transport: 'sse' });
    let ended = false;
    const write = async (chunk: string) => {
      if (ended) return;
      // Back-pressure: wait for the socket to drain; meanwhile the client's buffer fills (drop oldest).
      if (!res.write(chunk)) await new Promise<void>((r) => res.once('drain', r).once('close', r));
    };
    const next = (r: ExecutionResult) => write(`event: next\ndata: ${JSON.stringify(r)}\n\n`);
    let iterator: AsyncIterableIterator<ExecutionResult> | null = null;
    const finish = () => {
      if (ended) return;
      ended = true;
      clearInterval(keepAlive);
      cancelTimer?.();
      openStreams.delete(finish);
      connections.dec({ transport: 'sse' });
      void iterator?.return?.();
      if (!res.writableEnded) res.end('event: complete\ndata:\n\n');
    };
    const keepAlive = setInterval(() => void write(':\n\n'), Number(env.SSE_KEEPALIVE_MS ?? 15_000));
    const cancelTimer = armExpiry(auth, () => {
      expired.inc({ transport: 'sse' });
      void next({ errors: [new GraphQLError('token expired', { extensions: { code: 'UNAUTHENTICATED' } })] }).then(
        finish,
      );
    });
    openStreams.add(finish);
    res.on('close', finish);
    try {
      if (planned.kind !== 'subscription') {
        await next(await engine.execute(planned, variables, scope));
      } else {
        const result = engine.subscribe(planned, variables, scope);
        if (!(Symbol.asyncIterator in result)) await next(result);
        else {
          iterator = result;
          for await (const r of result) {
            if (ended) break;
            await next(r);
          }
        }
      }
    } catch (err) {
      logger.error({ err }, 'SSE stream failed');
      await next({ errors: [new GraphQLError('internal error while streaming')] });
    }
    finish();
  };
  app.route({ method: ['GET', 'POST'], url: SSE_PATH, handler: sse });

  return {
    engine,
    async close() {
      app.server.off('upgrade', onUpgrade);
      for (const f of [...openStreams]) f();
      await wsDispose.dispose();
      wss.close();
      await engine.close();
    },
  };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
