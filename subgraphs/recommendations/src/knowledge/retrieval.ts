// Local retrieval: BM25+ over the knowledge base with the hotspot's context as the query, filtered by
// applicability, ranked by expected kg CO2e avoided for THIS hotspot × feasibility / cost weight.
import type { Candidate, CostLevel, HotspotContext } from '../domain/types.ts';
import { COST_ESTIMATE, COST_WEIGHT } from '../domain/types.ts';
import { round, vehicleClass, fuelClass } from '../domain/payload.ts';
import { citation, type KnowledgeBase, type Measure } from './kb.ts';
import { deriveRootCause, entityLabel } from '../domain/root-cause.ts';
import { CAUSE_LABEL, type Cause } from '../domain/diagnosis.ts';

const CATEGORY_WORDS: Record<string, string> = {
  transport: 'truck road freight fuel diesel route load trailer long haul',
  factory: 'factory production electricity energy motors compressed air heat boiler',
  warehouse: 'warehouse building lighting heating electricity refrigeration dock',
  delivery: 'last mile delivery van parcels stops urban route',
};

const CAUSE_WORDS: Record<Cause, string> = {
  activity_growth: 'volume growth',
  payload_increase: 'payload load',
  longer_legs: 'route distance',
  efficiency_drop: 'fuel consumption driving maintenance efficiency',
  fuel_record_anomaly: 'fuel record audit data quality',
  low_load: 'load factor consolidation',
  empty_running: 'empty running backhaul',
  idling: 'idling',
  high_speed: 'speed',
  energy_intensity: 'energy efficiency electricity',
  production_growth: 'production energy renewable',
  data_gaps: 'data quality',
};

/** The retrieval query: what this hotspot looks like, in the knowledge base's words. */
export function buildQuery(ctx: HotspotContext): string {
  const words = [
    CATEGORY_WORDS[ctx.category] ?? ctx.category,
    ...ctx.signals,
    ...ctx.vehicleClasses,
    ...ctx.fuelClasses,
    ...ctx.diagnosis.causes.map((c) => CAUSE_WORDS[c]),
  ];
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
  if (!(a.categories as readonly string[]).includes(ctx.category)) return false;
  if (a.vehicleTypes.length && ctx.vehicleClasses.length && !a.vehicleTypes.some((v) => ctx.vehicleClasses.includes(v)))
    return false;
  if (a.fuelTypes.length && ctx.fuelClasses.length && !a.fuelTypes.some((f) => ctx.fuelClasses.includes(f)))
    return false;
  if (a.requires.some((s) => !ctx.signals.includes(s))) return false;
  return true;
}

/** Share (0–1) of the summarised emissions the measure's vehicle/fuel restrictions cover (1 when unknown). */
export function fleetShare(m: Measure, ctx: HotspotContext): number {
  const h = ctx.history;
  if (!h) return 1;
  let share = 1;
  if (m.appliesTo.vehicleTypes.length && h.vehicleTypes.length) {
    share *= h.vehicleTypes
      .filter((v) => (m.appliesTo.vehicleTypes as readonly (string | null)[]).includes(vehicleClass(v.value)))
      .reduce((a, v) => a + v.share, 0);
  }
  if (m.appliesTo.fuelTypes.length && h.fuelTypes.length) {
    share *= h.fuelTypes
      .filter((f) => (m.appliesTo.fuelTypes as readonly (string | null)[]).includes(fuelClass(f.value)))
      .reduce((a, f) => a + f.share, 0);
  }
  return Math.max(0, Math.min(1, share));
}

/** kg CO2e the measure acts on in the hotspot window: the window's emissions (predicted), else 48 h mean × window. */
export function basisKg(ctx: HotspotContext): number {
  if (ctx.hotspot.predictedKg > 0) return ctx.hotspot.predictedKg;
  return ctx.history?.meanKgPerHour ?? 0;
}

/** kg rounded down to the gram: a cap shown as 416.218 must not read 416.219. */
export const floor3 = (x: number) => Math.floor(x * 1000 + 1e-9) / 1000;

/** Sub-causes whose excess lives inside a broader finding (idling and speed are part of an efficiency loss). */
const PART_OF: Partial<Record<Cause, Cause[]>> = {
  idling: ['efficiency_drop', 'fuel_record_anomaly'],
  high_speed: ['efficiency_drop'],
  data_gaps: [],
};

export type BoundApplied = 'attributed-excess' | 'hotspot-excess' | 'published-range' | 'correction';

