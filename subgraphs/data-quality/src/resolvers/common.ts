// What data-quality's resolvers share beyond the SDK's resolver kit: typed access to its services and state, and the
// suppliers a signed-in caller may read.
import { requireAuth, scopedSuppliers, type PluginServices, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { Config } from '../config.ts';
import type { State } from '../state.ts';

export const svc = (ctx: ResolverContext) => ctx.services as PluginServices<Config>;
export const st = (ctx: ResolverContext) => ctx.state as State;

/**
 * The suppliers a query may read: the requested ids intersected with the caller's scope (null = no restriction).
 * Reads need a signed-in caller; a scoped caller asking only for suppliers outside its scope gets FORBIDDEN.
 */
export function visibleSuppliers(
  ctx: ResolverContext,
  requested: readonly string[] | null | undefined,
): string[] | null {
  return scopedSuppliers(requireAuth(ctx.auth).supplierIds, requested);
}
