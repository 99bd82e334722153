// The stored emission figure of one event: the method engine's result (or a gap fill's predicted value) in the shape
// of the events_normalized columns. Used at ingestion and by the recalculation job, so both write the same thing.
import { estimate, EstimateError, type ActivityData, type Method } from './estimate.ts';
import { FACTOR_SET_VERSION, type FactorUse } from './factors/index.ts';

export type FigureMethod = Method | 'gap_fill';

export interface EmissionFigure {
  method: FigureMethod;
  co2eKg: number | null;
  ttwKg: number | null;
  wttKg: number | null;
  tonneKm: number | null;
  boundary: string;
  factors: FactorUse[];
  note: string | null;
  region: string | null;
  /** Primary factor (first emission factor), kept in factor_id / factor_version / factor_source. */
  factorId: string;
  factorVersion: string;
  factorSource: string;
  factorSet: string;
}

export interface FigureInput extends ActivityData {
  dataSource?: string;
  co2eKg?: number;
  predictedBy?: string;
}

export type FigureResult =
  | { ok: true; figure: EmissionFigure }
  | { ok: false; error: { field: string; reason: string } };

export function emissionFigure(e: FigureInput, supplierCountry: string | null): FigureResult {
  if (e.dataSource === 'gap_fill') {
    const by = e.predictedBy ?? 'unknown';
    return {
      ok: true,
      figure: {
        method: 'gap_fill',
        co2eKg: e.co2eKg ?? null,
        ttwKg: null,
        wttKg: null,
        tonneKm: null,
        boundary: 'WTW (predicted fill)',
        factors: [],
        note: `gap fill predicted by ${by}`,
        region: e.region ?? null,
        factorId: 'gap-fill',
        factorVersion: by,
        factorSource: `predicted by ${by}`,
        factorSet: FACTOR_SET_VERSION,
      },
    };
  }
  try {
    const r = estimate(e, { supplierCountry });
    const primary = r.factors.find((f) => f.role === 'emission') ?? r.factors[0];
    const model = e.eventType === 'factory' ? 'factory' : 'warehouse';
    return {
      ok: true,
      figure: {
        method: r.method,
        co2eKg: r.co2eKg,
        ttwKg: r.ttwKg,
        wttKg: r.wttKg,
        tonneKm: r.tonneKm,
        boundary: r.boundary,
        factors: r.factors,
        note: r.note,
        region: r.region,
        factorId: primary?.id ?? `ml-engine.${model}`,
        factorVersion: primary?.version ?? 'pending',
        factorSource: primary?.source ?? `ml-engine ${model} model estimate (pending)`,
        factorSet: FACTOR_SET_VERSION,
      },
    };
  } catch (err) {
    if (err instanceof EstimateError) return { ok: false, error: { field: err.field, reason: err.reason } };
    throw err;
  }
}
