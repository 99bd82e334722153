// Severity levels and thresholds. A level applies when percentAbove = (predicted − baseline) / baseline × 100
// reaches its threshold: defaults INFO ≥ 80 %, WARN ≥ 100 %, CRITICAL ≥ 150 % (the seed's levels).
// Evidence rules sit beside them: a window raises or escalates a hotspot only with at least `minEvents` events and
// an excess of at least `noiseSigmas` robust standard deviations of its baseline (see hotspots/evidence.ts).
import { z } from 'zod';

export const LEVELS = ['info', 'warn', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

export interface Thresholds {
  info: number;
  warn: number;
  critical: number;
}

/** How much evidence a window needs before it can raise or escalate a hotspot. */
export interface Evidence {
  /** Events in the window (what its kg CO2e is the sum of). */
  minEvents: number;
  /** Excess over the baseline, in robust standard deviations of the window's baseline. */
  noiseSigmas: number;
}

/** Thresholds with the evidence settings of their entity type (absent: the next level of defaults applies). */
export type ThresholdEntry = Thresholds & Partial<Evidence>;

export const DEFAULT_THRESHOLDS: Thresholds = { info: 80, warn: 100, critical: 150 };
export const DEFAULT_EVIDENCE: Evidence = { minEvents: 3, noiseSigmas: 3 };

export const MIN_EVENTS_RANGE = [1, 100_000] as const;
export const NOISE_SIGMAS_RANGE = [0, 100] as const;

const levelSet = z
  .object({
    info: z.number().min(0),
    warn: z.number().min(0),
    critical: z.number().min(0),
    minEvents: z.number().int().min(MIN_EVENTS_RANGE[0]).max(MIN_EVENTS_RANGE[1]).optional(),
    noiseSigmas: z.number().min(NOISE_SIGMAS_RANGE[0]).max(NOISE_SIGMAS_RANGE[1]).optional(),
  })
  .strict()
  .refine((t) => t.info < t.warn && t.warn < t.critical, { message: 'must satisfy info < warn < critical' });

const thresholdsSchema = z
  .partialRecord(z.enum(['default', 'supplier', 'event_type', 'route']), levelSet)
  .refine((r) => Object.keys(r).length > 0, { message: 'needs at least one entry' });

export type ThresholdMap = Record<string, ThresholdEntry> & { default: ThresholdEntry };

/** Parses HOTSPOT_THRESHOLDS, e.g. {"default":{"info":80,"warn":100,"critical":150},"route":{...}}. */
export function parseThresholds(raw: string | undefined): ThresholdMap {
  if (raw === undefined || raw.trim() === '') return { default: DEFAULT_THRESHOLDS };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new Error(`HOTSPOT_THRESHOLDS is not valid JSON (${(err as Error).message})`);
  }
  const r = thresholdsSchema.safeParse(json);
  if (!r.success) {
    throw new Error(
      'HOTSPOT_THRESHOLDS: ' +
        r.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ') +
        ' — expected {"default"|"supplier"|"event_type"|"route": {"info":n,"warn":n,"critical":n[,"minEvents":n,"noiseSigmas":n]}} in percent above baseline',
    );
  }
  return { ...r.data, default: r.data.default ?? DEFAULT_THRESHOLDS } as ThresholdMap;
}

export function thresholdsFor(map: ThresholdMap, entityType: string): Thresholds {
  const t = map[entityType] ?? map.default;
  return { info: t.info, warn: t.warn, critical: t.critical };
}

/** Evidence settings of an entity type: its own entry, else the `default` entry, else the environment's values. */
export function evidenceFor(map: ThresholdMap, entityType: string, fallback: Evidence): Evidence {
  const own = map[entityType];
  return {
    minEvents: own?.minEvents ?? map.default.minEvents ?? fallback.minEvents,
    noiseSigmas: own?.noiseSigmas ?? map.default.noiseSigmas ?? fallback.noiseSigmas,
  };
}

/** The highest level whose threshold percentAbove reaches, or null (under every threshold). */
export function classify(percentAbove: number, t: Thresholds): Level | null {
  if (!Number.isFinite(percentAbove)) return null;
  if (percentAbove >= t.critical) return 'critical';
  if (percentAbove >= t.warn) return 'warn';
  if (percentAbove >= t.info) return 'info';
  return null;
}

export const levelRank = (l: string | null | undefined): number =>
  l ? LEVELS.indexOf(l.toLowerCase() as Level) + 1 : 0;

export const toGraphLevel = (l: string) => l.toUpperCase();
export const fromGraphLevel = (l: string) => l.toLowerCase() as Level;

/** Levels at or above `min` (lower-case), for SQL filters. */
export function levelsAtLeast(min: string | null | undefined): Level[] {
  if (!min) return [...LEVELS];
  return LEVELS.filter((l) => levelRank(l) >= levelRank(min));
}
