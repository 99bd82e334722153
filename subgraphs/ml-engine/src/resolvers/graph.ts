// Stored rows and engine results as GraphQL sees them.
import { encodeCursor, toIso } from '@carbon-nexus/plugin-sdk';
import { toGraphName, type EngineModel } from '../engine/models-adapter.ts';
import type { InferenceResult } from '../engine/inference.ts';
import type { PredictionRow, StoredExplanation } from '../store/predictions.ts';

/** A prediction's cursor in `predictions` (newest first): its creation time and id. */
export const predictionCursor = (createdAt: string, id: string) => encodeCursor([createdAt, id]);

/**
 * A prediction as GraphQL sees it; the fields that cost a parse or an encoding are computed only when read.
 * A class, not an object literal with getters: a literal's accessors are defined per object on V8's slow path, and
 * this runs for every prediction row an entity join returns (250 per supplier page of the load benchmark).
 */
export class PredictionView {
  readonly id: string;
  readonly model: string;
  readonly modelVersion: string;
  readonly supplier: { __typename: 'Supplier'; id: string } | null;
  readonly eventId: PredictionRow['event_id'];
  readonly eventType: PredictionRow['event_type'];
  readonly entityType: PredictionRow['entity_type'];
  readonly entityId: PredictionRow['entity_id'];
  readonly route: PredictionRow['route'];
  readonly co2eKg: number;
  readonly lowerKg: PredictionRow['lower'];
  readonly upperKg: PredictionRow['upper'];
  readonly confidence: PredictionRow['confidence'];
  private fi: StoredExplanation | undefined;

  constructor(private readonly p: PredictionRow) {
    this.id = p.id;
    this.model = p.model;
    this.modelVersion = p.model_version;
    this.supplier = p.supplier_id ? { __typename: 'Supplier', id: p.supplier_id } : null;
    this.eventId = p.event_id;
    this.eventType = p.event_type;
    this.entityType = p.entity_type;
    this.entityId = p.entity_id;
    this.route = p.route;
    this.co2eKg = Number(p.output_co2_kg);
    this.lowerKg = p.lower;
    this.upperKg = p.upper;
    this.confidence = p.confidence;
  }

  private explanation(): StoredExplanation {
    const f = this.p.feature_importance;
    this.fi ??= typeof f === 'string' ? JSON.parse(f) : (f ?? {});
    return this.fi!;
  }

  get timestamp() {
    return toIso(this.p.timestamp);
  }
  get contributions() {
    const c = this.explanation().contributions;
    return Array.isArray(c) ? c : [];
  }
  get contributionMethod() {
    return this.explanation().method ?? 'none';
  }
  get createdAt() {
    return toIso(this.p.created_at);
  }
  get cursor() {
    return predictionCursor(toIso(this.p.created_at), this.p.id);
  }
}

export const toGraph = (p: PredictionRow): PredictionView => new PredictionView(p);

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
