// Latest events (data-core activityFeed) with their kg CO2e, the method behind it (a popover shows the factors,
// the TTW/WTT split and why a default stood in), ml-engine's estimate beside a recorded figure, and MODEL figures
// still pending marked as such; refreshed on each live pulse.
import { useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Card, Async, Chip, Icon, PartialError, Skeleton, categoryIcon } from '../ui/ui.tsx';
import { ago, categoryColor, titleCase } from '../lib/format.ts';
import { useLive } from '../lib/live.ts';
import { FigureValue, MethodChip, ModelBeside } from './EmissionFigure.tsx';

export const ActivityFeedQuery = graphql(`
  query ActivityFeed($first: Int!) {
    activityFeed(first: $first) {
      id timestamp eventType qualityStatus route vehicleType distanceKm
      ...EventFigure
      supplier { id name }
    }
  }
`);

export function ActivityFeed({
  first = 8,
  title = 'Activity feed',
  className,
}: {
  first?: number;
  title?: string;
  className?: string;
}) {
  // errorPolicy all: the events still show when ml-engine (the model estimates) is unreachable.
  const { data, loading, error, refetch } = useQuery(ActivityFeedQuery, { variables: { first }, errorPolicy: 'all' });
  useLive(['pulse'], () => void refetch(), 1500);
  const rows = data?.activityFeed ?? [];
  return (
    <Card title={title} subtitle="Latest events and their kg CO2e" live testId="activity-card" className={className}>
      <Async
        loading={loading}
        error={error}
        empty={!rows.length}
        emptyTitle="No activity yet"
        emptyHint="Events appear as they are ingested."
        retry={() => refetch()}
        skeleton={<Skeleton lines={6} />}
      >
        {() => (
          <ul className="feed" aria-label="Latest events">
            {rows.map((e) => (
              <li
                key={e.id}
                className="feed__item"
                data-testid="activity-item"
                data-event-id={e.id}
                data-method={e.method ?? ''}
                data-pending={e.pending || undefined}
              >
                <span className="feed__icon" style={{ color: categoryColor(e.eventType) }}>
                  <Icon name={categoryIcon(e.eventType)} size={16} />
                </span>
                <div className="feed__main">
                  <strong>{e.supplier?.name ?? 'Unknown supplier'}</strong>
                  <span className="muted small">
                    {titleCase(e.eventType)}
                    {e.route ? ` · ${e.route}` : e.vehicleType ? ` · ${e.vehicleType.replace(/_/g, ' ')}` : ''} ·{' '}
                    {ago(e.timestamp)}
                  </span>
                  <span className="feed__chips">
                    <MethodChip e={e} />
                    {e.qualityStatus === 'SUSPECT' && <Chip tone="warn">suspect</Chip>}
                    <ModelBeside e={e} className="feed__model muted" />
                  </span>
                </div>
                <span className="feed__value">
                  <FigureValue e={e} withModel={false} />
                </span>
              </li>
            ))}
          </ul>
        )}
      </Async>
      {rows.length > 0 && <PartialError error={error} what="Part of these events (e.g. model estimates)" />}
    </Card>
  );
}
