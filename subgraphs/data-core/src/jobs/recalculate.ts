// Recalculation of stored figures: events without a method (rows from before the method engine) or computed with
// another factor-set version are recomputed in batches of BATCH rows (keyset by id), each batch one UPDATE. The
// work list is "factor_set differs from the current one", so a stopped run resumes where it left off. Runs once at
// start (old data directories) and on demand (admin mutation). Rows the current set cannot compute keep their
// previous figure, are stamped with the current set and say why in method_note (they are counted as failed).
import type { Services } from '../config.ts';
import { emissionFigure, type EmissionFigure } from '../domain/figure.ts';
import type { ActivityData } from '../domain/estimate.ts';
import { FACTOR_SET_VERSION, compactUses } from '../domain/factors/index.ts';

const BATCH = 500;

export interface RecalcProgress {
  running: boolean;
  factorSet: string;
  remaining: number;
  done: number;
  failed: number;
  startedAt: string | null;
  finishedAt: string | null;
  lastError: string | null;
}

export interface Recalculator {
  /** Starts a run unless one is running; resolves when it ends. */
  start(): Promise<void>;
  progress(): Promise<RecalcProgress>;
  stop(): Promise<void>;
}

interface Row {
  id: string;
  event_type: ActivityData['eventType'];
  distance_km: number | null;
  load_kg: number | null;
  vehicle_type: string | null;
  fuel_type: string | null;
  fuel_l: number | null;
  energy_kwh: number | null;
  region: string | null;
  attributes: Record<string, any> | null;
  data_source: string;
  co2e_kg: number | null;
  predicted_by: string | null;
  method: string | null;
  country: string | null;
}

const opt = <T>(v: T | null | undefined) => (v === null ? undefined : v);

function figureOf(r: Row): ReturnType<typeof emissionFigure> {
  const a = r.attributes ?? {};
  return emissionFigure(
    {
      eventType: r.event_type,
      distanceKm: opt(r.distance_km),
      loadKg: opt(r.load_kg),
      vehicleType: opt(r.vehicle_type),
      fuelType: opt(r.fuel_type),
      fuelL: opt(r.fuel_l),
      fuelKg: typeof a.fuelKg === 'number' ? a.fuelKg : undefined,
      energyKwh: opt(r.energy_kwh),
      gasKwh: typeof a.gasKwh === 'number' ? a.gasKwh : undefined,
      // The stored region may be a grid region chosen from the supplier's country: the country decides again.
      region: opt(r.region),
      refrigerated: typeof a.refrigerated === 'boolean' ? a.refrigerated : undefined,
      productionUnits: typeof a.productionUnits === 'number' ? a.productionUnits : undefined,
      areaM2: typeof a.areaM2 === 'number' ? a.areaM2 : undefined,
      dataSource: r.data_source,
      co2eKg: opt(r.co2e_kg),
      predictedBy: opt(r.predicted_by),
    },
    r.country,
  );
}

