import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import type { Config } from './config.ts';
import { loadArtifact, verifyArtifact, type GapfillArtifact } from './domain/gapfill-model.ts';

export interface State {
  model: GapfillArtifact;
  /** Serializes runs in this process. */
  lock: Promise<unknown>;
}

export function createState(services: PluginServices<Config>): State {
  const model = loadArtifact(services.config.QUALITY_GAPFILL_MODEL ?? undefined);
  verifyArtifact(model);
  services.logger.info({ model: `${model.name}@${model.version}`, metrics: model.metrics }, 'gap-fill model loaded');
  return { model, lock: Promise.resolve() };
}
