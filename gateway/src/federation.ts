// The federation core: @apollo/gateway over the supergraph (plugins in this process answered in-process, the others
// over HTTP) and the Apollo Server that executes on it, with the gateway's limits and operation metrics.
import { ApolloServer } from '@apollo/server';
import { ApolloGateway } from '@apollo/gateway';
import {
  boundedLabel,
  exposeErrorStacks,
  formatErrorPolicy,
  withSpan,
  type Host,
  type Metrics,
} from '@carbon-nexus/plugin-sdk';
import { InProcessDataSource, ForwardingDataSource } from './data-sources.ts';
import { subgraphUnavailable } from './subgraph-errors.ts';
import type { GatewayContext } from './context.ts';
import { limitsPlugin, type LimitOptions } from './protection/limits.ts';

/** Records one operation's duration by name and type (graphql_operation_seconds). */
export type ObserveOperation = (operationName: string | null, type: string, seconds: number) => void;

/** graphql_operation_seconds, with client-chosen names bounded (past METRICS_MAX_OPERATIONS they count as "other"). */
export function operationMetrics(metrics: Metrics, env: Record<string, string | undefined>): ObserveOperation {
  const opSeconds = metrics.histogram('graphql_operation_seconds', 'Gateway operation duration', ['operation', 'type']);
  const operationLabel = boundedLabel(Number(env.METRICS_MAX_OPERATIONS ?? 500));
  return (name, type, seconds) => opSeconds.observe({ operation: operationLabel(name ?? 'anonymous'), type }, seconds);
}

/** The Apollo gateway; each subgraph fetch is timed, traced, and turned into SUBGRAPH_UNAVAILABLE when it fails. */
export function createFederatedGateway(opts: {
  supergraphSdl: string;
  host: Host | null;
  subgraphUrls?: Record<string, string>;
  metrics: Metrics;
}): ApolloGateway {
  const fetchSeconds = opts.metrics.histogram('subgraph_fetch_seconds', 'Gateway -> subgraph fetch duration', [
    'subgraph',
  ]);
  return new ApolloGateway({
    supergraphSdl: opts.supergraphSdl,
    buildService: ({ name, url }) => {
      const local = opts.host?.plugins.get(name);
      const ds = local
        ? new InProcessDataSource(local)
        : new ForwardingDataSource({ url: opts.subgraphUrls?.[name] ?? url });
      const process = ds.process.bind(ds);
      ds.process = async (o: any) => {
        const end = fetchSeconds.startTimer({ subgraph: name });
        try {
          return await withSpan(`subgraph ${name}`, () => process(o), {
            kind: 'client',
            attributes: { 'carbon_nexus.subgraph': name },
          });
        } catch (err) {
          throw subgraphUnavailable(name, err); // partial data: the other subgraphs' fields still answer
        } finally {
          end();
        }
      };
      return ds;
    },
  });
}

/** Apollo Server on the gateway, started. */
export async function startApolloServer(opts: {
  gateway: ApolloGateway;
  env: Record<string, string | undefined>;
  limits: LimitOptions;
  observe: ObserveOperation;
}): Promise<ApolloServer<GatewayContext>> {
  const { env, observe } = opts;
  const apollo = new ApolloServer<GatewayContext>({
    gateway: opts.gateway,
    introspection: env.GRAPHQL_INTROSPECTION !== 'false',
    csrfPrevention: true,
    // close() drains first (exitOnShutdownSignals calls it); Apollo's own handler would stop at once and
    // re-raise the signal, cutting in-flight requests.
    stopOnTerminationSignals: false,
    // Explicit, never from NODE_ENV: Apollo shows stacks whenever NODE_ENV is unset.
    includeStacktraceInErrorResponses: exposeErrorStacks(env),
    // No stacks from subgraphs either, a lost database connection as one clear error, no internal addresses.
    formatError: formatErrorPolicy(env),
    // Compact JSON: Apollo's default indents every response (more CPU per request, larger bodies).
    stringifyResult: (r) => JSON.stringify(r),
    plugins: [
      limitsPlugin(opts.limits),
      {
        async requestDidStart() {
          const t = performance.now();
          return {
            async willSendResponse(rc) {
              observe(rc.operationName ?? null, rc.operation?.operation ?? 'unknown', (performance.now() - t) / 1000);
            },
          };
        },
      },
    ],
  });
  await apollo.start();
  return apollo;
}
