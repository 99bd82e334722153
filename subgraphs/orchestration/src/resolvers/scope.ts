import type { ResolverContext } from '@carbon-nexus/plugin-sdk';

/** The caller's supplier scope as a SQL uuid[] parameter (null = all suppliers). */
export const scopeParam = (ctx: ResolverContext): string[] | null => ctx.auth?.supplierIds ?? null;

/** Scope ∩ requested ids (null = no restriction). */
export function effectiveSuppliers(ctx: ResolverContext, requested: string[] | null | undefined): string[] | null {
  const scope = scopeParam(ctx);
  if (!requested?.length) return scope;
  return scope ? requested.filter((id) => scope.includes(id)) : requested;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
