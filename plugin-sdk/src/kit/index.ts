// The resolver kit: what every plugin's resolvers need, once — batch loading, cursors, argument validation and
// scalars, supplier scope, seeded randomness. Also exported from @carbon-nexus/plugin-sdk.
export { defineLoader } from './loader.ts';
export type { BatchLoader, LoaderOptions } from './loader.ts';
export { encodeCursor, decodeCursor } from './cursor.ts';
export type { CursorPart, CursorValues } from './cursor.ts';
export {
  UUID_RE,
  isUuid,
  parseUuid,
  parseUuids,
  isDateTime,
  parseDateTime,
  parseRange,
  parseFirst,
  toIso,
} from './validate.ts';
export { DateTimeScalar, UUIDScalar, JSONScalar } from './scalars.ts';
export { requireAuth, scopedSuppliers, supplierScopeSql } from './supplier-scope.ts';
export { packedRows } from './packed-rows.ts';
export type { PackedRows } from './packed-rows.ts';
export { mulberry32, seededRandom } from './prng.ts';
export type { SeededRandom } from './prng.ts';
