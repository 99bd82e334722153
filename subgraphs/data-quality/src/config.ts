import { z } from 'zod';
import { env, isValidCron } from '@carbon-nexus/plugin-sdk';

export const configSchema = z.object({
  /** When assessQuality runs (node-schedule cron). */
  QUALITY_CRON: env.string('*/15 * * * *').refine(isValidCron, 'not a valid cron expression'),
  /** Scheduled runs assess the last N completed hours. */
  QUALITY_LOOKBACK_HOURS: env.int(48).pipe(
    z
      .number()
      .int()
      .min(1)
      .max(24 * 31),
  ),
  /** Days of history the cadence is learned from. */
  QUALITY_CADENCE_DAYS: env.int(14).pipe(z.number().int().min(1).max(90)),
  /** Minimum expected events for a zero-event hour to be a gap. */
  QUALITY_GAP_MIN_EXPECTED: env.number(1).pipe(z.number().min(0)),
  /** Write gap fills to data-core (false = detect only). */
  QUALITY_GAPFILL_ENABLED: env.bool(true),
  /** Path of the gap-fill artifact (default models/artifacts/gapfill.json in the repo). */
  QUALITY_GAPFILL_MODEL: z.string().min(1).optional(),
  /** Defaults for outlier thresholds (setOutlierThresholds overrides them in the database). */
  QUALITY_IQR_K: env.number(1.5).pipe(z.number().positive()),
  /** IQR fences on log values (multiplicative) for the positive, right-skewed metrics. */
  QUALITY_IQR_LOG: env.bool(true),
  /** Relative floor ε on the spread of IQR fences and DBSCAN scales (IQR ≥ ε·|median|; log scale: ≥ ln(1 + ε)). */
  QUALITY_IQR_REL_FLOOR: env.number(0.1).pipe(z.number().min(0).max(1)),
  QUALITY_DBSCAN_EPS: env.number(1).pipe(z.number().positive()),
  QUALITY_DBSCAN_MIN_PTS: env.int(10).pipe(z.number().int().min(1)),
  QUALITY_MIN_SAMPLES: env.int(20).pipe(z.number().int().min(4)),
  /** Largest range runDataQuality accepts, days. */
  QUALITY_MAX_RANGE_DAYS: env.int(62).pipe(z.number().int().min(1)),
});

export type Config = z.infer<typeof configSchema>;
