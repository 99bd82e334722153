// A subgraph that cannot be reached must not fail the whole operation anonymously: the gateway answers the other
// subgraphs' fields and reports this one as an error that names it (code SUBGRAPH_UNAVAILABLE, extensions.serviceName).
// The reason never carries the subgraph's internal address (`connect ECONNREFUSED 127.0.0.1:4105`): it is named.
import { GraphQLError } from 'graphql';
import { describeNetworkError } from '@carbon-nexus/plugin-sdk';

export function subgraphUnavailable(name: string, err: unknown): GraphQLError {
  if (err instanceof GraphQLError && err.extensions?.serviceName) return err;
  const reason = describeNetworkError(err, `subgraph "${name}"`);
  return new GraphQLError(`subgraph "${name}" is unavailable: ${reason}`, {
    originalError: err instanceof Error ? err : undefined,
    extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: name },
  });
}
