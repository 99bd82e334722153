// Latest events (data-core activityFeed) with their kg CO2e and the method behind it (a MODEL figure is pending until
// ml-engine's estimate arrives), refreshed on each live pulse.
import { useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Card, Async, Chip, Icon, Skeleton, categoryIcon } from '../ui/ui.tsx';
import { ago, categoryColor, kg, titleCase } from '../lib/format.ts';
import { useLive } from '../lib/live.ts';

export const ActivityFeedQuery = graphql(`
  query ActivityFeed($first: Int!) {
    activityFeed(first: $first) {
      id timestamp eventType co2eKg method pending methodNote dataSource qualityStatus route vehicleType distanceKm
      supplier { id name }
    }
  }
`);

export function ActivityFeed({ first = 8, title = 'Activity feed', className }: { first?: number; title?: string; className?: string }) {
  const { data, loading, error, refetch } = useQuery(ActivityFeedQuery, { variables: { first } });
  useLive(['pulse'], () => void refetch(), 1500);
  const rows = data?.activityFeed ?? [];
  return (
    <Card title={title} subtitle="Latest events and their kg CO2e" live testId="activity-card" className={className}>
      <Async loading={loading} error={error} empty={!rows.length} emptyTitle="No activity yet" emptyHint="Events appear as they are ingested." retry={() => refetch()} skeleton={<Skeleton lines={6} />}>
        {() => (
          <ul className="feed" aria-label="Latest events">
            {rows.map((e) => (
              <li key={e.id} className="feed__item" data-testid="activity-item">
                <span className="feed__icon" style={{ color: categoryColor(e.eventType) }}>
                  <Icon name={categoryIcon(e.eventType)} size={16} />
                </span>
                <div className="feed__main">
                  <strong>{e.supplier?.name ?? 'Unknown supplier'}</strong>
                  <span className="muted small">
                    {titleCase(e.eventType)}
                    {e.route ? ` · ${e.route}` : e.vehicleType ? ` · ${e.vehicleType.replace(/_/g, ' ')}` : ''} · {ago(e.timestamp)}
                    {e.dataSource === 'GAP_FILL' && (
                      <>
                        {' '}
                        <Chip tone="neutral">predicted</Chip>
                      </>
                    )}
                    {e.method && e.dataSource !== 'GAP_FILL' && (
                      <>
                        {' '}
                        <Chip tone="neutral" title={e.methodNote ?? undefined}>{e.method.toLowerCase()}</Chip>
                      </>
                    )}
                    {e.qualityStatus === 'SUSPECT' && (
                      <>
                        {' '}
                        <Chip tone="warn">suspect</Chip>
                      </>
                    )}
                  </span>
                </div>
                <span className="feed__value" title={e.pending ? 'Model estimate pending' : (e.methodNote ?? undefined)}>
                  {e.pending || e.co2eKg == null ? <Chip tone="info">pending</Chip> : kg(e.co2eKg)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Async>
    </Card>
  );
}
