// The dashboard app: one Apollo connection per session token (a new sign-in reconnects with the new token).
import { useEffect, useMemo } from 'react';
import { ApolloProvider } from '@apollo/client';
import { createConnection } from './lib/apollo.ts';
import { devSignIn, useSession } from './lib/auth.ts';
import { usePath } from './lib/router.ts';
import { RangeProvider } from './lib/range.tsx';
import { AppShell } from './AppShell.tsx';
import { LiveBridge } from './LiveBridge.tsx';
import { Dashboard } from './pages/Dashboard.tsx';
import { ActivityPage } from './pages/Activity.tsx';
import { GoalsPage } from './pages/Goals.tsx';
import { SettingsPage } from './pages/Settings.tsx';
import { ImportPage } from './pages/Import.tsx';
import { EmptyState } from './ui/ui.tsx';
import './styles.css';

function Page() {
  const path = usePath();
  switch (path) {
    case '/':
      return <Dashboard />;
    case '/activity':
      return <ActivityPage />;
    case '/goals':
      return <GoalsPage />;
    case '/settings':
      return <SettingsPage />;
    case '/import':
      return <ImportPage />;
    default:
      return <EmptyState title="Page not found">Nothing lives at {path}.</EmptyState>;
  }
}

export function App() {
  const session = useSession();
  const conn = useMemo(() => createConnection(), [session.token]);
  useEffect(() => () => conn.dispose(), [conn]);
  // First visit: a read-only viewer session, so the dashboard has data before anyone signs in.
  useEffect(() => {
    if (!session.token) void devSignIn('viewer').catch(() => {});
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <ApolloProvider client={conn.client}>
      <RangeProvider>
        <LiveBridge />
        <AppShell>
          <Page />
        </AppShell>
      </RangeProvider>
    </ApolloProvider>
  );
}
