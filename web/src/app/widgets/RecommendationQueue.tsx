// Open recommendations (best first): the diagnosed cause, the diagnosis, kg CO2e avoided and how it was bounded,
// cost, feasibility, source; one-click approve or dismiss (with a reason) for approvers — for other roles the buttons
// stay visible, disabled, with a tooltip — and Simulate, which runs the recommendation's own what-if input.
import { useState } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Card, Async, PartialError, Skeleton } from '../ui/ui.tsx';
import { useLive } from '../lib/live.ts';
import { hasRole, useSession } from '../lib/auth.ts';
import { pushToast } from '../lib/toasts.ts';
import { RecommendationCard } from './RecommendationCard.tsx';

export const OpenRecommendationsQuery = graphql(`
  query OpenRecommendations {
    recommendations(status: OPEN, first: 3) {
      totalCount
      nodes {
        id title body rootCause co2ImpactKg costEstimate costLevel feasibilityScore confidence source sourceRef status rank createdAt
        cause impactBound simulation diagnosis evidence
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

export function RecommendationQueue() {
  // errorPolicy all: recommendations still show while orchestration or data-core (hotspot, supplier) is unreachable.
  const { data, loading, error, refetch } = useQuery(OpenRecommendationsQuery, { errorPolicy: 'all' });
  useLive(['recommendation'], () => void refetch(), 800);
  const session = useSession();
  const canDecide = hasRole(session, 'approver');
  const [approve] = useMutation(Approve);
  const [dismiss] = useMutation(Dismiss);
  const [busy, setBusy] = useState<string | null>(null);
  const nodes = data?.recommendations.nodes ?? [];

  const act = async (id: string, title: string, kind: 'approve' | 'dismiss', reason?: string) => {
    setBusy(id);
    try {
      if (kind === 'approve') await approve({ variables: { id } });
      else await dismiss({ variables: { id, reason: reason! } });
      pushToast(
        { tone: 'ok', title: kind === 'approve' ? 'Recommendation approved' : 'Recommendation dismissed', body: title },
        4000,
      );
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
      <Async
        loading={loading}
        error={error}
        empty={!nodes.length}
        emptyTitle="Queue is empty"
        emptyHint="Recommendations appear here when a hotspot is detected."
        retry={() => refetch()}
        skeleton={<Skeleton lines={5} />}
      >
        {() => (
          <>
            <ul className="recs" aria-label="Open recommendations">
              {nodes.map((r) => (
                <RecommendationCard
                  key={r.id}
                  r={r}
                  canDecide={canDecide}
                  busy={busy === r.id}
                  onApprove={() => void act(r.id, r.title, 'approve')}
                  onDismiss={(reason) => void act(r.id, r.title, 'dismiss', reason)}
                />
              ))}
            </ul>
            <PartialError error={error} what="Part of these recommendations (hotspot or supplier)" />
          </>
        )}
      </Async>
    </Card>
  );
}
