import { z } from 'zod';
import { env, isValidCron } from '@carbon-nexus/plugin-sdk';

const positive = (def: number) => z.coerce.number().int().positive().default(def);
const nonNegative = (def: number) => z.coerce.number().int().min(0).default(def);

/** Settings read from the environment (all optional: with none set, local retrieval answers). */
export const configSchema = z.object({
  /** External RAG service (POST, the seed's contract). Absent = local retrieval only. */
  RAG_URL: env.url(),
  /** Bearer token for the RAG service, if it wants one. */
  RAG_API_KEY: z.string().optional(),
  /** Overall budget for one RAG request including its retries, ms. */
  RAG_TIMEOUT_MS: positive(3000),
  /** Retries after a failed attempt (connection error, 5xx); timeouts are not retried past the budget. */
  RAG_RETRIES: nonNegative(1),
  /** First retry backoff, ms (doubles per retry, with jitter). */
  RAG_RETRY_BACKOFF_MS: nonNegative(200),
  /** Consecutive failed calls that open the circuit. */
  RAG_BREAKER_FAILURES: positive(5),
  /** Cool-down before a half-open trial call, ms. */
  RAG_BREAKER_COOLDOWN_MS: positive(30_000),
  /** Optional OpenAI-compatible endpoint (base URL, e.g. http://host/v1) that writes the explanation text. */
  LLM_URL: env.url(),
  LLM_API_KEY: z.string().optional(),
  LLM_MODEL: env.string('gpt-4o-mini'),
  LLM_TIMEOUT_MS: positive(4000),
  /** Recommendations kept per hotspot. */
  RECOMMENDATIONS_PER_HOTSPOT: positive(3),
  /** Hotspot jobs processed at once, and the most waiting (beyond it new ones are dropped; the catch-up job recovers them). */
  RECOMMENDATIONS_CONCURRENCY: positive(2),
  RECOMMENDATIONS_QUEUE_MAX: positive(500),
  /** Hours of history summarised for a hotspot. */
  RECOMMENDATIONS_HISTORY_HOURS: positive(48),
  /** Catch-up: generate for open hotspots that have none (missed bus messages). */
  RECOMMENDATIONS_CATCHUP_CRON: z
    .string()
    .min(1)
    .default('*/10 * * * *')
    .refine((c) => isValidCron(c), 'not a valid cron expression'),
});

export type RecommendationsConfig = z.infer<typeof configSchema>;
