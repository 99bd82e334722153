// graphql-ws on the same path as HTTP GraphQL: connection_init carries the bearer token.
import type { Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { execute, subscribe } from 'graphql';
import type { TokenVerifier } from '../services/auth.ts';
import { iterateInScope, newCorrelationId, runInScope, type AuthClaims } from '../context.ts';
import { acceptCorrelationId, verifyBearer } from './apollo-route.ts';
import type { RunningPlugin } from '../host/host.ts';

export function tokenFromConnectionParams(params: Record<string, unknown> | undefined): string | null {
  if (!params) return null;
  const raw = (params.authorization ?? params.Authorization ?? params.token) as string | undefined;
  if (!raw) return null;
  return raw.replace(/^Bearer\s+/i, '');
}

/** Serves one plugin's subscriptions (standalone subgraph): the gateway connects here as a client. */
export function attachPluginSubscriptions(server: Server, path: string, rp: RunningPlugin, verify: TokenVerifier) {
  const wss = new WebSocketServer({ server, path });
  const dispose = useServer<Record<string, unknown>, { auth: AuthClaims | null; correlationId: string }>(
    {
      onConnect: async (ctx) => {
        const token = tokenFromConnectionParams(ctx.connectionParams);
        try {
          ctx.extra.auth = token ? await verifyBearer(token, verify) : null;
          ctx.extra.correlationId = acceptCorrelationId(ctx.connectionParams?.correlationId) ?? newCorrelationId();
          return true;
        } catch {
          return false;
        }
      },
      schema: rp.schema,
      context: (ctx) =>
        rp.contextFor({ auth: ctx.extra.auth ?? null, correlationId: ctx.extra.correlationId ?? newCorrelationId() }),
      // Resolvers run in the connection's scope so logs and plugin calls carry its claims.
      subscribe: (args) => {
        const c = args.contextValue as { auth: AuthClaims | null; correlationId: string };
        const scope = { auth: c.auth, correlationId: c.correlationId };
        return runInScope(scope, async () => iterateInScope(await subscribe(args), scope)) as any;
      },
      execute: (args) => {
        const c = args.contextValue as { auth: AuthClaims | null; correlationId: string };
        return runInScope({ auth: c.auth, correlationId: c.correlationId }, () => execute(args)) as any;
      },
    },
    wss,
  );
  return {
    async close() {
      await dispose.dispose();
      wss.close();
    },
  };
}
