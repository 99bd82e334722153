// graphql-ws (GraphQL over WebSocket, `graphql-transport-ws`) at /graphql on the gateway's HTTP server: the token in
// connection_init, the connection closed with 4401 when it expires, documents through the trusted-documents gate,
// every operation run by the subscription engine.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { GraphQLError } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import {
  AuthError,
  acceptCorrelationId,
  newCorrelationId,
  tokenFromConnectionParams,
  verifyBearer,
  type AuthClaims,
  type TokenVerifier,
} from '@carbon-nexus/plugin-sdk';
import type { SubscriptionEngine } from './engine.ts';
import { armExpiry, CLOSE_TOKEN_EXPIRED, closeReason } from './token-expiry.ts';
import type { AdmitDocument, StreamCounters } from './index.ts';

type ConnExtra = {
  auth: AuthClaims | null;
  correlationId: string;
  cancelExpiry?: () => void;
};

export function attachWebSocket(o: {
  app: FastifyInstance;
  path: string;
  engine: SubscriptionEngine;
  verify: TokenVerifier;
  counters: StreamCounters;
  admitDocument?: AdmitDocument;
}): { close(): Promise<void> } {
  const { engine, counters } = o;
  const wss = new WebSocketServer({ noServer: true });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Other paths (e.g. a plugin's own WebSocket route) are left to their handlers.
    if ((req.url ?? '').split('?')[0] !== o.path) return;
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  o.app.server.on('upgrade', onUpgrade);

  const disposable = useServer<Record<string, unknown>, ConnExtra>(
    {
      schema: engine.apiSchema,
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket as WebSocket;
        const token = tokenFromConnectionParams(ctx.connectionParams);
        let auth: AuthClaims | null = null;
        try {
          auth = token ? await verifyBearer(token, o.verify) : null;
        } catch (err) {
          const reason = err instanceof AuthError ? err.message : 'invalid token';
          if (reason === 'token expired') counters.expired('ws');
          socket.close(CLOSE_TOKEN_EXPIRED, closeReason(reason));
          return false;
        }
        ctx.extra.auth = auth;
        ctx.extra.correlationId = acceptCorrelationId(ctx.connectionParams?.correlationId) ?? newCorrelationId();
        ctx.extra.cancelExpiry = armExpiry(auth, () => {
          counters.expired('ws');
          socket.close(CLOSE_TOKEN_EXPIRED, 'token expired');
        });
        counters.opened('ws');
        return true;
      },
      onClose: (ctx) => {
        ctx.extra.cancelExpiry?.();
        if (ctx.acknowledged) counters.closed('ws');
      },
      context: (ctx) => ({
        auth: ctx.extra.auth ?? null,
        correlationId: ctx.extra.correlationId ?? newCorrelationId(),
      }),
      onSubscribe: o.admitDocument
        ? (_ctx, _id, payload) => {
            const a = o.admitDocument!(payload);
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
  return {
    async close() {
      o.app.server.off('upgrade', onUpgrade);
      await disposable.dispose();
      wss.close();
    },
  };
}
