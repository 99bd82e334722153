// A plugin's own HTTP routes, registered in an encapsulated Fastify context (with the plugin's routePrefix): hooks,
// decorators and content-type parsers a plugin adds stay inside it and never touch /graphql or other plugins' routes.
// The same registration serves a standalone subgraph, the embedded gateway and the testkit's inject().
import type { FastifyInstance } from 'fastify';
import type { RunningPlugin } from '../host/host.ts';

export async function registerPluginRoutes(app: FastifyInstance, rp: RunningPlugin): Promise<void> {
  const routes = rp.plugin.routes;
  if (!routes) return;
  await app.register(
    async (scope) => {
      await routes(scope, rp.services, rp.state);
    },
    { prefix: rp.plugin.routePrefix ?? '' },
  );
}
