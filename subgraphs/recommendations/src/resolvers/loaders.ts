// Per-request batching (N+1): one SQL query per entity kind per request (the SDK's loader), within the caller's
// suppliers. Ids that are not uuids are answered as absent without a query.
import { defineLoader, isUuid, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import { rowsByHotspot, rowsById, rowsBySupplier, type RecRow } from '../store/recommendations.ts';

const scope = (ctx: ResolverContext) => ctx.auth?.supplierIds ?? null;

export const recommendationById = defineLoader(async (ids: string[], ctx: ResolverContext) => {
  const valid = ids.filter(isUuid);
  return valid.length ? rowsById(ctx.services.db, valid, scope(ctx)) : new Map<string, RecRow>();
});

export const recommendationsOfHotspot = defineLoader(async (ids: string[], ctx: ResolverContext) => {
  const valid = ids.filter(isUuid);
  return valid.length ? rowsByHotspot(ctx.services.db, valid, scope(ctx)) : new Map<string, RecRow[]>();
});

export const recommendationsOfSupplier = defineLoader(async (ids: string[], ctx: ResolverContext) => {
  const valid = ids.filter(isUuid);
  return valid.length ? rowsBySupplier(ctx.services.db, valid, scope(ctx)) : new Map<string, RecRow[]>();
});
