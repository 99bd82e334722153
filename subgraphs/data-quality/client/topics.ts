// data-quality's bus topics.
import { topicsOf } from '@carbon-nexus/plugin-sdk/contract';

const topic = topicsOf('data-quality');

/** Data-quality windows of these suppliers over [from, to) were (re)assessed. */
export type QualityUpdated = {
  supplierIds: string[];
  from: string;
  to: string;
};
export const qualityUpdated = topic<QualityUpdated>('quality.updated');
