// Event → model features: one mapper per event type (transport→logistics, factory→factory,
// warehouse→warehouse, delivery→last-mile).
import type { EngineModel, StoredModelName } from '../../engine/models-adapter.ts';
import { mapDelivery } from './delivery.ts';
import { mapFactory } from './factory.ts';
import { mapTransport } from './transport.ts';
import { mapWarehouse } from './warehouse.ts';
import type { FeatureSpecLike, MapResult, NormalizedEvent } from './types.ts';

export type { NormalizedEvent, MappedEvent, MapResult } from './types.ts';

const MAPPERS: Record<
  string,
  { model: StoredModelName; map: (e: NormalizedEvent, specs: FeatureSpecLike[]) => MapResult }
> = {
  TRANSPORT: { model: 'logistics', map: mapTransport },
  FACTORY: { model: 'factory', map: mapFactory },
  WAREHOUSE: { model: 'warehouse', map: mapWarehouse },
  DELIVERY: { model: 'last-mile', map: mapDelivery },
};

/** Events that are not predicted: gap fills are already estimates, rejected/superseded rows count nowhere. */
export function predictable(e: NormalizedEvent): string | null {
  const src = (e.dataSource ?? '').toUpperCase();
  const q = (e.qualityStatus ?? '').toUpperCase();
  if (src === 'GAP_FILL') return 'gap-fill events are estimates already';
  if (q === 'REJECTED' || q === 'SUPERSEDED') return `quality status ${q.toLowerCase()}`;
  return null;
}

export function mapEvent(e: NormalizedEvent, models: Map<StoredModelName, EngineModel>): MapResult {
  const m = MAPPERS[(e.eventType ?? '').toUpperCase()];
  if (!m) return { skip: `no model for event type ${e.eventType}` };
  const why = predictable(e);
  if (why) return { skip: why };
  const model = models.get(m.model);
  if (!model) return { skip: `model ${m.model} not loaded` };
  return m.map(e, model.card.features);
}
