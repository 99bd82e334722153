// Validation of one incoming event (GraphQL, JSON, CSV row, WebSocket, import): units, ranges, time zones.
// Returns either a typed event or a list of {field, reason} errors naming the field.
import { z } from 'zod';
import { isUuid } from '@carbon-nexus/plugin-sdk/kit';
import { quoted, safeText, storable } from './safe-text.ts';

/** PostgreSQL text and jsonb cannot hold these; the whole batch used to fail on one such value. */
const UNSTORABLE = 'contains a NUL byte (0x00) or an unpaired UTF-16 surrogate';
import { VEHICLE_TYPES, FUEL_TYPES, normalizeVehicleType } from '../domain/vehicle-classes.ts';
import { GRID_REGIONS } from '../domain/grid.ts';

export const EVENT_TYPES = ['transport', 'factory', 'warehouse', 'delivery'] as const;
export type EventTypeName = (typeof EVENT_TYPES)[number];
export const DATA_SOURCES = ['api', 'csv', 'stream', 'mock', 'import', 'gap_fill'] as const;
export type DataSourceName = (typeof DATA_SOURCES)[number];

// Vehicle classes and fuels are the method engine's (domain/vehicle-classes.ts): one list for validation and factors.
export { VEHICLE_TYPES, FUEL_TYPES };
export const REGIONS = GRID_REGIONS;

export interface FieldError {
  field: string;
  reason: string;
}

/** Max seconds an event timestamp may lie in the future (clock skew). */
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
const EARLIEST = Date.parse('2000-01-01T00:00:00Z');
const ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

const num = (min: number, max: number, unit: string) =>
  z
    .number({
      error: (i) => (i.input === undefined ? 'required' : `must be a number (${unit}), got ${describe(i.input)}`),
    })
    .refine(Number.isFinite, { message: 'must be a finite number' })
    .refine((v) => v >= min && v <= max, { message: `must be between ${min} and ${max} ${unit}` });
const int = (min: number, max: number, unit: string) =>
  num(min, max, unit).refine(Number.isInteger, { message: `must be a whole number of ${unit}` });
const str = (max: number) =>
  z
    .string({ error: (i) => `must be a string, got ${describe(i.input)}` })
    .max(max, { message: `must be at most ${max} characters` })
    .refine(storable, { message: UNSTORABLE });
const oneOf = <T extends readonly string[]>(values: T) =>
  z
    .string({ error: (i) => `must be a string, got ${describe(i.input)}` })
    .transform((v) =>
      v
        .trim()
        .toLowerCase()
        .replace(/[\s-]+/g, '_'),
    )
    .refine((v) => (values as readonly string[]).includes(v), { message: `must be one of ${values.join(', ')}` });

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return quoted(v, 40);
  return typeof v;
}

