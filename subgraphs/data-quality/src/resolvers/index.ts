import { requireAuth } from '@carbon-nexus/plugin-sdk';
import type { Resolvers } from '../generated/resolvers-types.ts';
import { getThresholds } from '../store.ts';
import { svc } from './common.ts';
import { supplierResolvers, windowQueries } from './windows.ts';
import { badge, pact, panel, panelResolvers } from './indicators.ts';
import { mutations } from './mutations.ts';

export const resolvers: Resolvers = {
  Query: {
    dataQualityWindows: windowQueries.dataQualityWindows,
    supplierCadence: windowQueries.supplierCadence,
    dataQualityBadge: badge,
    dataQualityPanel: panel,
    pactIndicators: pact,
    async outlierThresholds(_p, _a, ctx) {
      requireAuth(ctx.auth);
      return getThresholds(svc(ctx).db, svc(ctx).config);
    },
  },
  Mutation: {
    runDataQuality: mutations.runDataQuality,
    setExpectedCadence: mutations.setExpectedCadence,
    setOutlierThresholds: mutations.setOutlierThresholds,
  },
  Supplier: supplierResolvers,
  DataQualityPanel: panelResolvers,
};
