// What the data-quality plugin runs: the same feature and context code the model was trained with.
export { contextOf } from './context.ts';
export { features, featureNames, predictFill, predictRatio } from './features.ts';
export type { GapfillInput, GapfillSpec } from './features.ts';
