// Activity & audit: user decisions the graph exposes (recommendation status history, alert acknowledgements) and
// the latest ingested events. The graph has no audit_logs query yet, so this is assembled from those fields.
import { useMemo } from 'react';
import { useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Card, Async, Chip, Skeleton } from '../ui/ui.tsx';
import { ago, time } from '../lib/format.ts';
import { useLive } from '../lib/live.ts';
import { ActivityFeed } from '../widgets/ActivityFeed.tsx';
import { AlertsLog } from './Activity.alerts.tsx';

export const AuditTrailQuery = graphql(`
  query AuditTrail {
    recommendations(status: null, first: 100) {
      nodes { id title history { at by status reason } hotspot { id entityName } }
    }
    alerts(acknowledged: true, first: 50) {
      nodes { id message level acknowledgedAt acknowledgedBy }
    }
  }
`);

interface Entry {
  at: string;
  who: string;
  action: string;
  tone: 'ok' | 'critical' | 'info' | 'neutral';
  subject: string;
  detail?: string | null;
}

export function ActivityPage() {
  const { data, loading, error, refetch } = useQuery(AuditTrailQuery, { fetchPolicy: 'cache-and-network' });
  useLive(['recommendation', 'alert', 'hotspot'], () => void refetch(), 1000);
  const entries = useMemo(() => {
    const out: Entry[] = [];
    for (const r of data?.recommendations.nodes ?? [])
      for (const h of r.history)
        if (h.status !== 'OPEN')
          out.push({ at: h.at, who: h.by, action: h.status === 'APPROVED' ? 'approved' : 'dismissed', tone: h.status === 'APPROVED' ? 'ok' : 'critical', subject: r.title, detail: h.reason });
        else out.push({ at: h.at, who: h.by, action: 'proposed', tone: 'info', subject: r.title, detail: r.hotspot.entityName ? `for ${r.hotspot.entityName}` : null });
    for (const a of data?.alerts.nodes ?? [])
      if (a.acknowledgedAt) out.push({ at: a.acknowledgedAt, who: a.acknowledgedBy ?? 'unknown', action: 'acknowledged', tone: 'neutral', subject: a.message });
    return out.sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, 100);
  }, [data]);

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Activity &amp; audit</h1>
          <p className="page-head__sub">Who decided what, and the latest events flowing in</p>
        </div>
      </div>
      <div className="grid grid--wide">
        <Card title="Decisions and acknowledgements" subtitle="From recommendation status history and acknowledged alerts" live testId="audit-card" className="span-2">
          <Async loading={loading} error={error} empty={!entries.length} emptyTitle="No decisions yet" emptyHint="Approvals, dismissals and acknowledgements appear here." retry={() => refetch()} skeleton={<Skeleton lines={6} />}>
            {() => (
              <table className="table" aria-label="Audit trail">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Who</th>
                    <th>Action</th>
                    <th>Subject</th>
                    <th>Reason / detail</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e, i) => (
                    <tr key={i} data-testid="audit-entry">
                      <td title={e.at}>
                        {time(e.at)} <span className="muted small">· {ago(e.at)}</span>
                      </td>
                      <td>{e.who}</td>
                      <td>
                        <Chip tone={e.tone}>{e.action}</Chip>
                      </td>
                      <td>{e.subject}</td>
                      <td className="muted">{e.detail ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Async>
        </Card>
        <ActivityFeed first={12} title="Latest events" />
        <AlertsLog />
      </div>
    </>
  );
}
