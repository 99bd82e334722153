// One place for the dashboard's subscriptions: each event updates the Apollo cache (pulse written into its query;
// hotspots, alerts and recommendations are normalized by id) and signals widgets that aggregate to refetch.
import { useApolloClient, useSubscription } from '@apollo/client';
import { graphql } from '../gql';
import { PulseQuery } from './widgets/EmissionPulseCard.tsx';
import { emitLive } from './lib/live.ts';
import { pushToast } from './lib/toasts.ts';
import { severityTone } from './ui/ui.tsx';

const PulseLive = graphql(`
  subscription PulseLive {
    emissionPulse { kgPerHour previousKgPerHour trend at pendingCount byCategory { category co2eKg } }
  }
`);

const HotspotLive = graphql(`
  subscription HotspotLive {
    hotspotDetected(minSeverity: INFO) {
      at
      change
      hotspot { id entityName entityType percentAbove severity status predictedKg baselineKg eventCount baselineSpreadKg excessSigmas windowStart windowEnd updatedAt }
    }
  }
`);

const AlertLive = graphql(`
  subscription AlertLive {
    alertRaised(minLevel: INFO) {
      id cursor level message createdAt acknowledgedAt acknowledgedBy
      hotspot { id severity status percentAbove }
    }
  }
`);

const RecommendationCreatedLive = graphql(`
  subscription RecommendationCreatedLive {
    recommendationCreated { id title status co2ImpactKg updatedAt }
  }
`);

const RecommendationUpdatedLive = graphql(`
  subscription RecommendationUpdatedLive {
    recommendationUpdated { id title status co2ImpactKg updatedAt history { at by status reason } }
  }
`);

export function LiveBridge() {
  const client = useApolloClient();
  useSubscription(PulseLive, {
    onData: ({ data }) => {
      const p = data.data?.emissionPulse;
      if (!p) return;
      client.writeQuery({ query: PulseQuery, data: { emissionPulse: p } });
      emitLive('pulse', p);
    },
  });
  useSubscription(HotspotLive, { onData: ({ data }) => data.data && emitLive('hotspot', data.data.hotspotDetected) });
  useSubscription(AlertLive, {
    onData: ({ data }) => {
      const a = data.data?.alertRaised;
      if (!a) return;
      emitLive('alert', a);
      pushToast({
        tone: severityTone(a.level),
        title: `${a.level === 'CRITICAL' ? 'Critical' : a.level === 'WARN' ? 'Warning' : 'Info'} alert`,
        body: a.message,
      });
    },
  });
  useSubscription(RecommendationCreatedLive, {
    onData: ({ data }) => {
      const r = data.data?.recommendationCreated;
      if (!r) return;
      emitLive('recommendation', r);
      pushToast({ tone: 'info', title: 'New recommendation', body: r.title }, 6000);
    },
  });
  useSubscription(RecommendationUpdatedLive, {
    onData: ({ data }) => data.data && emitLive('recommendation', data.data.recommendationUpdated),
  });
  return null;
}
