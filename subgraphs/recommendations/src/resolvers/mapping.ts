import type { Measure } from '../knowledge/kb.ts';
import type { RecRow } from '../store/recommendations.ts';
import { diagnosisOf, estimateOf } from './evidence.ts';

const ev = (r: RecRow): Record<string, unknown> =>
  r.evidence && typeof r.evidence === 'object' ? (r.evidence as Record<string, unknown>) : {};

export function toGraph(r: RecRow) {
  return {
    id: r.id,
    hotspot: { id: r.hotspotId },
    supplier: r.supplierId ? { id: r.supplierId } : null,
    title: r.title,
    body: r.body,
    rootCause: r.rootCause,
    co2ImpactKg: r.co2Impact,
    costEstimate: r.costEstimate,
    costLevel: r.costLevel ? (r.costLevel.toUpperCase() as 'LOW' | 'MEDIUM' | 'HIGH') : null,
    feasibilityScore: r.feasibilityScore,
    confidence: r.confidence,
    rank: r.rank,
    score: r.score,
    source: r.source.toUpperCase() as 'RAG' | 'RETRIEVAL' | 'RULES',
    sourceRef: r.sourceRef,
    measureId: r.measureId,
    evidence: r.evidence ?? null,
    cause: (ev(r).cause as string | null | undefined) ?? null,
    impactBound: (ev(r).boundApplied as string | null | undefined) ?? null,
    simulation: (ev(r).simulation as Record<string, unknown> | null | undefined) ?? null,
    diagnosis: ev(r).diagnosis ?? null,
    diagnosisSummary: diagnosisOf(r.evidence),
    estimate: estimateOf(r.evidence),
    status: r.status.toUpperCase() as 'OPEN' | 'APPROVED' | 'DISMISSED',
    history: (r.history ?? []).map((h) => ({
      status: h.status.toUpperCase() as 'OPEN' | 'APPROVED' | 'DISMISSED',
      by: h.by,
      reason: h.reason ?? null,
      at: h.at,
    })),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export type GraphRecommendation = ReturnType<typeof toGraph>;

export function measureToGraph(m: Measure, relevance?: number) {
  return {
    id: m.id,
    title: m.title,
    description: m.description,
    category: m.category,
    reductionPctMin: m.reductionPct.min,
    reductionPctMax: m.reductionPct.max,
    costLevel: m.costLevel,
    feasibility: m.feasibility,
    appliesTo: {
      categories: m.appliesTo.categories,
      vehicleTypes: m.appliesTo.vehicleTypes,
      fuelTypes: m.appliesTo.fuelTypes,
    },
    tags: m.tags,
    source: { publisher: m.source.publisher, title: m.source.title, year: m.source.year, url: m.source.url ?? null },
    relevance: relevance === undefined || Number.isNaN(relevance) ? null : relevance,
  };
}
