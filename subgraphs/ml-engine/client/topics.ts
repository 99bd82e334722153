// ml-engine's bus topics. Payloads are small signals: the predictions are in ml-engine's tables.
import { topicsOf } from '@carbon-nexus/plugin-sdk/contract';

const topic = topicsOf('ml-engine');

/** Predictions were written. */
export type PredictionCreated = {
  ids: string[];
  count: number;
  supplierIds: string[];
  from: string;
  to: string;
};
export const predictionCreated = topic<PredictionCreated>('prediction.created');
