import { definePlugin, loadTypeDefs, runInScope, SYSTEM_CLAIMS } from '@carbon-nexus/plugin-sdk';
import { resolvers } from './resolvers/index.ts';
import { configSchema } from './config.ts';
import { KnowledgeBase } from './knowledge/kb.ts';
import { RagClient } from './rag/client.ts';
import { ExplanationWriter } from './llm.ts';
import { RecommendationEngine } from './jobs/engine.ts';
import { catchUp } from './jobs/catch-up.ts';
import { hotspotChanged } from '@carbon-nexus/orchestration/client';

export interface RecommendationsState {
  engine: RecommendationEngine;
  kb: KnowledgeBase;
}

export default definePlugin<RecommendationsState, typeof configSchema>({
  id: 'recommendations',
  description: 'RAG adapter, local retrieval over a shipped knowledge base, rule fallback, approve/dismiss with audit',
  // Calls orchestration (hotspot) and data-core (supplier, 48 h history) per hotspot at run time only; it starts
  // and serves its own data without them.
  uses: {
    orchestration:
      'no new recommendations (each needs its hotspot); stored ones are still served, approved and dismissed',
    'data-core':
      'recommendations are made without the supplier and its 48 h history (listed as gaps in their evidence)',
  },
  config: configSchema,
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  init(services) {
    const cfg = services.config;
    const kb = KnowledgeBase.load();
    const rag = cfg.RAG_URL
      ? new RagClient({
          url: cfg.RAG_URL,
          apiKey: cfg.RAG_API_KEY,
          timeoutMs: cfg.RAG_TIMEOUT_MS,
          retries: cfg.RAG_RETRIES,
          backoffMs: cfg.RAG_RETRY_BACKOFF_MS,
          breakerFailures: Math.max(1, cfg.RAG_BREAKER_FAILURES),
          cooldownMs: cfg.RAG_BREAKER_COOLDOWN_MS,
          logger: services.logger,
          metrics: services.metrics,
        })
      : null;
    const llm = cfg.LLM_URL
      ? new ExplanationWriter({
          url: cfg.LLM_URL,
          apiKey: cfg.LLM_API_KEY,
          model: cfg.LLM_MODEL,
          timeoutMs: cfg.LLM_TIMEOUT_MS,
          logger: services.logger,
          metrics: services.metrics,
        })
      : null;
    const engine = new RecommendationEngine(services, kb, rag, llm);
    // Queued generations finish (and the RAG client's breaker closes) when the plugin drains.
    services.lifecycle.onStop(() => engine.stop());
    // The subscription ends by itself at drain; a handler's returned promise is tracked.
    services.bus.subscribe(hotspotChanged, (p) => {
      if (p.change !== 'created' && p.change !== 'escalated') return;
      // Bus handlers act as the platform, whoever triggered the detection.
      return runInScope({ auth: SYSTEM_CLAIMS }, async () => {
        await engine.enqueue(p.id, `${p.change}:${String(p.severity).toLowerCase()}`);
      });
    });
    services.logger.info({ measures: kb.measures.length, rag: !!rag, llm: !!llm }, 'recommendations ready');
    return { engine, kb };
  },
  jobs: {
    catchUp: {
      cron: (c) => c.RECOMMENDATIONS_CATCHUP_CRON,
      run: async (services, state) => {
        await catchUp(services, state.engine);
      },
    },
  },
});
