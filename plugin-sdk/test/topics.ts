// Topics for the SDK's own tests. The SDK imports no plugin, so its tests declare their producers' topics here, the
// same way a plugin's client module does (the wire names are the platform's, so transports see familiar traffic).
import { topicsOf } from '@carbon-nexus/plugin-sdk';

const topic = topicsOf('sdk-test');

export type TestAlert = {
  id: string;
  seq: string;
  hotspotId: string;
  level: string;
  supplierId: string | null;
};
export const alertRaised = topic<TestAlert>('alert.raised');

export type TestRecommendation = {
  id: string;
  hotspotId: string;
  supplierId: string | null;
};
export const recommendationCreated = topic<TestRecommendation>('recommendation.created');

export type TestHotspotChange = {
  id: string;
  change: string;
  severity: string;
  supplierId: string | null;
  entityType: string;
  entityId: string;
};
export const hotspotChanged = topic<TestHotspotChange>('hotspot.changed');
