// The factor set: every factor with id, version, unit, boundary, source and year. FACTOR_SET_VERSION changes
// whenever a value or a mapping changes; stored events computed with another version are recalculated.
import type { SqlQueryable } from '@carbon-nexus/db';
import type { Factor, FactorUse } from './types.ts';
import { DESNZ_2025 } from './desnz-2025.ts';
import { OTHER_SOURCES } from './other-sources.ts';

export type { Factor, FactorUse, Boundary } from './types.ts';
export { UK_GRID, DIESEL_KWH_PER_L, LADEN, VAN_FUELS, type Laden, type VanFuel } from './desnz-2025.ts';

/** Bump when a factor value, a class mapping or a method rule changes. */
export const FACTOR_SET_VERSION = 'CN-2025.1';

export const FACTORS: Factor[] = [...DESNZ_2025, ...OTHER_SOURCES];

const BY_ID = new Map<string, Factor>();
for (const f of FACTORS) {
  if (BY_ID.has(f.id)) throw new Error(`duplicate emission factor id ${f.id}`);
  BY_ID.set(f.id, f);
}

export function factor(id: string): Factor {
  const f = BY_ID.get(id);
  if (!f) throw new Error(`unknown emission factor ${id}`);
  return f;
}

export const hasFactor = (id: string) => BY_ID.has(id);

const BY_KEY = new Map(FACTORS.map((f) => [`${f.id}@${f.version}`, f]));

/** What an event row stores per factor: the factor's identity and how it was applied; the published fields
 * (activity, unit, value, boundary, source) come back from the factor set on read. Factors outside the set (a model
 * estimate) are stored whole. */
export function compactUses(uses: FactorUse[]): object[] {
  return uses.map((u) =>
    BY_KEY.has(`${u.id}@${u.version}`)
      ? { id: u.id, version: u.version, quantity: u.quantity, result: u.result, role: u.role }
      : u,
  );
}

/** The stored factor uses of a row, with the published fields of each factor filled in. */
export function expandUses(stored: Record<string, any>[] | null | undefined): FactorUse[] {
  return (stored ?? []).map((u) => {
    const f = BY_KEY.get(`${u.id}@${u.version}`);
    return {
      activity: f?.activity ?? u.activity ?? u.id,
      unit: f?.unit ?? u.unit ?? '',
      value: f?.value ?? u.value ?? 0,
      boundary: f?.boundary ?? u.boundary ?? 'WTW',
      source: f?.source ?? u.source ?? `factor ${u.id} ${u.version} (see emissionFactors(includeRetired: true))`,
      ...u,
    } as FactorUse;
  });
}

/** Inserts every factor version that is not there yet (safe on every start; older versions stay for old rows). */
export async function seedFactors(db: SqlQueryable): Promise<number> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO emission_factors (id, version, activity, unit, value, boundary, source, region, year)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::text[], $9::int[])
     ON CONFLICT (id, version) DO UPDATE SET activity = EXCLUDED.activity, unit = EXCLUDED.unit, value = EXCLUDED.value,
       boundary = EXCLUDED.boundary, source = EXCLUDED.source, region = EXCLUDED.region, year = EXCLUDED.year
       WHERE (emission_factors.value, emission_factors.source, emission_factors.year)
             IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.source, EXCLUDED.year)
     RETURNING id`,
    [
      FACTORS.map((f) => f.id),
      FACTORS.map((f) => f.version),
      FACTORS.map((f) => f.activity),
      FACTORS.map((f) => f.unit),
      FACTORS.map((f) => f.value),
      FACTORS.map((f) => f.boundary),
      FACTORS.map((f) => f.source),
      FACTORS.map((f) => f.region ?? null),
      FACTORS.map((f) => f.year),
    ],
  );
  return rows.length;
}
