// Activity & audit: the audit log (`auditLog`, every plugin's user actions, newest first) with filters and
// "load older" pagination, refetched when live events arrive; events with their figures; the latest events and alerts.
import { useState } from 'react';
import { useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import type { AuditLogQuery } from '../../gql/graphql';
import { Card, Async, Chip, EmptyState, Skeleton } from '../ui/ui.tsx';
import { ago, time } from '../lib/format.ts';
import { useLive } from '../lib/live.ts';
import { hasRole, useSession } from '../lib/auth.ts';
import { useSuppliers } from '../lib/suppliers.ts';
import { ActivityFeed } from '../widgets/ActivityFeed.tsx';
import { AlertsLog } from './Activity.alerts.tsx';
import { EventsCard } from './Activity.events.tsx';

export const AuditLogDoc = graphql(`
  query AuditLog($filter: AuditLogFilter, $first: Int!, $after: String) {
    auditLog(filter: $filter, first: $first, after: $after) {
      nodes { id cursor at userId plugin action entityType entityId supplierId correlationId metadata }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const AuditFacetsDoc = graphql(`
  query AuditFacets {
    auditLogFacets { plugins actions entityTypes }
  }
`);

type Entry = AuditLogQuery['auditLog']['nodes'][number];
type Meta = Record<string, unknown>;
const PAGE = 25;

function tone(action: string): 'ok' | 'critical' | 'info' | 'neutral' | 'accent' {
  if (/approve/i.test(action)) return 'ok';
  if (/dismiss|delete/i.test(action)) return 'critical';
  if (/settings|threshold|goal/i.test(action)) return 'accent';
  if (/ack/i.test(action)) return 'neutral';
  return 'info';
}

/** What the entry is about, in words, from its metadata where the plugin recorded a title or name. */
function subject(e: Entry, supplierName: string | undefined): string {
  const m = (e.metadata ?? {}) as Meta;
  const label = (m.title ?? m.name ?? (m.after as Meta | undefined)?.name ?? m.url) as string | undefined;
  const base =
    label ??
    (e.entityType ? `${e.entityType.replace(/_/g, ' ')}${e.entityId ? ` ${e.entityId.slice(0, 8)}` : ''}` : '—');
  return supplierName && supplierName !== base && e.entityType !== 'supplier' ? `${base} · ${supplierName}` : base;
}

/** A short human detail: the reason when one was given, else the scalar metadata fields. */
function detail(e: Entry): string {
  const m = (e.metadata ?? {}) as Meta;
  if (typeof m.reason === 'string' && m.reason) return `Reason: ${m.reason}`;
  return Object.entries(m)
    .filter(
      ([k, v]) =>
        !['title', 'name', 'supplierId', 'hotspotId'].includes(k) &&
        v !== null &&
        ['string', 'number', 'boolean'].includes(typeof v),
    )
    .slice(0, 4)
    .map(([k, v]) => `${k}: ${typeof v === 'number' ? Math.round(v * 100) / 100 : v}`)
    .join(' · ');
}

function AuditLogCard() {
  const session = useSession();
  const allowed = hasRole(session, 'analyst+');
  const suppliers = useSuppliers();
  const [plugin, setPlugin] = useState('');
  const [action, setAction] = useState('');
  const [entityType, setEntityType] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [loadingMore, setLoadingMore] = useState(false);
  const rangeError = from && to && from > to ? 'The “to” day must not be before the “from” day.' : null;
  const filter = {
    plugin: plugin || null,
    action: action || null,
    entityType: entityType || null,
    from: from ? new Date(`${from}T00:00:00`).toISOString() : null,
    // "to" is a whole day: entries before the next midnight.
    to: to ? new Date(new Date(`${to}T00:00:00`).getTime() + 86_400_000).toISOString() : null,
  };
  const facets = useQuery(AuditFacetsDoc, { skip: !allowed, fetchPolicy: 'cache-and-network' });
  const q = useQuery(AuditLogDoc, {
    variables: { filter, first: PAGE },
    skip: !allowed || !!rangeError,
    fetchPolicy: 'cache-and-network',
    notifyOnNetworkStatusChange: false,
  });
  useLive(
    ['recommendation', 'alert', 'hotspot'],
    () => {
      if (allowed) void q.refetch();
    },
    1000,
  );
  const rows = q.data?.auditLog.nodes ?? [];
  const f = facets.data?.auditLogFacets;
  const filtered = !!(plugin || action || entityType || from || to);

  if (!allowed)
    return (
      <Card
        title="Audit log"
        subtitle="Every user action recorded by the plugins"
        testId="audit-card"
        className="span-2"
      >
        <EmptyState icon="shield" title="Analyst, approver or admin role needed">
          Sign in as <strong>analyst</strong>, <strong>approver</strong> or <strong>admin</strong> to read the audit
          log.
        </EmptyState>
      </Card>
    );

  return (
    <Card
      title="Audit log"
      subtitle="Every user action recorded by the plugins, newest first"
      live
      testId="audit-card"
      className="span-2"
    >
      <form className="filters" aria-label="Audit log filters" onSubmit={(e) => e.preventDefault()}>
        <label className="field">
          <span>Plugin</span>
          <select
            className="input"
            value={plugin}
            onChange={(e) => setPlugin(e.target.value)}
            data-testid="audit-filter-plugin"
          >
            <option value="">All</option>
            {f?.plugins.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Action</span>
          <select
            className="input"
            value={action}
            onChange={(e) => setAction(e.target.value)}
            data-testid="audit-filter-action"
          >
            <option value="">All</option>
            {f?.actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Entity</span>
          <select className="input" value={entityType} onChange={(e) => setEntityType(e.target.value)}>
            <option value="">All</option>
            {f?.entityTypes.map((t) => (
              <option key={t} value={t}>
                {t.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>From</span>
          <input
            className="input"
            type="date"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            aria-invalid={!!rangeError}
          />
        </label>
        <label className="field">
          <span>To</span>
          <input
            className="input"
            type="date"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            aria-invalid={!!rangeError}
          />
        </label>
        {filtered && (
          <button
            type="button"
            className="btn btn--ghost btn--sm filters__clear"
            onClick={() => (setPlugin(''), setAction(''), setEntityType(''), setFrom(''), setTo(''))}
          >
            Clear filters
          </button>
        )}
      </form>
      {rangeError && (
        <p className="error-text" role="alert">
          {rangeError}
        </p>
      )}
      <Async
        loading={q.loading}
        error={q.error}
        empty={!rows.length}
        emptyTitle={filtered ? 'No entries match these filters' : 'No audit entries yet'}
        emptyHint={
          filtered
            ? 'Widen the filters or clear them.'
            : 'Approvals, acknowledgements, goal and settings changes appear here.'
        }
        retry={() => q.refetch()}
        skeleton={<Skeleton lines={6} />}
      >
        {() => (
          <>
            <table className="table" aria-label="Audit log">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Who</th>
                  <th>Action</th>
                  <th>Subject</th>
                  <th>Detail</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => (
                  <tr key={e.id} data-testid="audit-entry" data-action={e.action}>
                    <td title={e.at}>
                      {time(e.at)} <span className="muted small">· {ago(e.at)}</span>
                    </td>
                    <td>{e.userId ?? <span className="muted">system</span>}</td>
                    <td>
                      <Chip
                        tone={tone(e.action)}
                        title={`plugin ${e.plugin}${e.correlationId ? ` · correlation ${e.correlationId}` : ''}`}
                      >
                        {e.action}
                      </Chip>
                    </td>
                    <td>{subject(e, e.supplierId ? suppliers.byId.get(e.supplierId)?.name : undefined)}</td>
                    <td className="muted small">{detail(e)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="form__actions">
              {q.data?.auditLog.pageInfo.hasNextPage ? (
                <button
                  type="button"
                  className="btn btn--ghost btn--sm"
                  data-testid="audit-more"
                  disabled={loadingMore}
                  onClick={async () => {
                    setLoadingMore(true);
                    try {
                      await q.fetchMore({
                        variables: { after: q.data!.auditLog.pageInfo.endCursor },
                        updateQuery: (prev, { fetchMoreResult }) => ({
                          auditLog: {
                            ...fetchMoreResult.auditLog,
                            nodes: [...prev.auditLog.nodes, ...fetchMoreResult.auditLog.nodes],
                          },
                        }),
                      });
                    } finally {
                      setLoadingMore(false);
                    }
                  }}
                >
                  {loadingMore ? 'Loading…' : 'Load older entries'}
                </button>
              ) : (
                <span className="muted small">
                  {rows.length} {rows.length === 1 ? 'entry' : 'entries'} · end of the log
                </span>
              )}
            </div>
          </>
        )}
      </Async>
    </Card>
  );
}

export function ActivityPage() {
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Activity &amp; audit</h1>
          <p className="page-head__sub">Who did what, and the latest events flowing in</p>
        </div>
      </div>
      <div className="grid grid--wide">
        <AuditLogCard />
        <EventsCard />
        <ActivityFeed first={12} title="Latest events" />
        <AlertsLog />
      </div>
    </>
  );
}
