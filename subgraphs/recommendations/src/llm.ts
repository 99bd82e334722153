// Optional: an OpenAI-compatible chat-completions endpoint (LLM_URL) writes the explanation text. Never required:
// any failure, timeout or empty answer keeps the template text.
import type { Logger, Metrics } from '@carbon-nexus/plugin-sdk';
import { z } from 'zod';
import type { Candidate, HotspotContext } from './domain/types.ts';

const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1),
});

export interface LlmOptions {
  url: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  logger: Logger;
  metrics: Metrics;
}

export function completionsUrl(base: string): string {
  return /\/chat\/completions\/?$/.test(base) ? base : base.replace(/\/+$/, '') + '/chat/completions';
}

export class ExplanationWriter {
  private calls;
  constructor(private opts: LlmOptions) {
    this.calls = opts.metrics.counter(
      'recommendations_llm_calls_total',
      'Explanation requests to the optional LLM by outcome',
      ['outcome'],
    );
  }

  /** Returns the LLM's explanation, or null (keep the template). */
  async explain(ctx: HotspotContext, c: Candidate): Promise<string | null> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    const facts = {
      entity: ctx.supplier?.name ?? ctx.hotspot.entityName ?? ctx.hotspot.entityId,
      category: ctx.category,
      predictedKg: ctx.hotspot.predictedKg,
      baselineKg: ctx.hotspot.baselineKg,
      percentAbove: ctx.hotspot.percentAbove,
      signals: ctx.signals,
      action: c.title,
      expectedAvoidedKg: c.co2ImpactKg,
      costLevel: c.costLevel,
      feasibility: c.feasibility,
      source: c.sourceRef,
      template: c.body,
    };
    try {
      const res = await fetch(completionsUrl(this.opts.url), {
        method: 'POST',
        headers,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        body: JSON.stringify({
          model: this.opts.model,
          temperature: 0.2,
          max_tokens: 300,
          messages: [
            {
              role: 'system',
              content:
                'You explain decarbonisation recommendations to supply-chain analysts in 3-4 plain sentences. Use only the facts given; keep every number and unit (kg CO2e) exactly as given; cite the source as given; do not invent figures.',
            },
            { role: 'user', content: JSON.stringify(facts) },
          ],
        }),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const parsed = completionSchema.safeParse(await res.json());
      const text = parsed.success ? parsed.data.choices[0]!.message.content.trim() : '';
      if (!text) {
        this.calls.inc({ outcome: 'malformed' });
        return null;
      }
      this.calls.inc({ outcome: 'success' });
      return text.slice(0, 4000);
    } catch (err) {
      this.calls.inc({ outcome: 'error' });
      this.opts.logger.warn(
        { err: (err as Error).message },
        'recommendations: LLM explanation failed; keeping the template text',
      );
      return null;
    }
  }
}
