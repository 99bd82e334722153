// Step 4: gaps. Fills of hours that have since received real data are marked superseded; new gaps are recorded in
// gap_fills first (the durable fact: filled with the event id pending, or unfilled), then sent to data-core
// ingestEvents as GAP_FILL events and the accepted event ids written back. A refused fill keeps its row and is sent
// again next run.
import { HOUR_MS, type CadenceProfile } from '../../domain/completeness.ts';
import { detectGaps } from '../../domain/gaps.ts';
import { contextOf, modelId, predictFill, type GapfillArtifact } from '../../domain/gapfill-model.ts';
import { ingestEvents, type EventInput, type SupplierMeta } from '../../datacore.ts';
import { insertMany } from '../../store.ts';
import type { Run, RunResult, SupplierHours } from './run.ts';

export type GapCounts = Pick<RunResult, 'gapsDetected' | 'gapsFilled' | 'fillsSuperseded'>;

/** A gap_fills row of the window. */
export interface GapRow {
  id: string;
  supplier_id: string;
  window_start: Date;
  status: string;
  event_id: string | null;
}

/** A gap to record (and fill when co2eKg is known). */
export interface FillTodo {
  id: string;
  supplierId: string;
  hour: number;
  expected: number;
  co2eKg: number | null;
  confidence: number | null;
}

export interface FillPlanInput {
  hours: SupplierHours;
  profiles: ReadonlyMap<string, CadenceProfile>;
  /** The window's gap_fills rows by gapKey. */
  known: ReadonlyMap<string, GapRow>;
  from: number;
  to: number;
  minExpected: number;
  model: GapfillArtifact;
}

export const gapKey = (supplierId: string, hour: number) => `${supplierId}|${hour}`;

/** Accepted fills are added to `hours` as predicted counts, so this run's windows include them. */
export async function fillGaps(
  run: Run,
  hours: SupplierHours,
  profiles: ReadonlyMap<string, CadenceProfile>,
  meta: ReadonlyMap<string, SupplierMeta>,
): Promise<GapCounts> {
  const { db, config } = run.services;
  const { from, to } = run.window;
  const gapRows = await db.query<GapRow>(
    `SELECT id, supplier_id, window_start, status, event_id FROM gap_fills WHERE window_start >= $1 AND window_start < $2`,
    [new Date(from), new Date(to)],
  );
  const superseded = supersededFills(gapRows, hours);
  if (superseded.length)
    await db.query(`UPDATE gap_fills SET status = 'superseded', updated_at = now() WHERE id = ANY($1::uuid[])`, [
      superseded,
    ]);
  const known = new Map(gapRows.map((r) => [gapKey(r.supplier_id, new Date(r.window_start).getTime()), r]));
  const { todo, gapsDetected } = planFills({
    hours,
    profiles,
    known,
    from,
    to,
    minExpected: config.QUALITY_GAP_MIN_EXPECTED,
    model: run.state.model,
  });
  let gapsFilled = 0;
  if (todo.length) {
    await recordGaps(run, todo);
    const fills = todo.filter((t) => t.co2eKg != null);
    if (fills.length && config.QUALITY_GAPFILL_ENABLED) gapsFilled = await sendFills(run, fills, hours, meta);
  }
  return { gapsDetected, gapsFilled, fillsSuperseded: superseded.length };
}

/** Ids of gap rows (not yet superseded) whose hour now holds real data. */
export function supersededFills(gapRows: readonly GapRow[], hours: SupplierHours): string[] {
  const out: string[] = [];
  for (const r of gapRows) {
    if (r.status === 'superseded') continue;
    const c = hours.get(r.supplier_id)?.get(new Date(r.window_start).getTime());
    if (c && c.real > 0) out.push(r.id);
  }
  return out;
}

