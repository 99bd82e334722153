// Ranked hotspots (orchestration): % above baseline, severity chip, the evidence in a sentence ("14 events, 3.1× the
// usual for Tuesday 10:00–11:00 (±12 %)") with the details on demand, quick actions — acknowledge the latest alert,
// simulate (opens the what-if modal on the hotspot's window).
import { useState } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Card, Async, Chip, GuardedButton, Icon, severityTone, Skeleton } from '../ui/ui.tsx';
import { ago, kg, pct, titleCase } from '../lib/format.ts';
import { hotspotEvidenceText, sigmaText } from '../lib/evidence.ts';
import { HotspotEvidence } from './HotspotEvidence.tsx';
import { useLive } from '../lib/live.ts';
import { useDashboard } from '../lib/dashboard.ts';
import { hasRole, useSession } from '../lib/auth.ts';
import { pushToast } from '../lib/toasts.ts';

export const HotspotsQuery = graphql(`
  query Hotspots {
    hotspots(first: 8) {
      totalCount
      nodes {
        id entityType entityId entityName percentAbove predictedKg baselineKg severity status detectedAt updatedAt
        eventCount baselineSpreadKg excessSigmas windowStart windowEnd
        supplier { id name category }
        alerts { id level message createdAt acknowledgedAt acknowledgedBy }
      }
    }
  }
`);

const AcknowledgeAlert = graphql(`
  mutation AcknowledgeAlert($id: ID!) {
    acknowledgeAlert(id: $id) { id acknowledgedAt acknowledgedBy hotspot { id status } }
  }
`);

export function HotspotList() {
  const { data, loading, error, refetch } = useQuery(HotspotsQuery);
  useLive(['hotspot', 'alert'], () => void refetch(), 800);
  const session = useSession();
  const canAck = hasRole(session, 'analyst+');
  const { openWhatIf } = useDashboard();
  const [ack, ackState] = useMutation(AcknowledgeAlert);
  const [busy, setBusy] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<string | null>(null);
  const nodes = data?.hotspots.nodes ?? [];

  return (
    <Card title="Hotspots" subtitle="Ranked by severity, then % above baseline" live testId="hotspots-card">
      <Async
        loading={loading}
        error={error}
        empty={!nodes.length}
        emptyTitle="No open hotspots"
        emptyHint="Emissions are within their baselines."
        retry={() => refetch()}
        skeleton={<Skeleton lines={4} />}
      >
        {() => (
          <ol className="list" aria-label="Hotspots">
            {nodes.map((h, i) => {
              const open = h.alerts.filter((a) => !a.acknowledgedAt);
              const latest = open[open.length - 1];
              const name = h.entityName ?? h.supplier?.name ?? `${titleCase(h.entityType)} ${h.entityId}`;
              return (
                <li key={h.id} className="list__item hotspot" data-testid="hotspot-item">
                  <span className={`rank rank--${severityTone(h.severity)}`} aria-hidden="true">
                    {i + 1}
                  </span>
                  <div className="list__main">
                    <div className="list__title">
                      <strong>{name}</strong>
                      <Chip tone={severityTone(h.severity)}>{h.severity.toLowerCase()}</Chip>
                      {h.status === 'ACKNOWLEDGED' && <Chip tone="neutral">acknowledged</Chip>}
                    </div>
                    <div className="list__meta">
                      <span className="hot-pct" data-testid="hotspot-pct">
                        +{pct(h.percentAbove)} above baseline
                      </span>
                      <span>
                        {kg(h.predictedKg)} vs {kg(h.baselineKg)} CO2e
                      </span>
                      <span>{ago(h.updatedAt)}</span>
                    </div>
                    <p className="list__evidence" data-testid="hotspot-evidence" title={sigmaText(h) ?? undefined}>
                      {hotspotEvidenceText(h)}
                    </p>
                    {latest && <p className="list__note">{latest.message}</p>}
                    {expanded === h.id && <HotspotEvidence h={h} />}
                  </div>
                  <div className="list__actions">
                    <button
                      type="button"
                      className="btn btn--ghost btn--sm"
                      aria-expanded={expanded === h.id}
                      aria-label={`Evidence for ${name}`}
                      data-testid="hotspot-details"
                      onClick={() => setExpanded(expanded === h.id ? null : h.id)}
                    >
                      {expanded === h.id ? 'Hide evidence' : 'Evidence'}
                    </button>
                    {latest && (
                      <GuardedButton
                        allowed={canAck}
                        reason="Acknowledging needs the analyst, approver or admin role"
                        label={`Acknowledge alert for ${name}`}
                        className="btn btn--ghost btn--sm"
                        busy={busy === latest.id}
                        onClick={async () => {
                          setBusy(latest.id);
                          try {
                            await ack({ variables: { id: latest.id } });
                            pushToast({ tone: 'ok', title: 'Alert acknowledged', body: name }, 4000);
                            await refetch();
                          } catch (e) {
                            pushToast({ tone: 'critical', title: 'Could not acknowledge', body: (e as Error).message });
                          } finally {
                            setBusy(null);
                          }
                        }}
                      >
                        <Icon name="check" size={14} /> Ack
                      </GuardedButton>
                    )}
                    <button
                      type="button"
                      className="btn btn--ghost btn--sm"
                      aria-label={`Simulate changes for ${name}`}
                      onClick={() =>
                        openWhatIf({
                          supplierId: h.supplier?.id ?? null,
                          supplierName: h.supplier?.name ?? null,
                          hotspotId: h.id,
                        })
                      }
                    >
                      <Icon name="flask" size={14} /> Simulate
                    </button>
                  </div>
                </li>
              );
            })}
          </ol>
        )}
      </Async>
      {ackState.error && <span className="sr-only">{ackState.error.message}</span>}
    </Card>
  );
}