export function createRecalculator(services: Services, onChange: () => void): Recalculator {
  const db = services.db;
  let current: Promise<void> | null = null;
  let stopping = false;
  const stats = {
    done: 0,
    failed: 0,
    startedAt: null as string | null,
    finishedAt: null as string | null,
    lastError: null as string | null,
  };

  async function batch(after: string): Promise<{ last: string | null; n: number }> {
    const rows = await db.query<Row>(
      `SELECT e.id, e.event_type, e.distance_km, e.load_kg, e.vehicle_type, e.fuel_type, e.fuel_l, e.energy_kwh, e.region,
              e.attributes, e.data_source, e.co2e_kg, e.predicted_by, e.method, s.country
       FROM events_normalized e LEFT JOIN suppliers s ON s.id = e.supplier_id
       WHERE e.factor_set IS DISTINCT FROM $1 AND e.id > $2::uuid
       ORDER BY e.id LIMIT ${BATCH}`,
      [FACTOR_SET_VERSION, after],
    );
    if (!rows.length) return { last: null, n: 0 };
    const ok: { id: string; f: EmissionFigure }[] = [];
    const failed: { id: string; note: string }[] = [];
    for (const r of rows) {
      const res = figureOf(r);
      if (!res.ok) {
        failed.push({
          id: r.id,
          note: `not recomputed with factor set ${FACTOR_SET_VERSION}: ${res.error.field}: ${res.error.reason}; figure from before`,
        });
        continue;
      }
      // A model estimate already written stays (the engine would only say "pending" again).
      if (res.figure.method === 'model' && r.method === 'model' && r.co2e_kg !== null) {
        failed.push({ id: r.id, note: '' });
        continue;
      }
      ok.push({ id: r.id, f: res.figure });
    }
    await db.transaction(async (tx) => {
      if (ok.length) {
        const col = <T>(g: (x: { id: string; f: EmissionFigure }) => T) => ok.map(g);
        await tx.query(
          `UPDATE events_normalized e SET co2e_kg = u.co2e_kg, ttw_kg = u.ttw_kg, wtt_kg = u.wtt_kg, method = u.method,
             factor_boundary = u.boundary, factors = u.factors::jsonb, method_note = u.note, factor_set = $13,
             tonne_km = u.tonne_km, factor_id = u.factor_id, factor_version = u.factor_version, factor_source = u.factor_source,
             region = COALESCE(u.region, e.region)
           FROM unnest($1::uuid[], $2::float8[], $3::float8[], $4::float8[], $5::text[], $6::text[], $7::text[], $8::text[],
                       $9::float8[], $10::text[], $11::text[], $12::text[], $14::text[])
             AS u(id, co2e_kg, ttw_kg, wtt_kg, method, boundary, factors, note, tonne_km, factor_id, factor_version, factor_source, region)
           WHERE e.id = u.id`,
          [
            col((x) => x.id),
            col((x) => x.f.co2eKg),
            col((x) => x.f.ttwKg),
            col((x) => x.f.wttKg),
            col((x) => x.f.method),
            col((x) => x.f.boundary),
            col((x) => JSON.stringify(compactUses(x.f.factors))),
            col((x) => x.f.note),
            col((x) => x.f.tonneKm),
            col((x) => x.f.factorId),
            col((x) => x.f.factorVersion),
            col((x) => x.f.factorSource),
            FACTOR_SET_VERSION,
            col((x) => x.f.region),
          ],
        );
      }
      if (failed.length) {
        await tx.query(
          `UPDATE events_normalized e SET factor_set = $3, method_note = COALESCE(NULLIF(u.note, ''), e.method_note)
           FROM unnest($1::uuid[], $2::text[]) AS u(id, note) WHERE e.id = u.id`,
          [failed.map((x) => x.id), failed.map((x) => x.note), FACTOR_SET_VERSION],
        );
      }
    });
    stats.done += ok.length;
    stats.failed += failed.filter((x) => x.note).length;
    if (failed.some((x) => x.note)) stats.lastError = failed.find((x) => x.note)!.note;
    return { last: rows[rows.length - 1].id, n: rows.length };
  }

  async function run() {
    stats.done = 0;
    stats.failed = 0;
    stats.lastError = null;
    stats.startedAt = new Date().toISOString();
    stats.finishedAt = null;
    let after = '00000000-0000-0000-0000-000000000000';
    try {
      // A run ends between batches when the plugin drains (the drain waits for the batch in progress).
      while (!stopping && !services.lifecycle.signal.aborted) {
        const r = await batch(after);
        if (!r.last) break;
        after = r.last;
        onChange();
      }
      if (stats.done || stats.failed)
        services.logger.info(
          { done: stats.done, failed: stats.failed, factorSet: FACTOR_SET_VERSION },
          'emission figures recalculated',
        );
    } catch (err) {
      stats.lastError = (err as Error).message;
      services.logger.error({ err }, 'emission recalculation failed (it resumes on the next run)');
    } finally {
      stats.finishedAt = new Date().toISOString();
    }
  }

  return {
    start() {
      current ??= services.lifecycle.track(
        run().finally(() => {
          current = null;
        }),
      );
      return current;
    },
    async progress() {
      const [r] = await db.query<{ n: number }>(
        `SELECT COUNT(*)::int AS n FROM events_normalized WHERE factor_set IS DISTINCT FROM $1`,
        [FACTOR_SET_VERSION],
      );
      return { running: current !== null, factorSet: FACTOR_SET_VERSION, remaining: r?.n ?? 0, ...stats };
    },
    async stop() {
      stopping = true;
      await current;
    },
  };
}
