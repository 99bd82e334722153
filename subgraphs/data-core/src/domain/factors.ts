// Default emission factors, each with id, version, unit, boundary and source
// (from /shared/reference/carbon-domain.md). Seeded into emission_factors on init (idempotent).
import type { SqlQueryable } from '@carbon-nexus/db';

export interface Factor {
  id: string;
  version: string;
  activity: string;
  unit: string;
  value: number;
  boundary: string;
  source: string;
  region?: string;
}

const DESNZ_2025 = 'UK DESNZ GHG conversion factors 2025';

export const FACTORS: Factor[] = [
  // Freight intensities per tonne-km (ISO 14083 / GLEC).
  { id: 'glec.road.rigid-26-32t.diesel', version: 'GLEC-v2', activity: 'rigid truck 26-32 t, diesel', unit: 'kg CO2e / t·km', value: 0.09516, boundary: 'TTW', source: 'GLEC Framework v2 default (Smart Freight Centre)' },
  { id: 'glec.air.freighter-gt1500km', version: 'GLEC-v3.0', activity: 'air freight > 1500 km, freighter', unit: 'kg CO2e / t·km', value: 0.498, boundary: 'TTW', source: 'GLEC Framework v3.0 (Smart Freight Centre)' },
  { id: 'glec.sea.ro-pax', version: 'GLEC', activity: 'Ro-Pax ferry', unit: 'kg CO2e / t·km', value: 0.098, boundary: 'WTW', source: 'GLEC Framework (Smart Freight Centre)' },
  { id: 'desnz.rail.uk-freight', version: 'DESNZ-2025', activity: 'rail freight (UK)', unit: 'kg CO2e / t·km', value: 0.00691, boundary: 'WTT', source: DESNZ_2025, region: 'UK' },
  // Fuels per litre / kg.
  { id: 'desnz.fuel.diesel-b7.ttw', version: 'DESNZ-2025', activity: 'diesel (B7 retail blend)', unit: 'kg CO2e / L', value: 2.57082, boundary: 'TTW', source: DESNZ_2025 },
  { id: 'desnz.fuel.diesel-b7.wtt', version: 'DESNZ-2025', activity: 'diesel (B7 retail blend), well-to-tank', unit: 'kg CO2e / L', value: 0.62665, boundary: 'WTT', source: DESNZ_2025 },
  { id: 'desnz.fuel.diesel-mineral.ttw', version: 'DESNZ-2025', activity: 'diesel (100 % mineral)', unit: 'kg CO2e / L', value: 2.66155, boundary: 'TTW', source: DESNZ_2025 },
  { id: 'desnz.fuel.petrol.ttw', version: 'DESNZ-2025', activity: 'petrol', unit: 'kg CO2e / L', value: 2.1, boundary: 'TTW', source: `${DESNZ_2025} (approx. 2.10)` },
  { id: 'desnz.fuel.lng.ttw', version: 'DESNZ-2025', activity: 'LNG', unit: 'kg CO2e / kg', value: 2.5819, boundary: 'TTW', source: DESNZ_2025 },
  { id: 'desnz.fuel.cng.ttw', version: 'DESNZ-2025', activity: 'CNG', unit: 'kg CO2e / kg', value: 2.5625, boundary: 'TTW', source: DESNZ_2025 },
  // Distance-based vehicle factors.
  { id: 'desnz.van.average-diesel', version: 'DESNZ-2025', activity: 'van (average, diesel)', unit: 'kg CO2e / km', value: 0.25023, boundary: 'TTW', source: DESNZ_2025 },
  { id: 'desnz.hgv.all-average-laden', version: 'DESNZ-2025', activity: 'HGV (all, average laden)', unit: 'kg CO2e / km', value: 0.89061, boundary: 'TTW', source: DESNZ_2025 },
  // Grid electricity per kWh (generation).
  { id: 'grid.uk', version: 'DESNZ-2024', activity: 'grid electricity UK (2024)', unit: 'kg CO2e / kWh', value: 0.20705, boundary: 'generation', source: 'UK DESNZ GHG conversion factors 2024', region: 'UK' },
  { id: 'grid.uk', version: 'DESNZ-2025', activity: 'grid electricity UK (2025)', unit: 'kg CO2e / kWh', value: 0.177, boundary: 'generation', source: DESNZ_2025, region: 'UK' },
  { id: 'grid.eu27', version: 'EEA-2018', activity: 'grid electricity EU-27', unit: 'kg CO2e / kWh', value: 0.281, boundary: 'generation', source: 'EEA (European Environment Agency), 2018 (approx.)', region: 'EU' },
  { id: 'grid.us', version: 'eGRID', activity: 'grid electricity US', unit: 'kg CO2e / kWh', value: 0.39, boundary: 'generation', source: 'US EPA eGRID (approx.)', region: 'US' },
  { id: 'grid.in', version: 'CEA-FY2023-24', activity: 'grid electricity India', unit: 'kg CO2e / kWh', value: 0.727, boundary: 'generation', source: 'CEA CO2 Baseline Database FY 2023-24', region: 'IN' },
  { id: 'grid.cn', version: 'MEE', activity: 'grid electricity China', unit: 'kg CO2e / kWh', value: 0.5366, boundary: 'generation', source: 'MEE national grid emission factor (China)', region: 'CN' },
  // Not in carbon-domain.md: needed for factory/warehouse gas use. To verify against the DESNZ 2025 tables.
  { id: 'desnz.fuel.natural-gas.kwh', version: 'DESNZ-2025', activity: 'natural gas (kWh, gross CV)', unit: 'kg CO2e / kWh', value: 0.18231, boundary: 'TTW', source: `${DESNZ_2025}, natural gas kWh (Gross CV) — value pending verification against the publication` },
];

/** The factor to use for each key (latest version). */
const LATEST = new Map<string, Factor>();
for (const f of FACTORS) LATEST.set(f.id, f); // later entries (newer versions) win

export function factor(id: string): Factor {
  const f = LATEST.get(id);
  if (!f) throw new Error(`unknown emission factor ${id}`);
  return f;
}

export const GRID_REGIONS: Record<string, string> = { UK: 'grid.uk', EU: 'grid.eu27', US: 'grid.us', IN: 'grid.in', CN: 'grid.cn' };

const EU27 = new Set('AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE'.split(' '));

/** Grid region for a supplier country (ISO alpha-2), null if unknown. */
export function regionForCountry(country: string | null | undefined): string | null {
  if (!country) return null;
  const c = country.toUpperCase();
  if (c === 'GB' || c === 'UK') return 'UK';
  if (EU27.has(c)) return 'EU';
  if (c === 'US' || c === 'IN' || c === 'CN') return c;
  return null;
}

/** Inserts every factor version that is not there yet (safe to run on every start). */
export async function seedFactors(db: SqlQueryable): Promise<number> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO emission_factors (id, version, activity, unit, value, boundary, source, region)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::text[])
     ON CONFLICT DO NOTHING RETURNING id`,
    [
      FACTORS.map((f) => f.id),
      FACTORS.map((f) => f.version),
      FACTORS.map((f) => f.activity),
      FACTORS.map((f) => f.unit),
      FACTORS.map((f) => f.value),
      FACTORS.map((f) => f.boundary),
      FACTORS.map((f) => f.source),
      FACTORS.map((f) => f.region ?? null),
    ],
  );
  return rows.length;
}
