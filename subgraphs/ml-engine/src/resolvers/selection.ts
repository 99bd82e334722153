// Which fields a resolver's result is asked for (through inline fragments and fragment spreads), so a batch query
// can leave out columns nobody reads (e.g. the per-prediction explanation JSON on list views).
import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';

export function selectedFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): Set<string> {
  const out = new Set<string>();
  const walk = (set: SelectionSetNode | undefined) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === 'Field') out.add(s.name.value);
      else if (s.kind === 'InlineFragment') walk(s.selectionSet);
      else walk(info.fragments[s.name.value]?.selectionSet);
    }
  };
  for (const f of info.fieldNodes) walk(f.selectionSet);
  return out;
}

/** The stored columns behind each Prediction field (what PredictionView reads for it). */
const PREDICTION_FIELD_COLUMNS: Record<string, readonly string[]> = {
  id: ['id'],
  model: ['model'],
  modelVersion: ['model_version'],
  supplier: ['supplier_id'],
  eventId: ['event_id'],
  eventType: ['event_type'],
  entityType: ['entity_type'],
  entityId: ['entity_id'],
  route: ['route'],
  timestamp: ['"timestamp"'],
  co2eKg: ['output_co2_kg'],
  lowerKg: ['lower'],
  upperKg: ['upper'],
  confidence: ['confidence'],
  contributions: ['feature_importance'],
  contributionMethod: ['feature_importance'],
  createdAt: ['created_at'],
  cursor: ['created_at'],
};

/** Every column a field reads, each once, in the order of PREDICTION_FIELD_COLUMNS. */
const ORDERED_COLUMNS = [...new Set(['id', 'supplier_id', ...Object.values(PREDICTION_FIELD_COLUMNS).flat()])];

/**
 * The prediction columns a selection reads, in a fixed order (one loader batch per column set): always id and
 * supplier_id (rows are grouped by supplier), plus those of each selected field. A list view of five fields then
 * reads six of sixteen columns.
 */
export function predictionColumns(fields: ReadonlySet<string>): string[] {
  const cols = new Set<string>(['id', 'supplier_id']);
  for (const f of fields) for (const c of PREDICTION_FIELD_COLUMNS[f] ?? []) cols.add(c);
  return ORDERED_COLUMNS.filter((c) => cols.has(c));
}
