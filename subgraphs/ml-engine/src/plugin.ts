import { definePlugin, loadTypeDefs } from '@carbon-nexus/plugin-sdk';
import { resolvers } from './resolvers/index.ts';
import { configSchema } from './config.ts';
import { loadAllModels } from './engine/models-adapter.ts';
import { createInferenceEngine } from './engine/inference.ts';
import { createPipeline } from './jobs/pipeline.ts';
import { forecastAll } from './jobs/forecast.ts';
import type { MlState } from './state.ts';
import { eventNormalized } from '@carbon-nexus/data-core/client';

export default definePlugin<MlState, typeof configSchema>({
  id: 'ml-engine',
  description: 'ONNX emission models, explanations, 7-day forecast',
  // Calls data-core (events, emissionsSeries) at run time only: inference works without it.
  uses: {
    'data-core':
      'queued events wait in the prediction queue and are retried until data-core answers; forecasts younger than ' +
      'an hour are still served, new ones fail until it answers; predictions from given features still work',
  },
  config: configSchema,
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
  async init(services) {
    // One ONNX session per model, created once.
    const { models, missing } = await loadAllModels();
    if (missing.length)
      services.logger.warn({ missing }, 'models without artifacts (train them with npm run train -w models)');
    const engine = createInferenceEngine(models, services.metrics);
    // Every announced event goes to the durable prediction queue; the catch-up finds what was announced while no
    // ml-engine listened (subscribe first, so nothing falls between the two). The subscription ends at drain.
    const pipeline = createPipeline(services, engine);
    services.bus.subscribe(eventNormalized, (payload) => {
      if (payload.ids?.length) pipeline.enqueue(payload);
    });
    pipeline.start();
    return { engine, pipeline, missingModels: missing };
  },
  // The worker loop is the pipeline's own: it writes what was received and finishes the batch in hand.
  async stop(state) {
    await state.pipeline.drain();
  },
  ready(state) {
    return state.engine.models.size > 0;
  },
  jobs: {
    forecastDaily: {
      cron: (config) => config.FORECAST_CRON,
      async run(services) {
        await forecastAll(services, services.config.FORECAST_MAX_SUPPLIERS);
      },
    },
  },
});
