import { z } from 'zod';
import { env } from '@carbon-nexus/plugin-sdk';

export const configSchema = z.object({
  /** Cron of the forecast job (node-schedule syntax). */
  FORECAST_CRON: env.string('15 * * * *'),
  /** Max suppliers forecast per job run (largest emitters first). */
  FORECAST_MAX_SUPPLIERS: env.int(200),
});

export type MlConfig = z.infer<typeof configSchema>;
