// GraphiQL bundled with the app (no CDN): queries over HTTP, subscriptions over graphql-ws,
// and a bearer token kept in the headers tab.
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { createClient } from 'graphql-ws';
import 'graphiql/graphiql.css';

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
const fetcher = createGraphiQLFetcher({
  url: '/graphql',
  wsClient: createClient({
    url: wsUrl,
    connectionParams: () => {
      const token = localStorage.getItem('carbon-nexus-token');
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    lazy: true,
    retryAttempts: 5,
  }),
});

const token = localStorage.getItem('carbon-nexus-token');
const defaultQuery = `# Carbon Nexus — one graph over five plugins.
# Sign in on the dashboard (or run: npm run token -- --role analyst) and put
# {"authorization": "Bearer <token>"} in the Headers tab for mutations.
query TopHotspots {
  hotspots(first: 5) {
    nodes {
      severity
      percentAbove
      supplier { name category }
    }
  }
  suppliers(first: 5) {
    totalCount
    nodes { id name hotspots { severity } }
  }
}
`;

createRoot(document.getElementById('root')!).render(
  <GraphiQL
    fetcher={fetcher}
    defaultQuery={defaultQuery}
    defaultHeaders={token ? JSON.stringify({ authorization: `Bearer ${token}` }, null, 2) : undefined}
    shouldPersistHeaders
  />,
);
