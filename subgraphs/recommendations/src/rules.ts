// Rule-based recommendations: the last resort when neither RAG nor retrieval produced an applicable action
// (the seed's "pre-computed rule-based recommendation"). Always yields at least one candidate.
import type { Candidate, HotspotContext } from './domain/types.ts';
import { COST_ESTIMATE, COST_WEIGHT } from './domain/types.ts';
import { round } from './domain/payload.ts';
import { deriveRootCause, entityLabel } from './domain/root-cause.ts';

interface Rule {
  id: string;
  applies(ctx: HotspotContext): boolean;
  title(ctx: HotspotContext): string;
  body(ctx: HotspotContext): string;
  /** fraction of the excess (predicted − baseline) the action is expected to remove */
  excessFraction: number;
  feasibility: number;
  cost: 'low' | 'medium' | 'high';
}

const RULES: Rule[] = [
  {
    id: 'rule:review-top-legs',
    applies: (c) => c.category === 'transport' || c.category === 'delivery',
    title: (c) => `Review loading, routing and idling of ${entityLabel(c)}'s highest-emitting trips`,
    body: (c) =>
      `Check the top trips of the last hours${c.history?.topEvents.length ? ` (largest: ${c.history.topEvents.map((e) => `${e.co2eKg} kg CO2e`).slice(0, 3).join(', ')})` : ''} for part loads, detours, empty return legs and long idling; brief the dispatcher and drivers on what caused the excess.`,
    excessFraction: 0.3,
    feasibility: 0.8,
    cost: 'low',
  },
  {
    id: 'rule:energy-walkround',
    applies: (c) => c.category === 'factory' || c.category === 'warehouse',
    title: (c) => `Energy walk-round at ${entityLabel(c)}: switch off idle loads, check compressed air, HVAC and refrigeration schedules`,
    body: () =>
      'Walk the site during and outside production hours: equipment left running, compressed-air leaks, heating or cooling of empty areas and mis-set schedules explain most unexpected rises in energy use.',
    excessFraction: 0.25,
    feasibility: 0.85,
    cost: 'low',
  },
  {
    id: 'rule:investigate-excess',
    applies: () => true,
    title: (c) => `Investigate the ${round(c.hotspot.percentAbove, 0)} % emissions excess at ${entityLabel(c)}`,
    body: () =>
      'Compare the activity in the hotspot window with a normal period (volumes, equipment, fuel, data quality) with the supplier, agree the cause and a corrective action, and re-check the baseline if the activity level changed for good.',
    excessFraction: 0.5,
    feasibility: 0.7,
    cost: 'low',
  },
];

export function ruleCandidates(ctx: HotspotContext): Candidate[] {
  const rootCause = deriveRootCause(ctx);
  const excess = ctx.excessKg > 0 ? ctx.excessKg : ctx.hotspot.predictedKg * 0.1;
  return RULES.filter((r) => r.applies(ctx)).map((r) => {
    const avoided = excess * r.excessFraction;
    return {
      actionKey: r.id,
      title: r.title(ctx),
      body: `${r.body(ctx)} Expected: ≈ ${round(avoided, 1)} kg CO2e avoided over a comparable window (${Math.round(r.excessFraction * 100)} % of the excess; rule-of-thumb estimate).`,
      rootCause,
      co2ImpactKg: round(avoided, 3),
      costEstimate: COST_ESTIMATE[r.cost],
      costLevel: r.cost,
      feasibility: r.feasibility,
      confidence: 0.3,
      score: round((avoided * r.feasibility) / COST_WEIGHT[r.cost], 4),
      source: 'rules',
      sourceRef: `${r.id} (rule-based fallback)`,
      measureId: null,
      evidence: { excessKg: round(ctx.excessKg, 3), excessFraction: r.excessFraction, predictedKg: ctx.hotspot.predictedKg, baselineKg: ctx.hotspot.baselineKg },
    };
  });
}