export interface Bounded {
  /** the diagnosed causes this measure answers here */
  addressed: Cause[];
  /** the one with the largest attributed excess */
  primary: Cause | null;
  /** kg of the hotspot excess those causes carry (the cap) */
  attributedKg: number;
  /** published range applied to what the measure acts on, kg [low, mid, high] */
  rangeKg: [number, number, number];
  avoidedKg: number;
  bound: BoundApplied;
  /** kg the bound stands at */
  boundKg: number;
}

/**
 * Expected avoided kg for a measure on this hotspot, bounded by what the diagnosis attributes to the causes the
 * measure answers (never more than the hotspot's excess) and by the measure's published reduction range.
 */
export function boundedImpact(m: Measure, ctx: HotspotContext, basis: number, fleet: number): Bounded {
  const d = ctx.diagnosis;
  const byCause = new Map(d.findings.map((f) => [f.cause, f]));
  const addressed = m.addresses.filter((c) => byCause.has(c));
  let attributed = 0;
  let primary: Cause | null = null;
  let best = -1;
  const counted = new Set<Cause>();
  for (const c of addressed) {
    for (const owner of [c, ...(PART_OF[c] ?? [])]) {
      const f = byCause.get(owner);
      if (!f || counted.has(owner)) continue;
      counted.add(owner);
      attributed += f.attributedKg;
      if (f.attributedKg > best) {
        best = f.attributedKg;
        primary = c;
      }
    }
    if (primary === null) primary = c;
  }
  const excess = ctx.excessKg;
  attributed = Math.min(attributed, excess);
  if (m.actsOn === 'excess') {
    // a correction only corrects what the diagnosis attributes to its cause (nothing when the cause was not found)
    const on = attributed;
    const range: [number, number, number] = [
      on * (m.reductionPct.min / 100),
      on * ((m.reductionPct.min + m.reductionPct.max) / 200),
      on * (m.reductionPct.max / 100),
    ];
    return {
      addressed,
      primary,
      attributedKg: on,
      rangeKg: range,
      avoidedKg: range[1],
      bound: 'correction',
      boundKg: on,
    };
  }
  const acts = basis * (m.affectedSharePct / 100) * fleet;
  const range: [number, number, number] = [
    acts * (m.reductionPct.min / 100),
    acts * ((m.reductionPct.min + m.reductionPct.max) / 200),
    acts * (m.reductionPct.max / 100),
  ];
  if (!(excess > 0))
    return {
      addressed,
      primary,
      attributedKg: 0,
      rangeKg: range,
      avoidedKg: range[1],
      bound: 'published-range',
      boundKg: range[2],
    };
  const cap = attributed > 0 ? attributed : excess;
  if (range[1] > cap)
    return {
      addressed,
      primary,
      attributedKg: attributed,
      rangeKg: range,
      avoidedKg: cap,
      bound: attributed > 0 ? 'attributed-excess' : 'hotspot-excess',
      boundKg: cap,
    };
  return {
    addressed,
    primary,
    attributedKg: attributed,
    rangeKg: range,
    avoidedKg: range[1],
    bound: 'published-range',
    boundKg: cap,
  };
}

/** The what-if input that models the measure for this hotspot (null when the what-if cannot simulate it). */
export function simulationFor(m: Measure, ctx: HotspotContext): Record<string, unknown> | null {
  return m.simulate ? { hotspotId: ctx.hotspot.id, ...m.simulate } : null;
}

export function retrieve(kb: KnowledgeBase, ctx: HotspotContext, limit: number): Candidate[] {
  const d = ctx.diagnosis;
  const causes = new Set(d.causes);
  const query = buildQuery(ctx);
  // measures for the diagnosed causes; with no diagnosis (no history to compare), every applicable measure except
  // corrections, which need their cause shown (no fuel-record audit without an implausible record)
  const hits = kb.search(
    query,
    (m) => isApplicable(m, ctx) && (causes.size === 0 ? m.actsOn !== 'excess' : m.addresses.some((c) => causes.has(c))),
  );
  if (!hits.length) return [];
  const maxRel = Math.max(...hits.map((h) => h.relevance));
  const basis = basisKg(ctx);
  const rootCause = deriveRootCause(ctx);
  const out: Candidate[] = hits.flatMap(({ measure: m, relevance }): Candidate[] => {
    const relNorm = maxRel > 0 ? relevance / maxRel : 0;
    const fleet = fleetShare(m, ctx);
    const b = boundedImpact(m, ctx, basis, fleet);
    if (m.actsOn === 'excess' && !(b.attributedKg > 0)) return [];
    const avoided = b.avoidedKg;
    const cost = m.costLevel.toLowerCase() as CostLevel;
    const score = ((avoided * m.feasibility) / COST_WEIGHT[cost]) * (0.75 + 0.25 * relNorm);
    const confidence = Math.min(
      0.9,
      0.35 +
        0.25 * relNorm +
        (ctx.history ? 0.2 : 0) +
        (d.basis === 'own-history' && b.addressed.length ? 0.1 : 0) +
        (ctx.vehicleClasses.length || ctx.fuelClasses.length ? 0.05 : 0),
    );
    const simulation = simulationFor(m, ctx);
    return [
      {
        actionKey: `measure:${m.id}`,
        title: m.title,
        body: explain(ctx, m, b, fleet),
        rootCause,
        co2ImpactKg: floor3(avoided),
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
          actsOn: m.actsOn,
          cause: b.primary,
          addresses: b.addressed,
          attributedExcessKg: round(b.attributedKg, 3),
          rangeKg: b.rangeKg.map((x) => round(x, 3)),
          boundApplied: b.bound,
          boundKg: round(b.boundKg, 3),
          shareOfExcessPct: ctx.excessKg > 0 ? round((avoided / ctx.excessKg) * 100, 1) : null,
          simulation,
          diagnosis: diagnosisEvidence(ctx),
        },
      },
    ];
  });
  return out.sort((a, b) => b.score - a.score).slice(0, limit);
}

