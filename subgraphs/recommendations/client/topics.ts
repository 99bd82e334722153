// recommendations' bus topics.
import { topicsOf } from '@carbon-nexus/plugin-sdk/contract';

const topic = topicsOf('recommendations');

export type RecommendationCreated = {
  id: string;
  hotspotId: string;
  supplierId: string | null;
};
export const recommendationCreated = topic<RecommendationCreated>('recommendation.created');

export type RecommendationUpdated = {
  id: string;
  hotspotId: string;
  status: string;
  supplierId: string | null;
};
export const recommendationUpdated = topic<RecommendationUpdated>('recommendation.updated');
