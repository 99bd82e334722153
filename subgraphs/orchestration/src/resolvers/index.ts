import type { ResolverContext } from '@carbon-nexus/plugin-sdk';
import * as Query from './queries.ts';
import * as Mutation from './mutations.ts';
import { entityResolvers } from './entities.ts';
import { goalMutations, goalQueries } from './goals.ts';
import { settingsMutations, settingsQueries } from './hotspot-settings.ts';
import { alertStream, hotspotStream } from '../alerts/stream.ts';

export const resolvers = {
  Query: { ...Query, ...goalQueries, ...settingsQueries },
  Mutation: { ...Mutation, ...goalMutations, ...settingsMutations },
  Subscription: {
    hotspotDetected: {
      subscribe: (_: unknown, args: { minSeverity?: string | null; supplierIds?: string[] | null }, ctx: ResolverContext) => hotspotStream(ctx, args),
      resolve: (event: unknown) => event,
    },
    alertRaised: {
      subscribe: (_: unknown, args: { minLevel?: string | null; supplierIds?: string[] | null; after?: string | null }, ctx: ResolverContext) =>
        alertStream(ctx, args),
      resolve: (alert: unknown) => alert,
    },
  },
  ...entityResolvers,
};
