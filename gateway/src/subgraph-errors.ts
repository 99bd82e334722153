// A subgraph that cannot be reached must not fail the whole operation anonymously: the gateway answers the other
// subgraphs' fields and reports this one as an error that names it (code SUBGRAPH_UNAVAILABLE, extensions.serviceName).
import { GraphQLError } from 'graphql';

export function subgraphUnavailable(name: string, err: unknown): GraphQLError {
  if (err instanceof GraphQLError && err.extensions?.serviceName) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new GraphQLError(`subgraph "${name}" is unavailable: ${reason}`, {
    originalError: err instanceof Error ? err : undefined,
    extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: name },
  });
}
