import type { InferenceEngine } from './inference.ts';
import type { Pipeline } from './pipeline.ts';

/** What ml-engine's init returns (ResolverContext.state). */
export interface MlState {
  engine: InferenceEngine;
  pipeline: Pipeline;
  /** Models the contract names but the library has no artifact for. */
  missingModels: string[];
  /** Stops taking bus batches and waits for queued ones to be predicted and stored. */
  drain(): Promise<void>;
}
