import type { InferenceEngine } from './inference.ts';
import type { Pipeline } from './pipeline.ts';

/** What ml-engine's init returns (ResolverContext.state). */
export interface MlState {
  engine: InferenceEngine;
  pipeline: Pipeline;
  /** Models the contract names but the library has no artifact for. */
  missingModels: string[];
  /** Stops listening, writes what was received to the queue and finishes the batch in hand (the rest waits). */
  drain(): Promise<void>;
}
