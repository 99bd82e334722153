import type { InferenceEngine } from './engine/inference.ts';
import type { Pipeline } from './jobs/pipeline.ts';

/** What ml-engine's init returns (ResolverContext.state). */
export interface MlState {
  engine: InferenceEngine;
  pipeline: Pipeline;
  /** Models the contract names but the library has no artifact for. */
  missingModels: string[];
}
