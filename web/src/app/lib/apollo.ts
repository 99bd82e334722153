// Apollo Client: HTTP for queries and mutations, graphql-ws for subscriptions (token in connectionParams),
// with a connection-status store the top bar shows (live / reconnecting / offline).
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, split } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient, type Client } from 'graphql-ws';
import { useSyncExternalStore } from 'react';
import { getSession } from './auth.ts';

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

let status: ConnectionStatus = 'connecting';
const listeners = new Set<() => void>();
function setStatus(s: ConnectionStatus) {
  if (s === status) return;
  status = s;
  for (const l of listeners) l();
}
export function useConnectionStatus(): ConnectionStatus {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => status,
  );
}

let socketOpen = false;
if (typeof window !== 'undefined') {
  window.addEventListener('offline', () => setStatus('offline'));
  window.addEventListener('online', () => setStatus(socketOpen ? 'live' : 'reconnecting'));
}
/**
 * The browser's WebSocket, except that a message sent once the socket is closing is dropped quietly: the browser
 * would drop it too, but log an error for each. graphql-ws sends a subscription's first message right after the
 * acknowledgement, which can be after a sign-in has closed that connection (its replacement subscribes anew).
 */
const QuietWebSocket =
  typeof WebSocket === 'undefined'
    ? undefined
    : class extends WebSocket {
        send(data: string | ArrayBufferLike | Blob | ArrayBufferView) {
          if (this.readyState === WebSocket.OPEN) super.send(data);
        }
      };

/** The connection whose socket the pill shows: a new sign-in replaces it, and the old one's closing is not news. */
let currentConnection = 0;

export interface Connection {
  client: ApolloClient<unknown>;
  ws: Client;
  dispose(): void;
}

export function createConnection(): Connection {
  const token = getSession().token;
  const authHeaders = (): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
  let everConnected = false;
  let failures = 0;
  const me = ++currentConnection;
  let disposed = false;
  // Only the live connection reports: the one it replaced closes after the new one may already be up.
  const report = (s: ConnectionStatus, open?: boolean) => {
    if (disposed || me !== currentConnection) return;
    if (open !== undefined) socketOpen = open;
    setStatus(s);
  };
  const ws = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    webSocketImpl: QuietWebSocket,
    connectionParams: () => authHeaders(),
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      // 0.5 s, 1 s, 2 s … capped at 10 s, with jitter.
      await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** retries) + Math.random() * 300));
    },
    on: {
      connecting: () => report(everConnected ? 'reconnecting' : 'connecting'),
      connected: () => {
        everConnected = true;
        failures = 0;
        report('live', true);
      },
      closed: () => {
        failures += 1;
        if (!navigator.onLine) report('offline', false);
        else report(everConnected || failures < 3 ? 'reconnecting' : 'offline', false);
      },
    },
  });
  const http = new HttpLink({ uri: '/graphql', headers: authHeaders() });
  // Trusted documents: our documents carry their manifest id (codegen, __meta__.hash), so queries and mutations go
  // out as that id alone (the persisted-documents protocol); the gateway runs its own copy, and in
  // TRUSTED_DOCUMENTS=enforce mode nothing else. A document without an id is sent as text.
  const manifestId = (query: unknown) => (query as { __meta__?: { hash?: string } }).__meta__?.hash;
  const persisted = createPersistedQueryLink({ generateHash: (query) => manifestId(query)! });
  const link = split(
    ({ query }) => {
      const d = getMainDefinition(query);
      return d.kind === 'OperationDefinition' && d.operation === 'subscription';
    },
    new GraphQLWsLink(ws),
    split(({ query }) => !!manifestId(query), ApolloLink.from([persisted, http]), http),
  );
  const client = new ApolloClient({
    link,
    cache: new InMemoryCache({
      typePolicies: {
        // Singletons and per-window aggregates have no id: keep them replaceable, never merged.
        EmissionPulse: { keyFields: false },
        DataQualityBadge: { keyFields: false },
        Forecast: { keyFields: ['id'] },
        Query: {
          fields: {
            emissionsSeries: { merge: false },
            activityFeed: { merge: false },
          },
        },
      },
    }),
    defaultOptions: { watchQuery: { fetchPolicy: 'cache-and-network', nextFetchPolicy: 'cache-first' } },
  });
  // Exposed for diagnostics and the e2e test (which drops the socket to check the reconnect).
  (window as unknown as { __carbonNexusWs?: Client }).__carbonNexusWs = ws;
  return {
    client,
    ws,
    dispose() {
      disposed = true;
      // Apollo first, so that its operations end while their socket is still open.
      client.stop();
      void ws.dispose();
    },
  };
}
