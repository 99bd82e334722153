// Recommendation.evidence (stored JSON, its shape depends on the source) read into the typed fields beside it:
// estimate and diagnosisSummary. Read defensively: a figure that is absent or not a number is null, a diagnosis
// without its statement or findings is none, so rows written by older versions still answer.
import { z } from 'zod';

const figure = z.number().finite().nullable().catch(null).optional();
const text = z.string().nullable().catch(null).optional();

const estimateSchema = z.object({
  predictedKg: figure,
  baselineKg: figure,
  excessKg: figure,
  basisKg: figure,
  reductionPct: z.object({ min: figure, max: figure }).nullable().catch(null).optional(),
  affectedSharePct: figure,
  fleetShare: figure,
  attributedExcessKg: figure,
  rangeKg: z.tuple([z.number().finite(), z.number().finite(), z.number().finite()]).nullable().catch(null).optional(),
  boundApplied: text,
  boundKg: figure,
  shareOfExcessPct: figure,
});

const diagnosisSchema = z.object({
  basis: z.string(),
  statement: z.string(),
  findings: z.array(
    z.object({
      cause: z.string(),
      label: z.string(),
      evidence: z.string(),
      attributedKg: z.number(),
      share: z.number(),
    }),
  ),
});

export type RecommendationEstimate = ReturnType<typeof estimateOf>;
export type RecommendationDiagnosis = z.infer<typeof diagnosisSchema>;

const record = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export function estimateOf(evidence: unknown) {
  const e = estimateSchema.parse(record(evidence));
  return {
    predictedKg: e.predictedKg ?? null,
    baselineKg: e.baselineKg ?? null,
    excessKg: e.excessKg ?? null,
    basisKg: e.basisKg ?? null,
    reductionPctMin: e.reductionPct?.min ?? null,
    reductionPctMax: e.reductionPct?.max ?? null,
    affectedSharePct: e.affectedSharePct ?? null,
    fleetShare: e.fleetShare ?? null,
    attributedExcessKg: e.attributedExcessKg ?? null,
    rangeKgMin: e.rangeKg?.[0] ?? null,
    rangeKgMid: e.rangeKg?.[1] ?? null,
    rangeKgMax: e.rangeKg?.[2] ?? null,
    boundApplied: e.boundApplied ?? null,
    boundKg: e.boundKg ?? null,
    shareOfExcessPct: e.shareOfExcessPct ?? null,
  };
}

export function diagnosisOf(evidence: unknown): RecommendationDiagnosis | null {
  const d = diagnosisSchema.safeParse(record(evidence).diagnosis);
  return d.success ? d.data : null;
}
