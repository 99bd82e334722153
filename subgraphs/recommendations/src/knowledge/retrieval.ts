// Local retrieval: BM25+ over the knowledge base with the hotspot's context as the query, filtered by
// applicability, ranked by expected kg CO2e avoided for THIS hotspot × feasibility / cost weight.
import type { Candidate, CostLevel, HotspotContext } from '../domain/types.ts';
import { COST_ESTIMATE, COST_WEIGHT } from '../domain/types.ts';
import { round, vehicleClass, fuelClass } from '../domain/payload.ts';
import { citation, type KnowledgeBase, type Measure } from './kb.ts';
import { deriveRootCause, entityLabel } from '../domain/root-cause.ts';

const CATEGORY_WORDS: Record<string, string> = {
  transport: 'truck road freight fuel diesel route load trailer long haul',
  factory: 'factory production electricity energy motors compressed air heat boiler',
  warehouse: 'warehouse building lighting heating electricity refrigeration dock',
  delivery: 'last mile delivery van parcels stops urban route',
};

/** The retrieval query: what this hotspot looks like, in the knowledge base's words. */
export function buildQuery(ctx: HotspotContext): string {
  const words = [CATEGORY_WORDS[ctx.category] ?? ctx.category, ...ctx.signals, ...ctx.vehicleClasses, ...ctx.fuelClasses];
  const h = ctx.history;
  if (h) {
    for (const v of h.vehicleTypes.slice(0, 2)) words.push(v.value);
    for (const f of h.fuelTypes.slice(0, 2)) words.push(f.value);
    if (h.energyKwh > 0) words.push('electricity energy');
  }
  return words.join(' ');
}

export function isApplicable(m: Measure, ctx: HotspotContext): boolean {
  const a = m.appliesTo;
  if (!a.categories.includes(ctx.category as any)) return false;
  if (a.vehicleTypes.length && ctx.vehicleClasses.length && !a.vehicleTypes.some((v) => ctx.vehicleClasses.includes(v))) return false;
  if (a.fuelTypes.length && ctx.fuelClasses.length && !a.fuelTypes.some((f) => ctx.fuelClasses.includes(f))) return false;
  if (a.requires.some((s) => !ctx.signals.includes(s))) return false;
  return true;
}

/** Share (0–1) of the summarised emissions the measure's vehicle/fuel restrictions cover (1 when unknown). */
export function fleetShare(m: Measure, ctx: HotspotContext): number {
  const h = ctx.history;
  if (!h) return 1;
  let share = 1;
  if (m.appliesTo.vehicleTypes.length && h.vehicleTypes.length) {
    share *= h.vehicleTypes.filter((v) => m.appliesTo.vehicleTypes.includes(vehicleClass(v.value) as any)).reduce((a, v) => a + v.share, 0);
  }
  if (m.appliesTo.fuelTypes.length && h.fuelTypes.length) {
    share *= h.fuelTypes.filter((f) => m.appliesTo.fuelTypes.includes(fuelClass(f.value) as any)).reduce((a, f) => a + f.share, 0);
  }
  return Math.max(0, Math.min(1, share));
}

/** kg CO2e the measure acts on in the hotspot window: the window's emissions (predicted), else 48 h mean × window. */
export function basisKg(ctx: HotspotContext): number {
  if (ctx.hotspot.predictedKg > 0) return ctx.hotspot.predictedKg;
  return ctx.history?.meanKgPerHour ?? 0;
}

export function retrieve(kb: KnowledgeBase, ctx: HotspotContext, limit: number): Candidate[] {
  const query = buildQuery(ctx);
  const hits = kb.search(query, (m) => isApplicable(m, ctx));
  if (!hits.length) return [];
  const maxRel = Math.max(...hits.map((h) => h.relevance));
  const basis = basisKg(ctx);
  const rootCause = deriveRootCause(ctx);
  const out: Candidate[] = hits.map(({ measure: m, relevance }) => {
    const relNorm = maxRel > 0 ? relevance / maxRel : 0;
    const midPct = (m.reductionPct.min + m.reductionPct.max) / 2;
    const fleet = fleetShare(m, ctx);
    const avoided = basis * (m.affectedSharePct / 100) * fleet * (midPct / 100);
    const cost = m.costLevel.toLowerCase() as CostLevel;
    const score = (avoided * m.feasibility) / COST_WEIGHT[cost] * (0.75 + 0.25 * relNorm);
    const confidence = Math.min(0.9, 0.35 + 0.25 * relNorm + (ctx.history ? 0.2 : 0) + (ctx.vehicleClasses.length || ctx.fuelClasses.length ? 0.1 : 0));
    return {
      actionKey: `measure:${m.id}`,
      title: m.title,
      body: explain(ctx, m, avoided, fleet),
      rootCause,
      co2ImpactKg: round(avoided, 3),
      costEstimate: COST_ESTIMATE[cost],
      costLevel: cost,
      feasibility: m.feasibility,
      confidence: round(confidence, 3),
      score: round(score, 4),
      source: 'retrieval',
      sourceRef: citation(m),
      measureId: m.id,
      evidence: {
        query,
        relevance: round(relevance, 4),
        basisKg: round(basis, 3),
        predictedKg: ctx.hotspot.predictedKg,
        baselineKg: ctx.hotspot.baselineKg,
        excessKg: round(ctx.excessKg, 3),
        reductionPct: m.reductionPct,
        affectedSharePct: m.affectedSharePct,
        fleetShare: round(fleet, 3),
        shareOfExcessPct: ctx.excessKg > 0 ? round((avoided / ctx.excessKg) * 100, 1) : null,
      },
    };
  });
  return out.sort((a, b) => b.score - a.score).slice(0, limit);
}

/** The template explanation (an LLM may replace it when LLM_URL is set). */
export function explain(ctx: HotspotContext, m: Measure, avoidedKg: number, fleet: number): string {
  const h = ctx.hotspot;
  const scope = m.affectedSharePct < 100 ? ` (it acts on about ${m.affectedSharePct} % of a typical ${ctx.category} supplier's emissions)` : '';
  const fleetNote = fleet < 1 ? ` Only ${Math.round(fleet * 100)} % of the recent emissions come from the vehicles/fuels it applies to.` : '';
  const excess = ctx.excessKg > 0 ? `, about ${Math.round((avoidedKg / ctx.excessKg) * 100)} % of the ${round(ctx.excessKg, 1)} kg CO2e excess` : '';
  return (
    `${entityLabel(ctx)} emitted ${round(h.predictedKg, 1)} kg CO2e in the hotspot window, ${round(h.percentAbove, 1)} % above its baseline. ` +
    `${m.description} Typical reduction ${m.reductionPct.min}–${m.reductionPct.max} %${scope}.${fleetNote} ` +
    `Expected: ≈ ${round(avoidedKg, 1)} kg CO2e avoided over a comparable window${excess}. ` +
    `Source: ${m.source.publisher}, "${m.source.title}" (${m.source.year}); figures are typical ranges, not guarantees.`
  );
}
