// SQL for this plugin's own tables (data_quality, data_quality_flags, gap_fills, supplier_cadence, data_quality_settings).
import type { SqlQueryable } from '@carbon-nexus/db';
import { toIso } from '@carbon-nexus/plugin-sdk';
import { DEFAULT_THRESHOLDS, type Thresholds } from './domain/outliers.ts';
import type { Config } from './config.ts';

/** Multi-row INSERT in chunks; `suffix` is the ON CONFLICT clause (and RETURNING). */
export async function insertMany<T = Record<string, unknown>>(
  db: SqlQueryable,
  table: string,
  cols: string[],
  rows: unknown[][],
  suffix = '',
  chunk = 500,
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const params: unknown[] = [];
    const values = part.map((r) => `(${r.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`).join(', ');
    out.push(...(await db.query<T>(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values} ${suffix}`, params)));
  }
  return out;
}

export interface ThresholdsRow extends Thresholds {
  iqrLogScale: boolean;
  iqrRelativeFloor: number;
  updatedBy: string | null;
  updatedAt: string | null;
}

export function configThresholds(c: Config): Thresholds {
  return {
    iqrK: c.QUALITY_IQR_K ?? DEFAULT_THRESHOLDS.iqrK,
    iqrLog: c.QUALITY_IQR_LOG ?? true,
    iqrRelFloor: c.QUALITY_IQR_REL_FLOOR ?? DEFAULT_THRESHOLDS.iqrRelFloor,
    dbscanEps: c.QUALITY_DBSCAN_EPS ?? DEFAULT_THRESHOLDS.dbscanEps,
    dbscanMinPts: c.QUALITY_DBSCAN_MIN_PTS ?? DEFAULT_THRESHOLDS.dbscanMinPts,
    minSamples: c.QUALITY_MIN_SAMPLES ?? DEFAULT_THRESHOLDS.minSamples,
  };
}

export async function getThresholds(db: SqlQueryable, c: Config): Promise<ThresholdsRow> {
  const rows = await db.query<{ value: Partial<Thresholds>; updated_by: string | null; updated_at: Date }>(
    `SELECT value, updated_by, updated_at FROM data_quality_settings WHERE key = 'outlier_thresholds'`,
  );
  const base = configThresholds(c);
  const t = rows.length ? { ...base, ...rows[0].value } : base;
  return {
    ...t,
    iqrLogScale: t.iqrLog !== false,
    iqrRelativeFloor: t.iqrRelFloor ?? DEFAULT_THRESHOLDS.iqrRelFloor!,
    updatedBy: rows[0]?.updated_by ?? null,
    updatedAt: rows.length ? new Date(rows[0].updated_at).toISOString() : null,
  };
}

export async function saveThresholds(db: SqlQueryable, t: Thresholds, by: string): Promise<void> {
  await db.query(
    `INSERT INTO data_quality_settings (key, value, updated_by, updated_at) VALUES ('outlier_thresholds', $1, $2, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = now()`,
    [JSON.stringify(t), by],
  );
}

export interface CadenceRow {
  supplier_id: string;
  learned_per_hour: number | null;
  learned_from_hours: number;
  active_hours_of_day: number[] | null;
  learned_at: Date | null;
  override_per_hour: number | null;
  override_by: string | null;
  override_at: Date | null;
}

export async function cadenceRows(db: SqlQueryable, supplierIds?: string[]): Promise<Map<string, CadenceRow>> {
  const rows = supplierIds
    ? await db.query<CadenceRow>(`SELECT * FROM supplier_cadence WHERE supplier_id = ANY($1::uuid[])`, [supplierIds])
    : await db.query<CadenceRow>(`SELECT * FROM supplier_cadence`);
  return new Map(rows.map((r) => [r.supplier_id, r]));
}

export function cadenceView(supplierId: string, r: CadenceRow | undefined) {
  const learned = r?.learned_per_hour ?? null;
  const override = r?.override_per_hour ?? null;
  return {
    supplierId,
    eventsPerHour: override ?? learned,
    source: override != null ? 'OVERRIDE' : learned != null ? 'LEARNED' : 'NONE',
    learnedEventsPerHour: learned,
    learnedFromHours: r?.learned_from_hours ?? 0,
    activeHoursOfDay: r?.active_hours_of_day ?? [],
    learnedAt: toIso(r?.learned_at),
    overrideEventsPerHour: override,
    overrideBy: r?.override_by ?? null,
    overrideAt: toIso(r?.override_at),
  } as const;
}
