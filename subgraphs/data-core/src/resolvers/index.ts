import type { Resolvers } from '../generated/resolvers-types.ts';
import { supplierResolvers } from './suppliers.ts';
import { eventResolvers } from './events.ts';
import { emissionResolvers } from './emissions.ts';
import { importResolvers } from './imports.ts';
import { estimateResolvers } from './estimates.ts';
import { JSONScalar } from '@carbon-nexus/plugin-sdk';

const merge = (...parts: Resolvers[]): Resolvers => {
  const out: Record<string, any> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p)) out[k] = { ...(out[k] ?? {}), ...(v as object) };
  return out as Resolvers;
};

export const resolvers: Resolvers = {
  ...merge(supplierResolvers, eventResolvers, emissionResolvers, importResolvers, estimateResolvers),
  JSON: JSONScalar,
};
