// The slice of data-core's `Event` that ml-engine reads (EventsModelInputsPage in data-core's client; ../../datacore.ts).
import type { RowAdjustment, FeatureRow } from '../../engine/inference.ts';
import type { StoredModelName } from '../../engine/models-adapter.ts';

export interface NormalizedEvent {
  id: string;
  supplierId: string;
  /** TRANSPORT | FACTORY | WAREHOUSE | DELIVERY */
  eventType: string;
  timestamp: string;
  distanceKm?: number | null;
  loadKg?: number | null;
  vehicleType?: string | null;
  fuelType?: string | null;
  speedKmh?: number | null;
  fuelL?: number | null;
  energyKwh?: number | null;
  route?: string | null;
  facilityId?: string | null;
  region?: string | null;
  productionUnits?: number | null;
  areaM2?: number | null;
  refrigerated?: boolean | null;
  stops?: number | null;
  parcels?: number | null;
  idleMinutes?: number | null;
  gradientPct?: number | null;
  attributes?: Record<string, unknown> | null;
  dataSource?: string | null;
  qualityStatus?: string | null;
}

export interface MappedEvent {
  model: StoredModelName;
  features: FeatureRow;
  adjust: RowAdjustment;
  entityType: string;
  entityId: string;
}

/** Either the model row or the reason the event cannot be predicted (counted, logged). */
export type MapResult = MappedEvent | { skip: string };

export interface FeatureSpecLike {
  name: string;
  min: number;
  max: number;
  kind: string;
}
