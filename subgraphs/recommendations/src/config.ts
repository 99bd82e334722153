import { z } from 'zod';
import { env } from '@carbon-nexus/plugin-sdk';

/** Settings read from the environment (all optional: with none set, local retrieval answers). */
export const configSchema = z.object({
  /** External RAG service (POST, the seed's contract). Absent = local retrieval only. */
  RAG_URL: env.url(),
  /** Bearer token for the RAG service, if it wants one. */
  RAG_API_KEY: z.string().optional(),
  /** Overall budget for one RAG request including its retries, ms. */
  RAG_TIMEOUT_MS: env.int(3000),
  /** Retries after a failed attempt (connection error, 5xx); timeouts are not retried past the budget. */
  RAG_RETRIES: env.int(1),
  /** First retry backoff, ms (doubles per retry, with jitter). */
  RAG_RETRY_BACKOFF_MS: env.int(200),
  /** Consecutive failed calls that open the circuit. */
  RAG_BREAKER_FAILURES: env.int(5),
  /** Cool-down before a half-open trial call, ms. */
  RAG_BREAKER_COOLDOWN_MS: env.int(30_000),
  /** Optional OpenAI-compatible endpoint (base URL, e.g. http://host/v1) that writes the explanation text. */
  LLM_URL: env.url(),
  LLM_API_KEY: z.string().optional(),
  LLM_MODEL: env.string('gpt-4o-mini'),
  LLM_TIMEOUT_MS: env.int(4000),
  /** Recommendations kept per hotspot. */
  RECOMMENDATIONS_PER_HOTSPOT: env.int(3),
  /** Hotspot jobs processed at once, and the most waiting (beyond it new ones are dropped; the catch-up job recovers them). */
  RECOMMENDATIONS_CONCURRENCY: env.int(2),
  RECOMMENDATIONS_QUEUE_MAX: env.int(500),
  /** Hours of history summarised for a hotspot. */
  RECOMMENDATIONS_HISTORY_HOURS: env.int(48),
  /** Catch-up: generate for open hotspots that have none (missed bus messages). */
  RECOMMENDATIONS_CATCHUP_CRON: env.string('*/10 * * * *'),
});

export type RecommendationsConfig = z.infer<typeof configSchema>;