const eventSchema = z.object({
  externalId: str(200).min(1, { message: 'must not be empty' }).optional(),
  supplierId: str(36).refine(isUuid, { message: 'must be a uuid' }).optional(),
  supplierExternalId: str(200).min(1, { message: 'must not be empty' }).optional(),
  eventType: oneOf(EVENT_TYPES).pipe(z.enum(EVENT_TYPES)),
  timestamp: z.string({
    error: (i) => (i.input === undefined ? 'required' : `must be an ISO-8601 string, got ${describe(i.input)}`),
  }),
  distanceKm: num(0, 20000, 'km').optional(),
  loadKg: num(0, 60000, 'kg').optional(),
  vehicleType: z
    .string({ error: (i) => `must be a string, got ${describe(i.input)}` })
    .transform(normalizeVehicleType)
    .refine((v) => VEHICLE_TYPES.includes(v), {
      message: `is not a known vehicle class; accepted: ${VEHICLE_TYPES.join(', ')}`,
    })
    .optional(),
  fuelType: oneOf(FUEL_TYPES).optional(),
  speedKmh: num(0, 160, 'km/h').optional(),
  fuelL: num(0, 100000, 'L').optional(),
  fuelKg: num(0, 100000, 'kg').optional(),
  energyKwh: num(0, 1e8, 'kWh').optional(),
  gasKwh: num(0, 1e8, 'kWh').optional(),
  route: str(200).optional(),
  facilityId: str(200).optional(),
  region: z
    .string({ error: (i) => `must be a string, got ${describe(i.input)}` })
    .transform((v) =>
      v
        .trim()
        .toUpperCase()
        .replace(/^GB$/, 'UK')
        .replace(/^EU27$/, 'EU'),
    )
    .refine((v) => (REGIONS as readonly string[]).includes(v), { message: `must be one of ${REGIONS.join(', ')}` })
    .optional(),
  productionUnits: num(0, 1e9, 'units').optional(),
  areaM2: num(0, 1e8, 'm²').optional(),
  refrigerated: z.boolean({ error: (i) => `must be true or false, got ${describe(i.input)}` }).optional(),
  stops: int(0, 10000, 'stops').optional(),
  parcels: int(0, 1e6, 'parcels').optional(),
  idleMinutes: num(0, 1440, 'min').optional(),
  gradientPct: num(-30, 30, '%').optional(),
  attributes: z.record(z.string(), z.unknown(), { error: 'must be a JSON object' }).optional(),
  dataSource: oneOf(DATA_SOURCES).pipe(z.enum(DATA_SOURCES)).optional(),
  co2eKg: num(0, 1e9, 'kg CO2e').optional(),
  confidence: num(0, 1, '').optional(),
  predictedBy: str(200).optional(),
});

export type ValidEventBase = z.infer<typeof eventSchema>;
export interface ValidEvent extends Omit<ValidEventBase, 'timestamp'> {
  timestamp: Date;
  eventType: EventTypeName;
  dataSource: DataSourceName;
}

export type Validation = { ok: true; event: ValidEvent; warnings: string[] } | { ok: false; errors: FieldError[] };

const KEYS = new Set(Object.keys(eventSchema.shape));

/** Drops null/undefined (GraphQL passes null for absent optional fields). */
function compact(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in input) {
    const v = input[k];
    if (v !== null && v !== undefined) out[k] = v;
  }
  return out;
}

/** Date.parse rolls impossible days over (2026-02-30 -> March 2): the written day must exist in its month. */
function calendarDay(s: string): boolean {
  const [y, m, d] = [Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10))];
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function parseTimestamp(raw: string, now = Date.now()): { ok: true; at: Date } | { ok: false; reason: string } {
  const s = raw.trim();
  if (!ZONED.test(s)) {
    return /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)
      ? { ok: false, reason: 'needs a time zone (Z or ±hh:mm)' }
      : { ok: false, reason: `not an ISO-8601 timestamp with time zone: ${quoted(s, 40)}` };
  }
  const t = Date.parse(s.replace(' ', 'T'));
  if (Number.isNaN(t) || !calendarDay(s)) return { ok: false, reason: `not a valid date: ${quoted(s, 40)}` };
  if (t > now + FUTURE_TOLERANCE_MS) return { ok: false, reason: 'is more than 5 minutes in the future' };
  if (t < EARLIEST) return { ok: false, reason: 'is before 2000-01-01' };
  return { ok: true, at: new Date(t) };
}

/**
 * Validates one event. `defaultSource` applies when the event names none; `allowGapFill` is true for
 * system/admin callers only.
 */
