// Alerts log for the activity page: every alert (newest first) with its level and acknowledgement.
import { useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Card, Async, Chip, Skeleton, severityTone } from '../ui/ui.tsx';
import { ago } from '../lib/format.ts';
import { useLive } from '../lib/live.ts';

export const AlertsLogQuery = graphql(`
  query AlertsLog {
    alerts(first: 15) { nodes { id level message createdAt acknowledgedAt acknowledgedBy } }
  }
`);

export function AlertsLog() {
  const { data, loading, error, refetch } = useQuery(AlertsLogQuery);
  useLive(['alert', 'hotspot'], () => void refetch(), 1000);
  const rows = data?.alerts.nodes ?? [];
  return (
    <Card title="Alerts" subtitle="Raised by the hotspot engine, newest first" live testId="alerts-card">
      <Async
        loading={loading}
        error={error}
        empty={!rows.length}
        emptyTitle="No alerts raised"
        emptyHint="Alerts appear when a hotspot is detected or escalates."
        retry={() => refetch()}
        skeleton={<Skeleton lines={5} />}
      >
        {() => (
          <ul className="feed" aria-label="Alerts">
            {rows.map((a) => (
              <li key={a.id} className="feed__item feed__item--alert">
                <Chip tone={severityTone(a.level)}>{a.level.toLowerCase()}</Chip>
                <div className="feed__main">
                  <strong>{a.message}</strong>
                  <span className="muted small">
                    {ago(a.createdAt)}
                    {a.acknowledgedAt
                      ? ` · acknowledged by ${a.acknowledgedBy ?? 'unknown'} ${ago(a.acknowledgedAt)}`
                      : ' · not acknowledged'}
                  </span>
                </div>
              </li>
            ))}
          </ul>
        )}
      </Async>
    </Card>
  );
}
