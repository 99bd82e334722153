// The `partners` platform plugin: signed webhooks for partners (Standard Webhooks), fed by the bus
// through an outbox table, delivered by a worker loop with retries, dead letters and replay.
import { z } from 'zod';
import { definePlugin, env, loadTypeDefs, type BusTopic } from '@carbon-nexus/plugin-sdk';
import { alertRaised, hotspotChanged } from '@carbon-nexus/orchestration/client';
import { recommendationCreated, recommendationUpdated } from '@carbon-nexus/recommendations/client';
import {
  DeliveryWorker,
  enqueue,
  toOutboxEvent,
  type Services,
  type WebhookSignals,
  type WebhooksConfig,
} from './deliveries.ts';
import { resolvers, type PartnersState } from './resolvers.ts';

const config = z.object({
  WEBHOOK_MAX_ATTEMPTS: env.int(8).pipe(z.number().int().min(1).max(50)),
  WEBHOOK_BACKOFF_BASE_MS: env.int(5_000).pipe(z.number().int().min(1)),
  WEBHOOK_BACKOFF_MAX_MS: env.int(6 * 3600_000).pipe(z.number().int().min(1)),
  WEBHOOK_TIMEOUT_MS: env.int(10_000).pipe(z.number().int().min(100)),
  WEBHOOK_POLL_MS: env.int(2_000).pipe(z.number().int().min(10)),
  WEBHOOK_WORKER: env.bool(true),
  WEBHOOK_CONCURRENCY: env.int(16).pipe(z.number().int().min(1).max(256)),
  WEBHOOK_LEASE_MS: env.int(60_000).pipe(z.number().int().min(1_000)),
  WEBHOOK_ENCRYPTION_KEY: z.string().min(16).optional(),
  /** SSRF guard: deny endpoints in private/loopback/link-local networks; auto = allow only in development. */
  WEBHOOK_PRIVATE_NETWORKS: z.enum(['auto', 'allow', 'deny']).default('auto'),
});

const TOPICS: BusTopic<WebhookSignals[keyof WebhookSignals]>[] = [
  alertRaised,
  hotspotChanged,
  recommendationCreated,
  recommendationUpdated,
];

export default definePlugin<PartnersState, typeof config>({
  id: 'partners',
  description: 'Partner webhooks: registration, signed deliveries with retries, dead letters and replay',
  uses: {
    orchestration:
      'alert and hotspot webhooks carry the bus signal only (no alert or hotspot details); replayWebhooksSince fails',
    recommendations: 'recommendation webhooks carry the bus signal only',
    'data-core': 'webhook payloads name suppliers by id only',
  },
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  config,
  init(services) {
    const s: Services = services;
    const worker = new DeliveryWorker(s);
    const enqueued = services.metrics.counter('webhook_enqueued_total', 'Webhook deliveries written to the outbox', [
      'event',
    ]);
    // Subscriptions end by themselves at drain; a handler's promise (the outbox write) is tracked.
    for (const topic of TOPICS) {
      services.bus.subscribe(topic, async (payload, envelope) => {
        const e = toOutboxEvent(topic.name as keyof WebhookSignals, payload as never, envelope.publishedAt);
        if (!e) return;
        // Outbox first: the row exists before any attempt, so a crash or restart loses nothing.
        const n = await enqueue(s, e);
        if (n) {
          enqueued.inc({ event: e.topic }, n);
          void worker.kick().catch((err) => services.logger.error({ err }, 'webhook worker failed'));
        }
      });
    }
    worker.start();
    // The delivery loop is the plugin's own: it ends (in-flight deliveries finish) when the plugin drains.
    services.lifecycle.onStop(() => worker.stop());
    return { worker };
  },
});

export type { WebhooksConfig };
