// Federated subscriptions, attached to the gateway's HTTP server:
//   - graphql-ws (GraphQL over WebSocket, `graphql-transport-ws`) at /graphql, token in connection_init;
//   - Server-Sent Events (graphql-sse "distinct connections" mode) at POST|GET /graphql/stream.
// Both transports run the same engine (engine.ts): plan with the gateway's query planner, one shared
// upstream per identical subscription, per-event completion through the plan, bounded client buffers.
// Token expiry ends a stream: WebSocket close 4401 "token expired"; SSE an UNAUTHENTICATED error then complete.
import type { FastifyInstance } from 'fastify';
import type { ApolloGateway } from '@apollo/gateway';
import type { GraphQLError } from 'graphql';
import type { Host, Logger, Metrics, TokenVerifier } from '@carbon-nexus/plugin-sdk';
import { SubscriptionEngine } from './engine.ts';
import { attachWebSocket } from './ws.ts';
import { registerGraphQLSse } from './sse-route.ts';

export { SubscriptionEngine, scopeKeyOf } from './engine.ts';
export { Subscriber, SharedSource } from './fanout.ts';
export { CLOSE_TOKEN_EXPIRED } from './token-expiry.ts';

/** Trusted-documents gate (rest/trusted-documents.ts): refuses a document, or names the manifest's to run. */
export type AdmitDocument = (payload: {
  query?: unknown;
  extensions?: unknown;
}) => { ok: true; query?: string } | { ok: false; error: GraphQLError };

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
  admitDocument?: AdmitDocument;
}

export interface SubscriptionServer {
  engine: SubscriptionEngine;
  close(): Promise<void>;
}

/** Connection gauge and token-expiry counter, by transport. */
export interface StreamCounters {
  opened(transport: 'ws' | 'sse'): void;
  closed(transport: 'ws' | 'sse'): void;
  expired(transport: 'ws' | 'sse'): void;
}

function streamCounters(metrics: Metrics): StreamCounters {
  const connections = metrics.gauge('subscription_connections', 'Open subscription connections', ['transport']);
  const expired = metrics.counter('subscription_token_expired_total', 'Streams ended because the token expired', [
    'transport',
  ]);
  return {
    opened: (transport) => connections.inc({ transport }),
    closed: (transport) => connections.dec({ transport }),
    expired: (transport) => expired.inc({ transport }),
  };
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
  const counters = streamCounters(metrics);
  const admitDocument = deps.admitDocument;
  const ws = attachWebSocket({ app, path: '/graphql', engine, verify, counters, admitDocument });
  const sse = registerGraphQLSse({
    app,
    path: '/graphql/stream',
    engine,
    verify,
    logger,
    counters,
    keepAliveMs: Number(env.SSE_KEEPALIVE_MS ?? 15_000),
    admitDocument,
  });
  return {
    engine,
    async close() {
      sse.close();
      await ws.close();
      await engine.close();
    },
  };
}