/** Gaps of every supplier in [from, to), and those to (re)record with the model's fill; known rows keep their id. */
export function planFills(p: FillPlanInput): { todo: FillTodo[]; gapsDetected: number } {
  const todo: FillTodo[] = [];
  let gapsDetected = 0;
  for (const [supplierId, byHour] of p.hours) {
    const gaps = detectGaps(byHour, p.profiles.get(supplierId)!, p.from, p.to, { minExpected: p.minExpected });
    gapsDetected += gaps.length;
    const real = (t: number) => {
      const c = byHour.get(t);
      return c && c.real > 0 ? c.co2eKg : null;
    };
    for (const g of gaps) {
      const prev = p.known.get(gapKey(supplierId, g.hour));
      // Already filled (and the fill is still there) or already known as unfillable with no new context: skip.
      if (prev && prev.status === 'filled' && prev.event_id && g.filled) continue;
      if (prev?.status === 'superseded') continue;
      const x = contextOf(g.hour, real);
      const fill = x ? predictFill(p.model, x) : null;
      todo.push({
        id: prev?.id ?? crypto.randomUUID(),
        supplierId,
        hour: g.hour,
        expected: g.expected,
        co2eKg: fill?.co2eKg ?? null,
        confidence: fill?.confidence ?? null,
      });
    }
  }
  return { todo, gapsDetected };
}

async function recordGaps(run: Run, todo: readonly FillTodo[]): Promise<void> {
  const model = modelId(run.state.model);
  await insertMany(
    run.services.db,
    'gap_fills',
    [
      'id',
      'supplier_id',
      'window_start',
      'window_end',
      'expected_count',
      'co2e_kg',
      'confidence',
      'predicted_by',
      'status',
    ],
    todo.map((t) => [
      t.id,
      t.supplierId,
      new Date(t.hour),
      new Date(t.hour + HOUR_MS),
      t.expected,
      t.co2eKg,
      t.confidence,
      t.co2eKg == null ? null : model,
      t.co2eKg == null ? 'unfilled' : 'filled',
    ]),
    `ON CONFLICT (supplier_id, window_start) DO UPDATE SET co2e_kg = EXCLUDED.co2e_kg, confidence = EXCLUDED.confidence,
       predicted_by = EXCLUDED.predicted_by, status = EXCLUDED.status, expected_count = EXCLUDED.expected_count, updated_at = now()`,
  );
}

/** Sends the fills to data-core; returns how many it holds (accepted or duplicate) and stores their event ids. */
async function sendFills(
  run: Run,
  fills: readonly FillTodo[],
  hours: SupplierHours,
  meta: ReadonlyMap<string, SupplierMeta>,
): Promise<number> {
  const { db, logger } = run.services;
  const results = await ingestEvents(run.services, fillEvents(fills, meta, modelId(run.state.model)));
  const ok: [string, string][] = [];
  for (const r of results) {
    const f = fills[r.index];
    if ((r.status === 'ACCEPTED' || r.status === 'DUPLICATE') && r.eventId) {
      ok.push([f.id, r.eventId]);
      // A new fill counts as predicted in this run's windows (a duplicate is already in the series).
      if (r.status === 'ACCEPTED') {
        const c = hours.get(f.supplierId)!.get(f.hour);
        if (c) c.predicted += 1;
        else hours.get(f.supplierId)!.set(f.hour, { hour: f.hour, real: 0, predicted: 1, co2eKg: f.co2eKg! });
      }
    } else {
      logger.warn(
        { supplierId: f.supplierId, hour: new Date(f.hour).toISOString(), status: r.status, errors: r.errors },
        'gap fill not accepted by data-core',
      );
    }
  }
  for (const [id, eventId] of ok)
    await db.query(`UPDATE gap_fills SET event_id = $2, updated_at = now() WHERE id = $1`, [id, eventId]);
  return ok.length;
}

/** GAP_FILL events at the hour's start (data-core keeps one per supplier-hour: a resend is a DUPLICATE). */
export function fillEvents(
  fills: readonly FillTodo[],
  meta: ReadonlyMap<string, SupplierMeta>,
  predictedBy: string,
): EventInput[] {
  return fills.map((f) => ({
    externalId: `gapfill:${new Date(f.hour).toISOString()}`,
    supplierId: f.supplierId,
    // A supplier's category names the kind of its activity (data-core's SupplierCategory and EventType share values).
    eventType: meta.get(f.supplierId)?.category ?? 'TRANSPORT',
    timestamp: new Date(f.hour).toISOString(),
    dataSource: 'GAP_FILL',
    co2eKg: f.co2eKg,
    confidence: f.confidence,
    predictedBy,
    attributes: { expectedEvents: f.expected },
  }));
}
