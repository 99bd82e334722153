// Step 2: each supplier's cadence profile (what completeness and gaps are measured against), learned from
// [to − QUALITY_CADENCE_DAYS, to); an analyst's override replaces the rate. The learned figures are stored in
// supplier_cadence; the upsert leaves the override columns alone.
import { learnCadence, type CadenceProfile, type HourCounts, type LearnedCadence } from '../../domain/completeness.ts';
import { cadenceRows, insertMany } from '../../store.ts';
import type { Run, SupplierHours } from './run.ts';

export type CadenceProfiles = Map<string, CadenceProfile>;

export async function learnCadences(run: Run, hours: SupplierHours): Promise<CadenceProfiles> {
  const { db } = run.services;
  const cadences = await cadenceRows(db);
  const profiles: CadenceProfiles = new Map();
  const learnedRows: unknown[][] = [];
  for (const [supplierId, byHour] of hours) {
    const learned = learnCadence([...byHour.values()], run.window.learnFrom, run.window.to);
    profiles.set(supplierId, cadenceProfile(byHour, learned, cadences.get(supplierId)?.override_per_hour ?? null));
    learnedRows.push([
      supplierId,
      learned.learnedPerHour,
      learned.learnedFromHours,
      learned.activeHoursOfDay,
      new Date(run.now),
    ]);
  }
  await insertMany(
    db,
    'supplier_cadence',
    ['supplier_id', 'learned_per_hour', 'learned_from_hours', 'active_hours_of_day', 'learned_at'],
    learnedRows,
    `ON CONFLICT (supplier_id) DO UPDATE SET learned_per_hour = EXCLUDED.learned_per_hour, learned_from_hours = EXCLUDED.learned_from_hours,
       active_hours_of_day = EXCLUDED.active_hours_of_day, learned_at = EXCLUDED.learned_at`,
  );
  return profiles;
}

/**
 * The effective profile: the override rate if set, else the learned one. Without real data in the learning span,
 * "first seen" falls back to the earliest real hour anywhere in the series read (it reaches further back).
 */
export function cadenceProfile(
  byHour: ReadonlyMap<number, HourCounts>,
  learned: LearnedCadence,
  overridePerHour: number | null,
): CadenceProfile {
  return {
    perHour: overridePerHour ?? learned.learnedPerHour,
    activeHoursOfDay: learned.activeHoursOfDay,
    firstSeen:
      learned.firstSeen ??
      [...byHour.values()]
        .filter((h) => h.real > 0)
        .map((h) => h.hour)
        .sort((a, b) => a - b)[0] ??
      null,
  };
}
