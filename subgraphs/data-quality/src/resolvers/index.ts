import type { Resolvers } from '../generated/resolvers-types.ts';
import { getThresholds } from '../store.ts';
import { requireAuth, svc } from './common.ts';
import { supplierResolvers, windowQueries } from './windows.ts';
import { badge, pact, panel, panelResolvers } from './indicators.ts';
import { mutations } from './mutations.ts';

export const resolvers: Resolvers = {
  Query: {
    dataQualityWindows: windowQueries.dataQualityWindows as any,
    supplierCadence: windowQueries.supplierCadence as any,
    dataQualityBadge: badge as any,
    dataQualityPanel: panel as any,
    pactIndicators: pact as any,
    async outlierThresholds(_p, _a, ctx) {
      requireAuth(ctx);
      return getThresholds(svc(ctx).db, svc(ctx).config);
    },
  },
  Mutation: {
    runDataQuality: mutations.runDataQuality as any,
    setExpectedCadence: mutations.setExpectedCadence as any,
    setOutlierThresholds: mutations.setOutlierThresholds as any,
  },
  Supplier: supplierResolvers as any,
  DataQualityPanel: panelResolvers as any,
};
