import { z } from 'zod';
import { env, type PluginServices } from '@carbon-nexus/plugin-sdk';

export const configSchema = z.object({
  /** Seconds to wait for running CSV imports on shutdown. */
  DATA_CORE_DRAIN_SECONDS: env.number(30),
  /** Seconds without a heartbeat after which a RUNNING import job (on PostgreSQL) is marked INTERRUPTED. */
  DATA_CORE_JOB_STALE_SECONDS: env.number(30),
  /** Cron of the catch-up that fills pending MODEL figures whose prediction signal was missed. */
  DATA_CORE_MODEL_FILL_CRON: env.string('* * * * *'),
});

export type Config = z.infer<typeof configSchema>;

/** What data-core's modules receive: the platform's services with data-core's configuration. */
export type Services = PluginServices<Config>;
