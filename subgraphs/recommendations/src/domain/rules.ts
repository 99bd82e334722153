// Rule-based recommendations: the last resort when neither RAG nor retrieval produced an applicable action
// (the seed's "pre-computed rule-based recommendation"). They follow the same diagnosis as retrieval: one rule per
// diagnosed cause, its expected effect a rule-of-thumb share of the excess attributed to that cause; without a
// diagnosis, the generic rules below. Always yields at least one candidate.
import type { Candidate, HotspotContext } from './types.ts';
import { COST_ESTIMATE, COST_WEIGHT } from './types.ts';
import { round } from './payload.ts';
import { deriveRootCause, entityLabel } from './root-cause.ts';
import { CAUSE_LABEL, type Cause, type Finding } from './diagnosis.ts';
import { diagnosisEvidence, floor3 } from '../knowledge/retrieval.ts';

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

const GENERIC: Rule[] = [
  {
    id: 'rule:review-top-legs',
    applies: (c) => c.category === 'transport' || c.category === 'delivery',
    title: (c) => `Review loading, routing and idling of ${entityLabel(c)}'s highest-emitting trips`,
    body: (c) =>
      `Check the top trips of the last hours${
        c.history?.topEvents.length
          ? ` (largest: ${c.history.topEvents
              .map((e) => `${e.co2eKg} kg CO2e`)
              .slice(0, 3)
              .join(', ')})`
          : ''
      } for part loads, detours, empty return legs and long idling; brief the dispatcher and drivers on what caused the excess.`,
    excessFraction: 0.3,
    feasibility: 0.8,
    cost: 'low',
  },
  {
    id: 'rule:energy-walkround',
    applies: (c) => c.category === 'factory' || c.category === 'warehouse',
    title: (c) =>
      `Energy walk-round at ${entityLabel(c)}: switch off idle loads, check compressed air, HVAC and refrigeration schedules`,
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

interface CauseRule {
  id: string;
  causes: Cause[];
  title(ctx: HotspotContext, f: Finding): string;
  body(ctx: HotspotContext, f: Finding): string;
  /** share of the attributed excess the action removes (rule of thumb; 0 = it explains, it does not avoid) */
  fraction: number;
  feasibility: number;
  cost: 'low' | 'medium' | 'high';
}

const BY_CAUSE: CauseRule[] = [
  {
    id: 'rule:audit-fuel-records',
    causes: ['fuel_record_anomaly'],
    title: (c) => `Audit ${entityLabel(c)}'s fuel records for the hotspot window`,
    body: (_c, f) =>
      `The fuel behind this window is implausible for the vehicles (${f.evidence}). Reconcile the fuel-card transactions, tank volumes and telematics distance of these legs; correct unit errors, double entries and tank fills booked to a single leg before acting on the figure.`,
    fraction: 0.75,
    feasibility: 0.95,
    cost: 'low',
  },
  {
    id: 'rule:review-efficiency',
    causes: ['efficiency_drop', 'idling', 'high_speed'],
    title: (c) => `Find out why ${entityLabel(c)}'s vehicles emit more for the same work`,
    body: (_c, f) =>
      `Emissions per unit of work rose (${f.evidence}). Compare the window's vehicles, drivers and routes with the period before: a vehicle out of service replaced by an older one, tyre or engine faults, idling or higher speeds; fix the cause with the driver, workshop or dispatcher.`,
    fraction: 0.5,
    feasibility: 0.8,
    cost: 'low',
  },
  {
    id: 'rule:review-loading',
    causes: ['low_load', 'empty_running'],
    title: (c) => `Review loading and return legs of ${entityLabel(c)}`,
    body: (_c, f) =>
      `Vehicles carry less per kilometre (${f.evidence}). Consolidate part loads and find return loads for the empty legs of these lanes.`,
    fraction: 0.4,
    feasibility: 0.75,
    cost: 'low',
  },
  {
    id: 'rule:review-routes',
    causes: ['longer_legs'],
    title: (c) => `Check the routes of ${entityLabel(c)}'s longer legs`,
    body: (_c, f) =>
      `Legs got longer (${f.evidence}). Check for detours, diversions or a changed delivery pattern and re-plan the routes.`,
    fraction: 0.3,
    feasibility: 0.8,
    cost: 'low',
  },
  {
    id: 'rule:energy-walkround',
    causes: ['energy_intensity'],
    title: (c) =>
      `Energy walk-round at ${entityLabel(c)}: switch off idle loads, check compressed air, HVAC and refrigeration schedules`,
    body: (_c, f) =>
      `Energy per unit of output rose (${f.evidence}). Walk the site during and outside production hours: equipment left running, compressed-air leaks, heating or cooling of empty areas and mis-set schedules explain most rises.`,
    fraction: 0.4,
    feasibility: 0.85,
    cost: 'low',
  },
  {
    id: 'rule:confirm-volume',
    causes: ['activity_growth', 'payload_increase', 'production_growth'],
    title: (c) => `Confirm the extra volume at ${entityLabel(c)} and re-baseline if it stays`,
    body: (_c, f) =>
      `The excess is more work, not worse work (${f.evidence}). Confirm the volume with the supplier; if it is permanent, recalculate the baseline so alerts track efficiency, and plan structural measures (fuel switch, modal shift, electrification) for the larger volume. Confirming the volume avoids nothing by itself.`,
    fraction: 0,
    feasibility: 0.9,
    cost: 'low',
  },
];

function candidate(
  ctx: HotspotContext,
  rootCause: string,
  r: {
    id: string;
    title: string;
    body: string;
    avoided: number;
    note: string;
    feasibility: number;
    cost: 'low' | 'medium' | 'high';
    evidence: Record<string, unknown>;
  },
): Candidate {
  return {
    actionKey: r.id,
    title: r.title,
    body: `${r.body} Expected: ≈ ${round(r.avoided, 1)} kg CO2e avoided over a comparable window (${r.note}; rule-of-thumb estimate).`,
    rootCause,
    co2ImpactKg: floor3(r.avoided),
    costEstimate: COST_ESTIMATE[r.cost],
    costLevel: r.cost,
    feasibility: r.feasibility,
    confidence: 0.3,
    score: round((r.avoided * r.feasibility) / COST_WEIGHT[r.cost], 4),
    source: 'rules',
    sourceRef: `${r.id} (rule-based fallback)`,
    measureId: null,
    evidence: {
      excessKg: round(ctx.excessKg, 3),
      predictedKg: ctx.hotspot.predictedKg,
      baselineKg: ctx.hotspot.baselineKg,
      ...r.evidence,
      diagnosis: diagnosisEvidence(ctx),
    },
  };
}

export function ruleCandidates(ctx: HotspotContext): Candidate[] {
  const rootCause = deriveRootCause(ctx);
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const f of ctx.diagnosis.findings) {
    const r = BY_CAUSE.find((x) => x.causes.includes(f.cause));
    if (!r || seen.has(r.id)) continue;
    seen.add(r.id);
    // sub-causes (idling, speed) carry no kg of their own: they share the efficiency finding's
    const attributed =
      f.attributedKg > 0
        ? f.attributedKg
        : (ctx.diagnosis.findings.find((g) => r.causes.includes(g.cause) && g.attributedKg > 0)?.attributedKg ?? 0);
    const avoided = Math.min(ctx.excessKg, attributed * r.fraction);
    out.push(
      candidate(ctx, rootCause, {
        id: r.id,
        title: r.title(ctx, f),
        body: r.body(ctx, f),
        avoided,
        note:
          r.fraction > 0
            ? `${Math.round(r.fraction * 100)} % of the ${round(attributed, 1)} kg CO2e attributed to ${CAUSE_LABEL[f.cause]}`
            : 'it explains the excess, it does not remove it',
        feasibility: r.feasibility,
        cost: r.cost,
        evidence: {
          cause: f.cause,
          attributedExcessKg: round(attributed, 3),
          excessFraction: r.fraction,
          boundApplied: 'attributed-excess',
        },
      }),
    );
  }
  if (out.length) return out;
  const excess = ctx.excessKg > 0 ? ctx.excessKg : ctx.hotspot.predictedKg * 0.1;
  return GENERIC.filter((r) => r.applies(ctx)).map((r) =>
    candidate(ctx, rootCause, {
      id: r.id,
      title: r.title(ctx),
      body: r.body(ctx),
      avoided: excess * r.excessFraction,
      note: `${Math.round(r.excessFraction * 100)} % of the excess`,
      feasibility: r.feasibility,
      cost: r.cost,
      evidence: { excessFraction: r.excessFraction, boundApplied: 'hotspot-excess' },
    }),
  );
}
