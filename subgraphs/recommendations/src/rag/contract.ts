// The seed's RAG contract (002 §7): request {entity, data: {predicted, baseline}} (+ our extra context),
// response {root_cause, actions: [{title, co2_reduction, cost_impact, feasibility}]}.
import { z } from 'zod';

export interface RagRequest {
  entity: string;
  data: { predicted: number; baseline: number };
  context: Record<string, unknown>;
}

export const ragActionSchema = z.object({
  title: z.string().trim().min(1).max(300),
  /** kg CO2e avoided over the hotspot window (same unit as data.predicted) */
  co2_reduction: z.number().finite().min(0),
  /** relative cost, 1 (cheap) – 10 (expensive) */
  cost_impact: z.number().finite().min(0).max(10),
  /** 0 – 10 (the seed's example uses 9), or 0 – 1 */
  feasibility: z.number().finite().min(0).max(10),
  description: z.string().optional(),
  confidence: z.number().min(0).max(1).optional(),
});

export const ragResponseSchema = z.object({
  root_cause: z.string().trim().min(1).max(4000),
  actions: z.array(ragActionSchema).max(50),
  confidence: z.number().min(0).max(1).optional(),
});

export type RagResponse = z.infer<typeof ragResponseSchema>;
export type RagAction = z.infer<typeof ragActionSchema>;

/** Units we tell the RAG service we expect back. */
export const RAG_UNITS = {
  predicted: 'kg CO2e over the hotspot window',
  baseline: 'kg CO2e over the hotspot window',
  co2_reduction: 'kg CO2e avoided over the same window',
  cost_impact: 'relative, 1 (cheap) to 10 (expensive)',
  feasibility: '0 (hard) to 10 (easy)',
};
