export { Rng, rng } from './random.js';
export * from './types.js';
export { generate, rowToSample, toFloat32Sample } from './dataset.js';
export {
  logistics,
  logisticsPhysics,
  logisticsBaseline,
  logisticsEnergy,
  LOGISTICS_FEATURES,
  VEHICLE_CLASSES,
} from './logistics.js';
export { factory, factoryPhysics, factoryBaseline, FACTORY_FEATURES } from './factory.js';
export { warehouse, warehousePhysics, warehouseBaseline, WAREHOUSE_FEATURES } from './warehouse.js';
export { lastmile, lastmilePhysics, lastmileBaseline, LASTMILE_FEATURES } from './lastmile.js';
export { seasonalSeries, type SeriesPoint, type SeriesOptions } from './series.js';
import { factory } from './factory.js';
import { lastmile } from './lastmile.js';
import { logistics } from './logistics.js';
import { warehouse } from './warehouse.js';
import type { Generator, Sample } from './types.js';

export const GENERATORS: Record<string, Generator> = { logistics, factory, warehouse, lastmile };

/** Factor-only baseline (what a REST carbon-factor API would return) for a named model. */
export function factorOnlyBaseline(model: string, sample: Sample): number {
  const g = GENERATORS[model];
  if (!g) throw new Error(`unknown model "${model}"`);
  return g.factorOnlyBaseline(sample);
}
