import { z } from 'zod';
import { definePlugin, env, loadTypeDefs } from '@carbon-nexus/plugin-sdk';
import { resolvers } from './resolvers/index.ts';
import { seedFactors } from './domain/factors.ts';
import { createState, type DataCoreState } from './state.ts';
import { registerRoutes } from './ingest/routes.ts';
import { commands } from './cli/commands.ts';

export default definePlugin<DataCoreState, z.ZodObject<any>>({
  id: 'data-core',
  description: 'Ingestion (CSV, event, batch, WebSocket stream), normalization, suppliers, emission factors, imports',
  config: z.object({
    /** Seconds to wait for running CSV imports on shutdown. */
    DATA_CORE_DRAIN_SECONDS: env.number(30),
  }),
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  async init(services) {
    const added = await seedFactors(services.db);
    if (added) services.logger.info({ added }, 'emission factors seeded');
    return createState(services);
  },
  routes: (app, services, state) => registerRoutes(app, services, state),
  commands,
  async stop(state, services) {
    state.stopping = true;
    for (const close of state.closers) close();
    const drain = Promise.allSettled([...state.inflight]);
    const limit = Number(services.config?.DATA_CORE_DRAIN_SECONDS ?? 30) * 1000;
    await Promise.race([drain, new Promise((r) => setTimeout(r, limit).unref())]);
    state.pulse.stop();
  },
});
