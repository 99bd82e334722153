// How the gateway reaches each subgraph: in-process (embedded, no HTTP, no JSON round trip)
// or over HTTP with the caller's token and correlation id forwarded.
import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { injectTraceHeaders, type RunningPlugin } from '@carbon-nexus/plugin-sdk';
import type { GatewayContext } from './context.ts';

export class InProcessDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(private readonly plugin: RunningPlugin) {}

  async process({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const ctx = context as Partial<GatewayContext>;
    const result = await this.plugin.execute(request.query!, request.variables as Record<string, unknown> | undefined, {
      auth: ctx.auth ?? null,
      correlationId: ctx.correlationId,
    });
    return result as any;
  }
}

export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: any) {
    const ctx = context as Partial<GatewayContext>;
    if (ctx.auth?.token) request.http?.headers.set('authorization', `Bearer ${ctx.auth.token}`);
    if (ctx.correlationId) request.http?.headers.set('x-correlation-id', ctx.correlationId);
    // W3C traceparent of the gateway's fetch span, so the subgraph's spans join the same trace.
    if (request.http) injectTraceHeaders(request.http.headers);
  }
}
