// Helpers shared by the per-event-type feature mappers.
import type { RowAdjustment, FeatureRow } from '../../engine/inference.ts';
import type { FeatureSpecLike, NormalizedEvent } from './types.ts';

/**
 * Grid electricity factors, kg CO2e/kWh (generation-based), by region code — the same table the models were
 * trained on. Sources: UK DESNZ 2025 (0.177); EEA EU-27 2018 (≈0.281); US EPA eGRID (≈0.39);
 * India CEA CO2 Baseline Database FY2023-24 (0.727); China MEE national grid factor (0.5366).
 */
export const GRID_KG_PER_KWH: Record<string, number> = {
  UK: 0.177,
  GB: 0.177,
  EU: 0.281,
  US: 0.39,
  IN: 0.727,
  CN: 0.5366,
};
/** Default when the region is unknown: EU-27 average (EEA 2018). */
export const DEFAULT_GRID_KG_PER_KWH = 0.281;
const EU = new Set([
  'DE',
  'FR',
  'ES',
  'IT',
  'NL',
  'BE',
  'PL',
  'SE',
  'AT',
  'DK',
  'FI',
  'IE',
  'PT',
  'CZ',
  'RO',
  'HU',
  'GR',
  'SK',
  'BG',
  'HR',
  'SI',
  'LT',
  'LV',
  'EE',
  'LU',
  'CY',
  'MT',
]);

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** First numeric attribute among the given keys (camelCase or snake_case spellings). */
export function attr(e: NormalizedEvent, ...keys: string[]): number | undefined {
  const a = e.attributes ?? {};
  for (const k of keys) {
    const v = num((a as Record<string, unknown>)[k]);
    if (v !== undefined) return v;
  }
  return undefined;
}

export class RowBuilder {
  readonly row: FeatureRow = {};
  readonly adjust: Required<Pick<RowAdjustment, 'defaulted' | 'clamped'>> & { scale: number } = {
    defaulted: [],
    clamped: [],
    scale: 1,
  };
  constructor(private readonly specs: FeatureSpecLike[]) {}

  /** Sets a feature from a measured value or the documented default (recorded as defaulted). */
  set(name: string, value: number | undefined, fallback: number): this {
    if (value === undefined || !Number.isFinite(value)) {
      this.row[name] = fallback;
      this.adjust.defaulted.push(name);
    } else this.row[name] = value;
    return this;
  }

  /** Clamps every feature into the card's validity range (integers rounded); records what moved. */
  finish(): { row: FeatureRow; adjust: RowBuilder['adjust'] } {
    for (const s of this.specs) {
      let v = this.row[s.name];
      if (v === undefined) continue;
      if (s.kind === 'integer' || s.kind === 'categorical' || s.kind === 'binary') v = Math.round(v);
      const c = Math.min(s.max, Math.max(s.min, v));
      if (c !== v) this.adjust.clamped.push(s.name);
      this.row[s.name] = c;
    }
    return { row: this.row, adjust: this.adjust };
  }

  /**
   * Extensive feature (kg CO2e ∝ it, e.g. distance — the models use it as a log offset): a value outside the
   * range is predicted at the nearest bound and the output scaled by value / bound instead of being clamped.
   */
  extensive(name: string, value: number): this {
    const s = this.specs.find((x) => x.name === name);
    if (!s || value <= 0) return this.set(name, value, s?.min ?? 1);
    const c = Math.min(s.max, Math.max(s.min, value));
    this.row[name] = c;
    if (c !== value) this.adjust.scale *= value / c;
    return this;
  }
}

export function gridFactor(e: NormalizedEvent): number | undefined {
  const explicit = attr(e, 'gridFactorKgPerKwh', 'grid_factor_kg_per_kwh');
  if (explicit !== undefined) return explicit;
  const r = (e.region ?? '').toUpperCase().trim();
  if (!r) return undefined;
  const code = r.split(/[-_ /]/)[0]!;
  if (code in GRID_KG_PER_KWH) return GRID_KG_PER_KWH[code];
  if (EU.has(code) || r.startsWith('EU')) return GRID_KG_PER_KWH.EU;
  return undefined;
}

export const lower = (s: string | null | undefined) => (s ?? '').toLowerCase();
export const isElectric = (e: NormalizedEvent) =>
  /(^|[^a-z])(ev|bev|electric|battery)([^a-z]|$)/.test(lower(e.vehicleType)) ||
  /electric|bev|battery|kwh/.test(lower(e.fuelType));
