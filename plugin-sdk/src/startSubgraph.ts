// Runs one plugin as its own HTTP subgraph: GraphQL (Apollo Server + @apollo/subgraph), graphql-ws
// subscriptions, the plugin's own routes, /healthz, /readyz, /metrics. close() drains: no new connections and
// /readyz 503, in-flight requests answered, subscriptions closed with 1001, running jobs finished, plugins stopped.
import type { FastifyInstance } from 'fastify';
import type { AnyPlugin } from './plugin.ts';
import { createHost, type Host, type HostOptions } from './host/host.ts';
import { attachPluginSubscriptions } from './http/subscriptions.ts';
import { startTracing } from './services/tracing.ts';
import { createSubgraphApp } from './http/subgraph-app.ts';

export interface SubgraphServer {
  url: string;
  port: number;
  host: Host;
  app: FastifyInstance;
  close(): Promise<void>;
}

export interface StartSubgraphOptions extends Omit<HostOptions, 'plugins' | 'mode'> {
  port?: number;
  hostname?: string;
  /** Other plugins to run in the same process (rare; default none). */
  with?: AnyPlugin[];
}

export async function startSubgraph(plugin: AnyPlugin, opts: StartSubgraphOptions = {}): Promise<SubgraphServer> {
  const env = opts.env ?? process.env;
  const tracing = await startTracing(env, `carbon-nexus-${plugin.id}`);
  const host = createHost({ ...opts, plugins: [plugin, ...(opts.with ?? [])], mode: 'standalone' });
  await host.start();
  const rp = host.plugins.get(plugin.id)!;
  const { app, apollo, drain, verify } = await createSubgraphApp(host, rp, env);
  const port = opts.port ?? Number(env.PORT ?? 0);
  await app.listen({ port, host: opts.hostname ?? env.HOST ?? '127.0.0.1' });
  const subs = attachPluginSubscriptions(app.server, '/graphql', rp, verify);
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${opts.hostname ?? '127.0.0.1'}:${actualPort}/graphql`;
  host.logger.info({ plugin: plugin.id, url }, 'subgraph listening');
  let closing: Promise<void> | null = null;
  return {
    url,
    port: actualPort,
    host,
    app,
    close() {
      closing ??= (async () => {
        drain.begin(); // no new connections; /readyz 503
        await subs.close(); // graphql-ws clients (the gateway) get 1001 "going away"
        await drain.settle({ maxMs: Number(env.SHUTDOWN_GRACE_MS ?? 10_000) }); // in-flight requests answered
        await app.close(); // closes what is left once its requests are done
        await apollo.stop();
        await host.stop(); // running jobs finish, plugins drain, outbox, bus, database
        await tracing.stop();
        host.logger.info({ plugin: plugin.id }, 'subgraph stopped');
      })();
      return closing;
    },
  };
}
