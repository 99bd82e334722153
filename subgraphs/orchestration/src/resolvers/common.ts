// What orchestration's resolvers share beyond the SDK's resolver kit: typed access to its services, and the
// suppliers a caller may read.
import { scopedSuppliers, type PluginServices, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { OrchestrationConfig } from '../config.ts';

export const svc = (ctx: ResolverContext) => ctx.services as PluginServices<OrchestrationConfig>;

/** The caller's supplier scope as a SQL uuid[] parameter (null = all suppliers). */
export const scopeParam = (ctx: ResolverContext): string[] | null => ctx.auth?.supplierIds ?? null;

/** Requested ids ∩ the caller's scope (null = no restriction); only foreign suppliers asked for = an empty list. */
export const visibleSuppliers = (
  ctx: ResolverContext,
  requested: readonly string[] | null | undefined,
): string[] | null => scopedSuppliers(scopeParam(ctx), requested, { outside: 'empty' });
