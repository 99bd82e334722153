// Orchestration settings, parsed from the environment (a bad value fails at start with the setting's name).
import { z } from 'zod';
import { env } from '@carbon-nexus/plugin-sdk';
import { DEFAULT_EVIDENCE, MIN_EVENTS_RANGE, NOISE_SIGMAS_RANGE, parseThresholds } from './domain/severity.ts';

const thresholdsJson = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    try {
      return parseThresholds(raw);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

const entityTypes = z
  .string()
  .default('supplier')
  .transform((s, ctx) => {
    const list = s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const bad = list.filter((x) => !['supplier', 'event_type', 'route'].includes(x));
    if (bad.length || !list.length) {
      ctx.addIssue({
        code: 'custom',
        message: `entity types must be a comma list of supplier, event_type, route (bad: ${bad.join(', ') || 'empty'})`,
      });
      return z.NEVER;
    }
    return [...new Set(list)] as ('supplier' | 'event_type' | 'route')[];
  });

export const configSchema = z.object({
  /** Cron of the hotspot detection cycle (node-schedule; seconds field optional). */
  HOTSPOT_CRON: env.string('*/5 * * * *'),
  /** Cron of the baseline recalculation. */
  BASELINE_CRON: env.string('0 * * * *'),
  /** Detection window length, minutes (a sliding window ending at the detection time). */
  HOTSPOT_WINDOW_MINUTES: env.int(60).pipe(z.number().int().min(1).max(10080)),
  /** Severity thresholds in percent above baseline, per entity type (JSON); see README. */
  HOTSPOT_THRESHOLDS: thresholdsJson,
  /** Evidence: events a window needs before it can raise or escalate a hotspot (per entity type: HOTSPOT_THRESHOLDS). */
  HOTSPOT_MIN_EVENTS: env
    .int(DEFAULT_EVIDENCE.minEvents)
    .pipe(z.number().int().min(MIN_EVENTS_RANGE[0]).max(MIN_EVENTS_RANGE[1])),
  /** Evidence: the excess must reach this many robust standard deviations (MAD-based) of the window's baseline. */
  HOTSPOT_NOISE_SIGMAS: env
    .number(DEFAULT_EVIDENCE.noiseSigmas)
    .pipe(z.number().min(NOISE_SIGMAS_RANGE[0]).max(NOISE_SIGMAS_RANGE[1])),
  /** Evidence: a window short of it alone may count through the last N hours ending with it (sustained); 0 = off. */
  HOTSPOT_EVIDENCE_HOURS: env.int(3).pipe(z.number().int().min(0).max(168)),
  /** Entity types the detector and the baselines cover (each is one data-core emissionsSeries call). */
  HOTSPOT_ENTITY_TYPES: entityTypes,
  /** Weeks of history behind the baselines. */
  BASELINE_WEEKS: env.int(4).pipe(z.number().int().min(1).max(52)),
  /** Samples a per-hour baseline tier (hour-of-week, hour-of-day by day type, hour-of-day) needs; else the flat median. */
  BASELINE_MIN_SAMPLES: env.int(8).pipe(z.number().int().min(2).max(365)),
  /** Cron of the history retention job (alerts and the hotspot change log; see HistoryRetention). */
  HISTORY_PRUNE_CRON: env.string('23 3 * * *'),
  /** Days the hotspot change log is kept (hotspotDetected(after:) resumes within it); an active hotspot logs a change per cycle. */
  HOTSPOT_CHANGES_RETENTION_DAYS: env.int(30).pipe(z.number().int().min(1).max(3650)),
  /** Days alerts are kept (the alerts query and alertRaised(after:) reach back this far). */
  ALERTS_RETENTION_DAYS: env.int(365).pipe(z.number().int().min(1).max(3650)),
});

export type OrchestrationConfig = z.infer<typeof configSchema>;
