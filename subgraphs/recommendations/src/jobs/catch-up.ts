// Catch-up: the bus only signals, so a missed hotspot.changed must not leave a hotspot without recommendations.
// Asks orchestration for open hotspots and queues those that have no finished or running generation.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import type { RecommendationEngine } from '../domain/engine.ts';

const DOCS = [
  `{ hotspots(status: OPEN, first: 100) { id severity } }`,
  `{ hotspots(status: OPEN, first: 100) { nodes { id severity } } }`,
  `{ hotspots(status: OPEN, first: 100) { edges { node { id severity } } } }`,
];

export async function catchUp(services: PluginServices<any>, engine: RecommendationEngine): Promise<number> {
  let list: { id: string; severity: string }[] | null = null;
  let lastErr: unknown;
  for (const doc of DOCS) {
    try {
      const d = await services.call<{ hotspots: any }>('orchestration', doc);
      const h = d.hotspots;
      list = Array.isArray(h) ? h : h?.nodes ?? h?.edges?.map((e: any) => e.node) ?? [];
      break;
    } catch (err) {
      lastErr = err;
    }
  }
  if (!list) throw lastErr;
  if (!list.length) return 0;
  const done = await services.db.query<{ hotspot_id: string }>(
    `SELECT DISTINCT hotspot_id FROM recommendation_runs WHERE hotspot_id = ANY($1::uuid[]) AND status IN ('done', 'running')`,
    [list.map((h) => h.id)],
  );
  const seen = new Set(done.map((r) => r.hotspot_id));
  let queued = 0;
  for (const h of list) {
    if (seen.has(h.id)) continue;
    if (await engine.enqueue(h.id, `catchup:${String(h.severity).toLowerCase()}`)) queued++;
  }
  if (queued) services.logger.info({ queued }, 'recommendations: catch-up queued hotspots without recommendations');
  return queued;
}
