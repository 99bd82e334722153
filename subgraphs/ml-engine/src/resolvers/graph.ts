// Stored rows and engine results as GraphQL sees them.
import { encodeCursor, toIso } from '@carbon-nexus/plugin-sdk';
import { toGraphName, type EngineModel } from '../engine/models-adapter.ts';
import type { InferenceResult } from '../engine/inference.ts';
import type { PredictionRow, StoredExplanation } from '../store/predictions.ts';

/** A prediction's cursor in `predictions` (newest first): its creation time and id. */
export const predictionCursor = (createdAt: string, id: string) => encodeCursor([createdAt, id]);

/** A prediction as GraphQL sees it; the fields that cost a parse or an encoding are computed only when read. */
export function toGraph(p: PredictionRow) {
  let fi: StoredExplanation | undefined;
  const explanation = (): StoredExplanation =>
    (fi ??= typeof p.feature_importance === 'string' ? JSON.parse(p.feature_importance) : (p.feature_importance ?? {}));
  return {
    id: p.id,
    model: p.model,
    modelVersion: p.model_version,
    supplier: p.supplier_id ? { __typename: 'Supplier' as const, id: p.supplier_id } : null,
    eventId: p.event_id,
    eventType: p.event_type,
    entityType: p.entity_type,
    entityId: p.entity_id,
    route: p.route,
    get timestamp() {
      return toIso(p.timestamp);
    },
    co2eKg: Number(p.output_co2_kg),
    lowerKg: p.lower,
    upperKg: p.upper,
    confidence: p.confidence,
    get contributions() {
      const c = explanation().contributions;
      return Array.isArray(c) ? c : [];
    },
    get contributionMethod() {
      return explanation().method ?? 'none';
    },
    get createdAt() {
      return toIso(p.created_at);
    },
    get cursor() {
      return predictionCursor(toIso(p.created_at), p.id);
    },
  };
}

export type PredictionView = ReturnType<typeof toGraph>;

export function resultToGraph(r: InferenceResult, id: string | null) {
  return {
    id,
    model: toGraphName(r.model),
    modelVersion: r.modelVersion,
    co2eKg: r.co2eKg,
    lowerKg: r.lowerKg,
    upperKg: r.upperKg,
    confidence: r.confidence,
    expectedKg: r.expectedKg,
    contributions: r.contributions,
    contributionMethod: r.contributionMethod,
  };
}

const EXPLAIN_METHOD =
  'contributions rescaled to kg CO2e with the logarithmic mean (Σ = prediction − expected). predict: exact TreeSHAP; ' +
  'predictBatch and event predictions: Saabas decision-path attribution (same additivity, O(trees × depth)).';

export function cardToGraph(m: EngineModel) {
  const c = m.card;
  const h = c.metrics?.heldOut;
  return {
    name: m.graph,
    version: c.version,
    description: c.description,
    boundary: c.boundary,
    targetUnit: c.targetUnit,
    explainMethod: `${c.explain.method}; ${EXPLAIN_METHOD}`,
    features: c.features.map((f) => ({
      name: f.name,
      unit: f.unit,
      min: f.min,
      max: f.max,
      description: f.description,
      kind: f.kind,
      categories:
        f.kind === 'categorical' && f.categories
          ? Object.entries(f.categories).map(([k, v]) => `${k} = ${v}`)
          : f.kind === 'binary'
            ? ['0 = no', '1 = yes']
            : null,
    })),
    metrics: h
      ? {
          rows: h.rows,
          maeKg: h.mae,
          mape: h.mape,
          baselineMaeKg: h.baselineMae,
          baselineMape: h.baselineMape,
          maeImprovement: h.maeImprovement,
          intervalCoverage: h.intervalCoverage,
        }
      : null,
  };
}