/** What the recommendation's card shows of the diagnosis (the same for every card of a hotspot). */
export function diagnosisEvidence(ctx: HotspotContext) {
  const d = ctx.diagnosis;
  return {
    basis: d.basis,
    statement: d.statement,
    findings: d.findings.map((f) => ({
      cause: f.cause,
      label: CAUSE_LABEL[f.cause],
      evidence: f.evidence,
      attributedKg: f.attributedKg,
      share: f.share,
    })),
  };
}

const kgText = (x: number) => `${round(x, x >= 100 ? 0 : 1)} kg CO2e`;

/** Which bound applied, in words. */
export function boundSentence(m: Measure, b: Bounded, excess: number): string {
  const cause = b.primary ? CAUSE_LABEL[b.primary] : 'the excess';
  const range = `${m.reductionPct.min}–${m.reductionPct.max} %`;
  switch (b.bound) {
    case 'correction':
      return `${range} of the ${kgText(b.boundKg)} attributed to ${cause} — a record correction, not a physical saving`;
    case 'attributed-excess':
      return `capped at the ${kgText(b.boundKg)} of the excess attributed to ${cause} (the published ${range} on what it acts on would give ${kgText(b.rangeKg[0])}–${kgText(b.rangeKg[2])})`;
    case 'hotspot-excess':
      return `capped at the hotspot's ${kgText(b.boundKg)} excess (the published ${range} would give ${kgText(b.rangeKg[0])}–${kgText(b.rangeKg[2])})`;
    default:
      return `the middle of the published ${range} range (${kgText(b.rangeKg[0])}–${kgText(b.rangeKg[2])})${excess > 0 ? `, within the ${kgText(b.boundKg)} ${b.attributedKg > 0 ? `attributed to ${cause}` : 'excess'}` : ''}`;
  }
}

/** The template explanation (an LLM may replace it when LLM_URL is set). */
export function explain(ctx: HotspotContext, m: Measure, b: Bounded, fleet: number): string {
  const h = ctx.hotspot;
  const d = ctx.diagnosis;
  const scope =
    m.affectedSharePct < 100
      ? ` (it acts on about ${m.affectedSharePct} % of a typical ${ctx.category} supplier's emissions)`
      : '';
  const fleetNote =
    fleet < 1
      ? ` Only ${Math.round(fleet * 100)} % of the recent emissions come from the vehicles/fuels it applies to.`
      : '';
  const finding = b.primary ? d.findings.find((f) => f.cause === b.primary) : undefined;
  const why = finding
    ? `It answers the diagnosed cause: ${CAUSE_LABEL[finding.cause]} (${finding.evidence}${finding.attributedKg > 0 ? `; ${kgText(finding.attributedKg)} of the excess` : ''}). `
    : d.basis === 'none'
      ? 'There was too little history to diagnose the cause; it fits the operating signals. '
      : '';
  return (
    `${entityLabel(ctx)} emitted ${round(h.predictedKg, 1)} kg CO2e in the hotspot window, ${round(h.percentAbove, 1)} % above its baseline. ` +
    why +
    `${m.description} Typical reduction ${m.reductionPct.min}–${m.reductionPct.max} %${scope}.${fleetNote} ` +
    `Expected: ≈ ${round(b.avoidedKg, 1)} kg CO2e avoided over a comparable window — ${boundSentence(m, b, ctx.excessKg)}.` +
    `${m.simulate ? ' The what-if can simulate it (simulation input in the evidence).' : ''} ` +
    `Source: ${m.source.publisher}, "${m.source.title}" (${m.source.year}); figures are typical ranges, not guarantees.`
  );
}
