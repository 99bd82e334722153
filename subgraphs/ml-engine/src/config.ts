import { z } from 'zod';
import { env } from '@carbon-nexus/plugin-sdk';

export const configSchema = z.object({
  /** Cron of the forecast job (node-schedule syntax). */
  FORECAST_CRON: env.string('15 * * * *'),
  /** Max suppliers forecast per job run (largest emitters first). */
  FORECAST_MAX_SUPPLIERS: env.int(200),
  /**
   * Seconds between catch-up runs (events data-core stored that have no prediction, e.g. announced while the bus
   * was away); 0 = only at start and after the bus reconnects.
   */
  ML_CATCHUP_INTERVAL_SECONDS: env.int(300).pipe(z.number().int().min(0)),
});

export type MlConfig = z.infer<typeof configSchema>;
