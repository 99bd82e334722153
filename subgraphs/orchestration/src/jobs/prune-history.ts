// The history retention job: each resumable history is cut to its retention period (store/history-retention.ts).
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import type { OrchestrationConfig } from '../config.ts';
import { pruneHistory, type PruneResult } from '../store/history-retention.ts';

export async function pruneHistories(services: PluginServices<OrchestrationConfig>): Promise<PruneResult[]> {
  const c = services.config;
  const results = [
    await pruneHistory(services.db, 'hotspot_changes', c.HOTSPOT_CHANGES_RETENTION_DAYS),
    await pruneHistory(services.db, 'alerts', c.ALERTS_RETENTION_DAYS),
  ];
  services.logger.info(
    {
      removed: Object.fromEntries(results.map((r) => [r.stream, r.removed])),
      prunedThrough: Object.fromEntries(results.map((r) => [r.stream, r.prunedThrough])),
      retentionDays: { hotspot_changes: c.HOTSPOT_CHANGES_RETENTION_DAYS, alerts: c.ALERTS_RETENTION_DAYS },
    },
    'history pruned',
  );
  return results;
}
