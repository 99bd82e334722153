import type { Resolvers } from '../generated/resolvers-types.ts';
import { queries } from './queries.ts';
import { mutations } from './mutations.ts';
import { entityResolvers } from './entities.ts';
import { goalMutations, goalQueries } from './goals.ts';
import { settingsMutations, settingsQueries } from './hotspot-settings.ts';
import { subscriptions } from './subscriptions.ts';

export const resolvers: Resolvers = {
  Query: { ...queries, ...goalQueries, ...settingsQueries },
  Mutation: { ...mutations, ...goalMutations, ...settingsMutations },
  Subscription: subscriptions,
  ...entityResolvers,
};
