// Events with their emission figure (data-core `events`): filter by method, supplier or pending figures, page to the
// end. Each row: the activity, the method chip (factors, TTW/WTT, note), the figure and ml-engine's estimate beside it.
import { useState } from 'react';
import { useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import type { EmissionMethod, EventsPageQuery } from '../../gql/graphql';
import { Card, Async, Chip, PartialError, Skeleton } from '../ui/ui.tsx';
import { ago, kg, num, time, titleCase } from '../lib/format.ts';
import { useSuppliers } from '../lib/suppliers.ts';
import { FigureValue, MethodChip } from '../widgets/EmissionFigure.tsx';

export const EventsPageDoc = graphql(`
  query EventsPage($filter: EventFilter, $first: Int!, $after: String) {
    events(filter: $filter, first: $first, after: $after) {
      nodes {
        id timestamp eventType route vehicleType fuelType distanceKm loadKg fuelL fuelKg energyKwh productionUnits areaM2 qualityStatus
        supplier { id name }
        ...EventFigure
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

type Row = EventsPageQuery['events']['nodes'][number];
const PAGE = 25;
const METHODS: [EmissionMethod | '', string][] = [
  ['', 'All methods'],
  ['FUEL', 'Fuel (measured)'],
  ['ENERGY', 'Energy (metered)'],
  ['ACTIVITY', 'Activity (distance × load)'],
  ['MODEL', 'Model estimate'],
  ['GAP_FILL', 'Gap fill'],
];

/** What was recorded, briefly: "140 km · 9 t · rigid truck · diesel", "900 kWh · 120 units". */
function activityText(e: Row): string {
  const parts: string[] = [];
  if (e.distanceKm != null) parts.push(`${num(e.distanceKm, 0)} km`);
  if (e.loadKg != null) parts.push(`${num(e.loadKg / 1000, 1)} t`);
  if (e.fuelL != null) parts.push(`${num(e.fuelL, 1)} L`);
  if (e.fuelKg != null) parts.push(`${num(e.fuelKg, 1)} kg fuel`);
  if (e.energyKwh != null) parts.push(`${num(e.energyKwh, 0)} kWh`);
  if (e.productionUnits != null) parts.push(`${num(e.productionUnits, 0)} units`);
  if (e.areaM2 != null) parts.push(`${num(e.areaM2, 0)} m²`);
  if (e.vehicleType) parts.push(e.vehicleType.replace(/_/g, ' '));
  if (e.fuelType) parts.push(e.fuelType);
  return parts.join(' · ') || '—';
}

/** ml-engine's estimate vs the recorded figure: "119 kg (−19 %)". */
function modelCell(e: Row) {
  if (!e.prediction) return <span className="muted">—</span>;
  if (e.method === 'MODEL') return <span className="muted">is the figure</span>;
  if (e.co2eKg == null || e.method === 'GAP_FILL') return kg(e.prediction.co2eKg);
  const diff = e.co2eKg > 0 ? ((e.prediction.co2eKg - e.co2eKg) / e.co2eKg) * 100 : null;
  return (
    <span title={`model estimate ${kg(e.prediction.co2eKg)}, recorded ${kg(e.co2eKg)}`}>
      {kg(e.prediction.co2eKg)}
      {diff != null && (
        <span className="muted small">
          {' '}
          ({diff > 0 ? '+' : ''}
          {num(diff, 0)} %)
        </span>
      )}
    </span>
  );
}

export function EventsCard() {
  const suppliers = useSuppliers();
  const [method, setMethod] = useState<EmissionMethod | ''>('');
  const [supplierId, setSupplierId] = useState('');
  const [pendingOnly, setPendingOnly] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const filter = {
    methods: method ? [method] : null,
    supplierIds: supplierId ? [supplierId] : null,
    pending: pendingOnly ? true : null,
  };
  // errorPolicy all: events still list when ml-engine (the model estimates) is unreachable.
  const q = useQuery(EventsPageDoc, {
    variables: { filter, first: PAGE },
    fetchPolicy: 'cache-and-network',
    errorPolicy: 'all',
    notifyOnNetworkStatusChange: false,
  });
  const rows = q.data?.events.nodes ?? [];
  const filtered = !!(method || supplierId || pendingOnly);
  return (
    <Card
      title="Events and their figures"
      subtitle="One figure per event, by its method; the model estimate beside it"
      testId="events-card"
      className="span-2"
      actions={
        <button
          type="button"
          className="btn btn--ghost btn--sm"
          onClick={() => void q.refetch()}
          data-testid="events-refresh"
        >
          Refresh
        </button>
      }
    >
      <form className="filters" aria-label="Event filters" onSubmit={(e) => e.preventDefault()}>
        <label className="field">
          <span>Method</span>
          <select
            className="input"
            value={method}
            onChange={(e) => setMethod(e.target.value as EmissionMethod | '')}
            data-testid="events-filter-method"
          >
            {METHODS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Supplier</span>
          <select className="input" value={supplierId} onChange={(e) => setSupplierId(e.target.value)}>
            <option value="">All suppliers</option>
            {suppliers.list.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label className="check filters__check">
          <input
            type="checkbox"
            checked={pendingOnly}
            onChange={(e) => setPendingOnly(e.target.checked)}
            data-testid="events-filter-pending"
          />
          Pending figures only
        </label>
      </form>
      <Async
        loading={q.loading}
        error={q.error}
        empty={!rows.length}
        emptyTitle={filtered ? 'No events match these filters' : 'No events yet'}
        emptyHint={
          pendingOnly
            ? 'Every figure has arrived: no model estimate is pending.'
            : filtered
              ? 'Widen the filters or clear them.'
              : 'Events appear as they are ingested.'
        }
        retry={() => q.refetch()}
        skeleton={<Skeleton lines={6} />}
      >
        {() => (
          <>
            <div className="table-scroll">
              <table className="table" aria-label="Events">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Supplier</th>
                    <th>Activity</th>
                    <th>Method</th>
                    <th className="num">kg CO2e</th>
                    <th className="num">Model estimate</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((e) => (
                    <tr
                      key={e.id}
                      data-testid="event-row"
                      data-event-id={e.id}
                      data-method={e.method ?? ''}
                      data-pending={e.pending || undefined}
                    >
                      <td title={e.timestamp}>
                        {time(e.timestamp)} <span className="muted small">· {ago(e.timestamp)}</span>
                      </td>
                      <td>
                        {e.supplier?.name ?? '—'}
                        {e.qualityStatus === 'SUSPECT' && (
                          <>
                            {' '}
                            <Chip tone="warn">suspect</Chip>
                          </>
                        )}
                      </td>
                      <td>
                        <span className="muted small">
                          {titleCase(e.eventType)}
                          {e.route ? ` · ${e.route}` : ''}
                        </span>
                        <br />
                        {activityText(e)}
                      </td>
                      <td>
                        <MethodChip e={e} />
                      </td>
                      <td className="num">
                        <FigureValue e={e} withModel={false} />
                      </td>
                      <td className="num" data-testid="event-model">
                        {modelCell(e)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <PartialError error={q.error} what="Part of these events (e.g. model estimates)" />
            <div className="form__actions">
              {q.data?.events.pageInfo.hasNextPage ? (
                <button
                  type="button"
                  className="btn btn--ghost btn--sm"
                  data-testid="events-more"
                  disabled={loadingMore}
                  onClick={async () => {
                    setLoadingMore(true);
                    try {
                      await q.fetchMore({
                        variables: { after: q.data!.events.pageInfo.endCursor },
                        updateQuery: (prev, { fetchMoreResult }) => ({
                          events: {
                            ...fetchMoreResult.events,
                            nodes: [...prev.events.nodes, ...fetchMoreResult.events.nodes],
                          },
                        }),
                      });
                    } finally {
                      setLoadingMore(false);
                    }
                  }}
                >
                  {loadingMore ? 'Loading…' : 'Load more events'}
                </button>
              ) : (
                <span className="muted small">
                  {rows.length} {rows.length === 1 ? 'event' : 'events'} · end of the list
                </span>
              )}
            </div>
          </>
        )}
      </Async>
    </Card>
  );
}
