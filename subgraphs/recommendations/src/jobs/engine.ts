// The pipeline for one hotspot: payload -> RAG (when configured) -> local retrieval -> rules -> store -> publish.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import type { RecommendationsConfig } from '../config.ts';
import type { KnowledgeBase } from '../knowledge/kb.ts';
import { diagnosisEvidence, retrieve } from '../knowledge/retrieval.ts';
import { ruleCandidates } from '../domain/rules.ts';
import type { RagClient } from '../rag/client.ts';
import { RAG_UNITS, type RagRequest, type RagResponse } from '../rag/contract.ts';
import type { ExplanationWriter } from '../llm.ts';
import { round } from '../domain/payload.ts';
import { collectContext } from '../peers.ts';
import { deriveRootCause, entityLabel } from '../domain/root-cause.ts';
import { insertCandidates } from '../store/recommendations.ts';
import { BoundedQueue } from '../domain/queue.ts';
import { COST_WEIGHT, costLevelOf, type Candidate, type HotspotContext, type Source } from '../domain/types.ts';
import { recommendationCreated, recommendationUpdated } from '../../client/topics.ts';

export interface GenerateResult {
  hotspotId: string;
  source: Source;
  created: string[];
  /** existing OPEN recommendations whose figures were refreshed */
  refreshed: string[];
  supplierId: string | null;
}

export class HotspotNotFoundError extends Error {
  constructor(readonly hotspotId: string) {
    super(`hotspot ${hotspotId} not found`);
  }
}

export function ragRequest(ctx: HotspotContext): RagRequest {
  const h = ctx.hotspot;
  return {
    entity: entityLabel(ctx),
    data: { predicted: round(h.predictedKg, 3), baseline: round(h.baselineKg, 3) },
    context: {
      hotspot: {
        id: h.id,
        entityType: h.entityType,
        entityId: h.entityId,
        severity: h.severity,
        percentAbove: h.percentAbove,
        windowStart: h.windowStart,
        windowEnd: h.windowEnd,
      },
      supplier: ctx.supplier && {
        id: ctx.supplier.id,
        name: ctx.supplier.name,
        category: ctx.supplier.category,
        country: ctx.supplier.country,
        fleetInfo: ctx.supplier.fleetInfo,
        baselineEmissionKgPerHour: ctx.supplier.baselineEmissionKgPerHour,
      },
      category: ctx.category,
      history: ctx.history,
      signals: ctx.signals,
      // our diagnosis (what changed vs the supplier's own history, the excess attributed per cause) — extra context
      diagnosis: {
        basis: ctx.diagnosis.basis,
        statement: ctx.diagnosis.statement,
        findings: ctx.diagnosis.findings,
        excessKg: round(ctx.excessKg, 3),
      },
      units: RAG_UNITS,
    },
  };
}

export function ragCandidates(resp: RagResponse, ragUrl: string, excessKg = Number.POSITIVE_INFINITY): Candidate[] {
  const ref = `RAG service ${safeUrl(ragUrl)}`;
  return resp.actions.map((a) => {
    const feasibility = a.feasibility > 1 ? a.feasibility / 10 : a.feasibility;
    // an action cannot avoid more than the hotspot's excess over its window
    const capped = excessKg > 0 && a.co2_reduction > excessKg;
    const co2 = capped ? excessKg : a.co2_reduction;
    const costEstimate = a.cost_impact;
    const costLevel = costLevelOf(costEstimate);
    return {
      actionKey: `rag:${slug(a.title)}`,
      title: a.title,
      body:
        a.description?.trim() ||
        `${a.title}. Expected ≈ ${round(co2, 1)} kg CO2e avoided over a comparable window (RAG estimate${capped ? `, capped at the hotspot's ${round(excessKg, 1)} kg CO2e excess; the service said ${round(a.co2_reduction, 1)}` : ''}). Root cause: ${resp.root_cause}`,
      rootCause: resp.root_cause,
      co2ImpactKg: round(co2, 3),
      costEstimate,
      costLevel,
      feasibility: round(feasibility, 3),
      confidence: a.confidence ?? resp.confidence ?? 0.7,
      score: round((co2 * feasibility) / COST_WEIGHT[costLevel], 4),
      source: 'rag' as const,
      sourceRef: ref,
      measureId: null,
      evidence: {
        rag: { co2_reduction: a.co2_reduction, cost_impact: a.cost_impact, feasibility: a.feasibility },
        boundApplied: capped ? 'hotspot-excess' : 'none',
        boundKg: Number.isFinite(excessKg) ? round(excessKg, 3) : null,
      },
    };
  });
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 120) || 'action'
  );
}

function safeUrl(u: string): string {
  try {
    const x = new URL(u);
    return `${x.protocol}//${x.host}${x.pathname}`;
  } catch {
    return 'configured';
  }
}

export class RecommendationEngine {
  readonly queue: BoundedQueue;
  private intake = 0;
  private intakeWaiters: (() => void)[] = [];
  private created;
  private runs;
  private dropped;

