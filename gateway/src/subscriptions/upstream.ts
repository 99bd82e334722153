// Opens the primary fetch of a subscription plan against the subgraph that owns the field:
// in-process when the plugin runs embedded, otherwise a graphql-ws client to the subgraph's /graphql
// (the caller's bearer token in connection_init, so the subgraph applies the same claims).
import { GraphQLError, type ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Host, Logger } from '@carbon-nexus/plugin-sdk';
import type { ExecutionScope } from './plan.ts';

export interface UpstreamRequest {
  serviceName: string;
  query: string;
  operationName?: string;
  variables: Record<string, unknown>;
  scope: ExecutionScope;
  /** Identifies the auth scope (remote connections are pooled per subgraph and scope). */
  scopeKey: string;
}

export type Upstream = AsyncIterator<ExecutionResult> | ExecutionResult;

export class UpstreamConnector {
  private clients = new Map<string, { client: Client; token: string | undefined }>();

  constructor(
    private readonly host: Host | null,
    private readonly subgraphUrls: Record<string, string>,
    private readonly logger: Logger,
  ) {}

  kindOf(serviceName: string): 'local' | 'remote' | null {
    if (this.host?.plugins.get(serviceName)) return 'local';
    if (this.subgraphUrls[serviceName]) return 'remote';
    return null;
  }

  async open(req: UpstreamRequest): Promise<Upstream> {
    const local = this.host?.plugins.get(req.serviceName);
    if (local) {
      return (await local.subscribe(req.query, req.variables, {
        auth: req.scope.auth,
        correlationId: req.scope.correlationId,
      })) as Upstream;
    }
    const url = this.subgraphUrls[req.serviceName];
    if (!url)
      return {
        errors: [
          new GraphQLError(`subgraph "${req.serviceName}" is not reachable for subscriptions from this gateway`, {
            extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: req.serviceName },
          }),
        ],
      };
    return this.client(req.serviceName, url, req).iterate({
      query: req.query,
      variables: req.variables,
      operationName: req.operationName,
    }) as AsyncIterator<ExecutionResult>;
  }

  private client(serviceName: string, httpUrl: string, req: UpstreamRequest): Client {
    const key = `${serviceName}\u0000${req.scopeKey}`;
    let entry = this.clients.get(key);
    if (entry) {
      // Keep the newest token for this scope: reconnects present a valid one.
      if (req.scope.auth?.token) entry.token = req.scope.auth.token;
      return entry.client;
    }
    const wsUrl = httpUrl.replace(/^http/, 'ws');
    const e: { client: Client; token: string | undefined } = {
      client: null as unknown as Client,
      token: req.scope.auth?.token,
    };
    e.client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      lazy: true,
      lazyCloseTimeout: 1000,
      // No silent reconnects: a lost upstream ends the client streams with UPSTREAM_LOST so clients
      // resubscribe (cursor-based streams resume with `after`) instead of silently missing events.
      retryAttempts: 0,
      connectionParams: () => ({
        ...(e.token ? { authorization: `Bearer ${e.token}` } : {}),
        correlationId: req.scope.correlationId,
      }),
      on: {
        closed: (ev) => {
          const code = (ev as { code?: number })?.code;
          if (code && code !== 1000)
            this.logger.warn({ subgraph: serviceName, code }, 'subgraph subscription connection closed');
        },
      },
    });
    entry = e;
    this.clients.set(key, entry);
    return entry.client;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.client.dispose()));
    this.clients.clear();
  }
}