export function validateEvent(
  input: unknown,
  opts: { defaultSource: DataSourceName; allowGapFill: boolean; now?: number },
): Validation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ field: '(event)', reason: `must be a JSON object, got ${describe(input)}` }] };
  }
  const raw = compact(input as Record<string, unknown>);
  const errors: FieldError[] = [];
  for (const k of Object.keys(raw)) if (!KEYS.has(k)) errors.push({ field: k, reason: 'unknown field' });
  const r = eventSchema.safeParse(raw);
  if (!r.success) {
    for (const i of r.error.issues) errors.push({ field: i.path.join('.') || '(event)', reason: i.message });
  }
  if (raw.attributes && typeof raw.attributes === 'object') unstorableIn(raw.attributes, 'attributes', errors);
  if (typeof raw.timestamp === 'string') {
    const t = parseTimestamp(raw.timestamp, opts.now);
    if (!t.ok) errors.push({ field: 'timestamp', reason: t.reason });
  }
  if (errors.length || !r.success) return { ok: false, errors: dedupeErrors(errors) };
  const e = r.data;
  const event = {
    ...e,
    timestamp: new Date(Date.parse(e.timestamp.trim().replace(' ', 'T'))),
    dataSource: e.dataSource ?? opts.defaultSource,
  } as ValidEvent;
  const warnings: string[] = [];
  checkByType(event, errors, warnings, opts.allowGapFill);
  if (errors.length) return { ok: false, errors };
  return { ok: true, event, warnings };
}

/** Names the first few attribute keys or values that PostgreSQL jsonb would refuse. */
function unstorableIn(v: unknown, path: string, errors: FieldError[], depth = 0): void {
  if (errors.length >= 20 || depth > 20) return;
  if (typeof v === 'string') {
    if (!storable(v)) errors.push({ field: path, reason: UNSTORABLE });
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => unstorableIn(x, `${path}.${i}`, errors, depth + 1));
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (!storable(k)) errors.push({ field: `${path}.${safeText(k, 60)}`, reason: `key ${UNSTORABLE}` });
      else unstorableIn(x, `${path}.${k}`, errors, depth + 1);
    }
  }
}

function dedupeErrors(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = e.field + '\0' + e.reason;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function checkByType(e: ValidEvent, errors: FieldError[], warnings: string[], allowGapFill: boolean) {
  if (!e.supplierId && !e.supplierExternalId)
    errors.push({ field: 'supplierId', reason: 'required (or supplierExternalId)' });
  const gap = e.dataSource === 'gap_fill';
  if (gap) {
    if (!allowGapFill) errors.push({ field: 'dataSource', reason: 'GAP_FILL needs the system or admin role' });
    if (e.co2eKg === undefined)
      errors.push({ field: 'co2eKg', reason: 'required for GAP_FILL (the filled value, kg CO2e)' });
    if (e.timestamp.getTime() % 3_600_000 !== 0)
      errors.push({ field: 'timestamp', reason: 'GAP_FILL events must start on the hour' });
    return;
  }
  for (const f of ['co2eKg', 'confidence', 'predictedBy'] as const) {
    if (e[f] !== undefined) errors.push({ field: f, reason: 'only allowed for GAP_FILL events' });
  }
  switch (e.eventType) {
    case 'transport':
      if (e.distanceKm === undefined)
        errors.push({ field: 'distanceKm', reason: 'required for transport events (km)' });
      if (e.vehicleType?.includes('van')) warnings.push('vans are usually DELIVERY events');
      if (e.speedKmh !== undefined && e.speedKmh > 130 && !['rail', 'air', 'ferry'].includes(e.vehicleType ?? '')) {
        warnings.push(`speedKmh ${e.speedKmh} is above the 130 km/h road limit`);
      }
      break;
    case 'delivery':
      if (e.distanceKm === undefined) errors.push({ field: 'distanceKm', reason: 'required for delivery events (km)' });
      break;
    // Without metered kWh the figure is ml-engine's estimate (method MODEL), which needs the driver it models.
    case 'factory':
      if (e.energyKwh === undefined && e.productionUnits === undefined)
        errors.push({
          field: 'energyKwh',
          reason: 'required for factory events (kWh), or productionUnits for a model estimate',
        });
      break;
    case 'warehouse':
      if (e.energyKwh === undefined && e.areaM2 === undefined)
        errors.push({
          field: 'energyKwh',
          reason: 'required for warehouse events (kWh), or areaM2 for a model estimate',
        });
      break;
  }
}
