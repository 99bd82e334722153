// Open recommendations (best first): kg CO2e impact, cost, feasibility, source; one-click approve or dismiss
// (with a reason) for approvers — for other roles the buttons stay visible, disabled, with a tooltip.
import { useState } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Card, Async, Chip, GuardedButton, Icon, Skeleton } from '../ui/ui.tsx';
import { kg, pct, titleCase } from '../lib/format.ts';
import { useLive } from '../lib/live.ts';
import { hasRole, useSession } from '../lib/auth.ts';
import { pushToast } from '../lib/toasts.ts';

export const OpenRecommendationsQuery = graphql(`
  query OpenRecommendations {
    recommendations(status: OPEN, first: 3) {
      totalCount
      nodes {
        id title body rootCause co2ImpactKg costEstimate costLevel feasibilityScore confidence source sourceRef status rank createdAt
        hotspot { id entityName severity percentAbove }
        supplier { id name }
      }
    }
  }
`);

const Approve = graphql(`
  mutation ApproveRecommendation($id: ID!, $reason: String) {
    approveRecommendation(id: $id, reason: $reason) { id status updatedAt history { at by status reason } }
  }
`);

const Dismiss = graphql(`
  mutation DismissRecommendation($id: ID!, $reason: String!) {
    dismissRecommendation(id: $id, reason: $reason) { id status updatedAt history { at by status reason } }
  }
`);

function Meter({ value, label }: { value: number | null | undefined; label: string }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  return (
    <span className="meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(value * 100)} aria-label={label}>
      <span className="meter__bar" style={{ width: `${Math.round(value * 100)}%` }} />
    </span>
  );
}

export function RecommendationQueue() {
  const { data, loading, error, refetch } = useQuery(OpenRecommendationsQuery);
  useLive(['recommendation'], () => void refetch(), 800);
  const session = useSession();
  const canDecide = hasRole(session, 'approver');
  const [approve] = useMutation(Approve);
  const [dismiss] = useMutation(Dismiss);
  const [dismissing, setDismissing] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const nodes = data?.recommendations.nodes ?? [];
  const why = 'Approving and dismissing need the approver role (sign in as approver)';

  const act = async (id: string, title: string, kind: 'approve' | 'dismiss') => {
    setBusy(id);
    try {
      if (kind === 'approve') await approve({ variables: { id } });
      else await dismiss({ variables: { id, reason: reason.trim() } });
      pushToast({ tone: 'ok', title: kind === 'approve' ? 'Recommendation approved' : 'Recommendation dismissed', body: title }, 4000);
      setDismissing(null);
      setReason('');
      await refetch();
    } catch (e) {
      pushToast({ tone: 'critical', title: `Could not ${kind}`, body: (e as Error).message });
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card
      title="Recommendation queue"
      subtitle={data ? `${data.recommendations.totalCount} open · best first` : 'Open recommendations, best first'}
      live
      testId="recommendations-card"
      className="span-3"
    >
      <Async loading={loading} error={error} empty={!nodes.length} emptyTitle="Queue is empty" emptyHint="Recommendations appear here when a hotspot is detected." retry={() => refetch()} skeleton={<Skeleton lines={5} />}>
        {() => (
          <ul className="recs" aria-label="Open recommendations">
            {nodes.map((r) => (
              <li key={r.id} className="rec" data-testid="recommendation-card">
                <div className="rec__head">
                  <h3 className="rec__title">{r.title}</h3>
                  <Chip tone="accent" title={r.sourceRef ?? undefined}>{r.source.toLowerCase()}</Chip>
                </div>
                <p className="rec__for">
                  {/* hotspot is null while orchestration is unreachable: the recommendation still shows */}
                  {r.hotspot?.entityName ?? r.supplier?.name ?? 'Hotspot'}
                  {r.hotspot ? ` · +${pct(r.hotspot.percentAbove)} above baseline` : ''}
                </p>
                <p className="rec__body">{r.rootCause ?? r.body}</p>
                <dl className="rec__facts">
                  <div>
                    <dt>CO2e impact</dt>
                    <dd className="rec__impact">−{kg(r.co2ImpactKg)}</dd>
                  </div>
                  <div>
                    <dt>Cost</dt>
                    <dd>{r.costLevel ? titleCase(r.costLevel) : r.costEstimate !== null && r.costEstimate !== undefined ? `${r.costEstimate}/10` : '—'}</dd>
                  </div>
                  <div>
                    <dt>Feasibility</dt>
                    <dd>
                      <Meter value={r.feasibilityScore} label={`Feasibility ${pct((r.feasibilityScore ?? 0) * 100)}`} />
                    </dd>
                  </div>
                  <div>
                    <dt>Confidence</dt>
                    <dd>{r.confidence !== null && r.confidence !== undefined ? pct(r.confidence * 100) : '—'}</dd>
                  </div>
                </dl>
                {dismissing === r.id ? (
                  <form
                    className="rec__dismiss"
                    onSubmit={(e) => {
                      e.preventDefault();
                      if (reason.trim()) void act(r.id, r.title, 'dismiss');
                    }}
                  >
                    <label className="sr-only" htmlFor={`reason-${r.id}`}>
                      Reason for dismissing
                    </label>
                    <input
                      id={`reason-${r.id}`}
                      className="input"
                      placeholder="Why dismiss? (required)"
                      value={reason}
                      onChange={(e) => setReason(e.target.value)}
                      autoFocus
                    />
                    <button className="btn btn--danger btn--sm" type="submit" disabled={!reason.trim() || busy === r.id}>
                      Dismiss
                    </button>
                    <button className="btn btn--ghost btn--sm" type="button" onClick={() => setDismissing(null)}>
                      Cancel
                    </button>
                  </form>
                ) : (
                  <div className="rec__actions">
                    <GuardedButton allowed={canDecide} reason={why} label={`Approve ${r.title}`} className="btn btn--primary btn--sm" busy={busy === r.id} onClick={() => void act(r.id, r.title, 'approve')}>
                      <Icon name="check" size={14} /> Approve
                    </GuardedButton>
                    <GuardedButton allowed={canDecide} reason={why} label={`Dismiss ${r.title}`} className="btn btn--ghost btn--sm" onClick={() => setDismissing(r.id)}>
                      <Icon name="x" size={14} /> Dismiss
                    </GuardedButton>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </Async>
    </Card>
  );
}
