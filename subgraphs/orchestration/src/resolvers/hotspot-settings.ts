// hotspotSettings / updateHotspotSettings: the severity thresholds the next detection cycle uses.
import { requireRole, type ResolverContext } from '@carbon-nexus/plugin-sdk';
import type { OrchestrationConfig } from '../config.ts';
import { svc } from './common.ts';
import { describeThresholds, parseSettingsInput, storedThresholds, writeThresholds } from '../store/thresholds.ts';
import type { SqlQueryable } from '@carbon-nexus/db';

type ThresholdView = ReturnType<typeof describeThresholds>[number];

/** What the audit entry keeps of a threshold row (not who changed it when). */
const audited = ({ entityType, info, warn, critical, minEvents, noiseSigmas, source }: ThresholdView) => ({
  entityType,
  info,
  warn,
  critical,
  minEvents,
  noiseSigmas,
  source,
});

const envEvidence = (c: OrchestrationConfig) => ({
  minEvents: c.HOTSPOT_MIN_EVENTS,
  noiseSigmas: c.HOTSPOT_NOISE_SIGMAS,
});

async function settings(ctx: ResolverContext, db: SqlQueryable = svc(ctx).db) {
  const c = svc(ctx).config;
  return {
    thresholds: describeThresholds(c.HOTSPOT_THRESHOLDS, await storedThresholds(db), envEvidence(c)).map((t) => ({
      ...t,
    })),
    entityTypes: c.HOTSPOT_ENTITY_TYPES,
    windowMinutes: c.HOTSPOT_WINDOW_MINUTES,
    baselineWeeks: c.BASELINE_WEEKS,
    baselineMinSamples: c.BASELINE_MIN_SAMPLES,
  };
}

export const settingsQueries = {
  async hotspotSettings(_: unknown, __: unknown, ctx: ResolverContext) {
    requireRole(ctx.auth, 'viewer', 'analyst', 'approver');
    return settings(ctx);
  },
};

export const settingsMutations = {
  async updateHotspotSettings(_: unknown, a: { input: unknown }, ctx: ResolverContext) {
    const auth = requireRole(ctx.auth, 'admin');
    const input = parseSettingsInput(a.input);
    return svc(ctx).db.transaction(async (tx) => {
      const before = describeThresholds(
        svc(ctx).config.HOTSPOT_THRESHOLDS,
        await storedThresholds(tx),
        envEvidence(svc(ctx).config),
      );
      await writeThresholds(tx, input, auth.sub);
      const after = await settings(ctx, tx);
      await svc(ctx).audit(
        {
          action: 'hotspotSettings.update',
          entityType: 'hotspot_settings',
          entityId: 'thresholds',
          metadata: {
            before: before.map(audited),
            after: after.thresholds.map(audited),
            reset: input.reset ?? [],
          },
        },
        tx,
      );
      return after;
    });
  },
};
