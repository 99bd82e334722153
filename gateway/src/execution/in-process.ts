// GraphQL operations run in-process for other routes of the gateway (REST): for the caller of the outer request —
// its token, correlation id, trace — exactly as over POST /graphql, without a second HTTP pass through Fastify.
// Queries the fast path takes run there (same checks, sharing, metrics); everything else goes to Apollo Server as a
// POST /graphql would (its plugins: limits, metrics, audit). Rate limits and CORS were applied to the outer request.
import type { FastifyRequest } from 'fastify';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { executeApolloRequest, type ApolloRouteOptions } from '@carbon-nexus/plugin-sdk';
import type { FastPath } from './http.ts';

export interface GraphQLOperationRequest {
  query: string;
  operationName: string;
  variables: Record<string, unknown>;
}

/** Status and JSON body of one GraphQL operation, as POST /graphql would have answered it. */
export type RunGraphQL = (
  req: FastifyRequest,
  request: GraphQLOperationRequest,
  correlationId: string,
) => Promise<{ status: number; body: string }>;

export function inProcessGraphQL<TContext extends BaseContext>(
  fastPath: FastPath,
  apollo: ApolloServer<TContext>,
  route: ApolloRouteOptions<TContext>,
): RunGraphQL {
  return async (req, request, correlationId) => {
    const fast = await fastPath.run(req, request, correlationId);
    if (fast) return { status: fast.status, body: fast.body.toString() };
    const headers: Record<string, unknown> = {
      'content-type': 'application/json',
      'x-correlation-id': correlationId,
    };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    if (typeof req.headers.traceparent === 'string') headers.traceparent = req.headers.traceparent;
    const r = await executeApolloRequest(
      apollo,
      req,
      { method: 'POST', headers, search: '', body: request, correlationId },
      route,
    );
    return { status: r.status, body: r.body };
  };
}
