// Catch-up: the bus only signals, so a missed hotspot.changed must not leave a hotspot without recommendations.
// Asks orchestration for open hotspots and queues those that have no finished or running generation.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import { openHotspots } from '../peers.ts';
import { hotspotsWithRuns } from '../store/recommendations.ts';
import type { RecommendationEngine } from './engine.ts';

export async function catchUp(services: PluginServices, engine: RecommendationEngine): Promise<number> {
  const list = await openHotspots(services);
  if (!list.length) return 0;
  const seen = await hotspotsWithRuns(
    services.db,
    list.map((h) => h.id),
  );
  let queued = 0;
  for (const h of list) {
    if (seen.has(h.id)) continue;
    if (await engine.enqueue(h.id, `catchup:${h.severity.toLowerCase()}`)) queued++;
  }
  if (queued) services.logger.info({ queued }, 'recommendations: catch-up queued hotspots without recommendations');
  return queued;
}