  constructor(
    private services: PluginServices<RecommendationsConfig>,
    readonly kb: KnowledgeBase,
    readonly rag: RagClient | null,
    readonly llm: ExplanationWriter | null,
  ) {
    const c = services.config;
    this.queue = new BoundedQueue(Math.max(1, c.RECOMMENDATIONS_CONCURRENCY), Math.max(1, c.RECOMMENDATIONS_QUEUE_MAX));
    this.created = services.metrics.counter('recommendations_created_total', 'Recommendations stored, by source', [
      'source',
    ]);
    this.runs = services.metrics.counter('recommendations_runs_total', 'Hotspot generation runs by result', ['result']);
    this.dropped = services.metrics.counter(
      'recommendations_queue_dropped_total',
      'Hotspot jobs not queued because the queue was full',
    );
  }

  /** Full pipeline for one hotspot; publishes recommendation.created after the commit. */
  async generate(hotspotId: string): Promise<GenerateResult> {
    const cfg = this.services.config;
    const ctx = await collectContext(this.services, hotspotId, cfg.RECOMMENDATIONS_HISTORY_HOURS);
    if (!ctx) throw new HotspotNotFoundError(hotspotId);
    const limit = Math.max(1, cfg.RECOMMENDATIONS_PER_HOTSPOT);
    let source: Source = 'retrieval';
    let candidates: Candidate[] = [];
    if (this.rag && cfg.RAG_URL) {
      const r = await this.rag.analyse(ragRequest(ctx));
      if (r.outcome === 'success' && r.response) {
        candidates = ragCandidates(r.response, cfg.RAG_URL, ctx.excessKg)
          .sort((a, b) => b.score - a.score)
          .slice(0, limit);
        for (const c of candidates) c.evidence.diagnosis = diagnosisEvidence(ctx);
        source = 'rag';
      }
    }
    if (!candidates.length) {
      candidates = retrieve(this.kb, ctx, limit);
      source = 'retrieval';
    }
    if (!candidates.length) {
      candidates = ruleCandidates(ctx)
        .sort((a, b) => b.score - a.score)
        .slice(0, limit);
      source = 'rules';
    }
    if (this.llm) {
      await Promise.all(
        candidates.map(async (c) => {
          const text = await this.llm!.explain(ctx, c);
          if (text) c.body = text;
        }),
      );
    }
    for (const c of candidates) c.rootCause ??= deriveRootCause(ctx);
    const supplierId = ctx.supplier?.id ?? ctx.hotspot.supplierId;
    const { created, refreshed } = await insertCandidates(this.services.db, hotspotId, supplierId, candidates);
    this.created.inc({ source }, created.length);
    for (const id of created) await this.services.bus.publish(recommendationCreated, { id, hotspotId, supplierId });
    for (const id of refreshed)
      await this.services.bus.publish(recommendationUpdated, { id, hotspotId, status: 'open', supplierId });
    return { hotspotId, source, created, refreshed, supplierId };
  }

  /**
   * Claims (hotspot, trigger) once across processes and redeliveries, then queues the generation.
   * A failed run may be claimed again.
   */
  async enqueue(hotspotId: string, trigger: string): Promise<boolean> {
    this.intake++;
    try {
      const claimed = await this.services.db.query<{ id: string }>(
        `INSERT INTO recommendation_runs (id, hotspot_id, trigger, status) VALUES (gen_random_uuid(), $1, $2, 'running')
         ON CONFLICT (hotspot_id, trigger) DO UPDATE SET status = 'running', attempts = recommendation_runs.attempts + 1, error = NULL, started_at = now(), finished_at = NULL
           WHERE recommendation_runs.status = 'failed'
         RETURNING id`,
        [hotspotId, trigger],
      );
      const run = claimed[0];
      if (!run) {
        this.runs.inc({ result: 'duplicate' });
        return false;
      }
      const queued = this.queue.push(`${hotspotId}|${trigger}`, () => this.runClaimed(run.id, hotspotId));
      if (!queued) {
        this.dropped.inc();
        await this.finishRun(run.id, 'failed', null, 0, 'not queued: queue full or stopping');
        this.services.logger.warn(
          { hotspotId, trigger, queued: this.queue.size },
          'recommendations: queue full; the catch-up job will retry',
        );
      }
      return queued;
    } finally {
      if (--this.intake === 0) for (const w of this.intakeWaiters.splice(0)) w();
    }
  }

  private async runClaimed(runId: string, hotspotId: string): Promise<void> {
    try {
      const r = await this.generate(hotspotId);
      await this.finishRun(runId, 'done', r.source, r.created.length, null);
      this.runs.inc({ result: 'done' });
    } catch (err) {
      const msg = (err as Error).message;
      this.runs.inc({ result: 'failed' });
      this.services.logger.error({ hotspotId, err: msg }, 'recommendations: generation failed');
      await this.finishRun(runId, 'failed', null, 0, msg).catch(() => undefined);
    }
  }

  private async finishRun(id: string, status: string, source: string | null, created: number, error: string | null) {
    await this.services.db.query(
      `UPDATE recommendation_runs SET status = $2, source = $3, created = $4, error = $5, finished_at = now() WHERE id = $1`,
      [id, status, source, created, error ? error.slice(0, 2000) : null],
    );
  }

  /** Resolves when nothing is being claimed, queued or generated. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.intake > 0) await new Promise<void>((r) => this.intakeWaiters.push(r));
      await this.queue.onIdle();
      if (this.intake === 0 && this.queue.size === 0 && this.queue.running === 0) return;
    }
  }

  async stop(): Promise<void> {
    await this.queue.drain();
    this.rag?.shutdown();
  }
}
