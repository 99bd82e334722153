// User actions: run on demand, cadence override, outlier thresholds (analyst+, audited).
import {
  badInput,
  forbidden,
  parseRange,
  parseUuid,
  requireRole,
  runInScope,
  SYSTEM_CLAIMS,
  canSeeSupplier,
  type ResolverContext,
} from '@carbon-nexus/plugin-sdk';
import { assessQuality, scheduledWindow } from '../jobs/assess.ts';
import { cadenceRows, cadenceView, getThresholds, saveThresholds } from '../store.ts';
import { st, svc } from './common.ts';

export const mutations = {
  async runDataQuality(_: unknown, a: { from?: string | null; to?: string | null }, ctx: ResolverContext) {
    const auth = requireRole(ctx.auth, 'analyst', 'approver');
    if (auth.supplierIds !== null)
      throw forbidden('a run covers all suppliers: a supplier-scoped token may not start one');
    const s = svc(ctx);
    let range: { from: number; to: number };
    if (a.from || a.to) {
      if (!a.from) throw badInput('from', 'required when to is given');
      if (!a.to) throw badInput('to', 'required when from is given');
      range = parseRange(a.from, a.to, { maxDays: s.config.QUALITY_MAX_RANGE_DAYS });
    } else range = scheduledWindow(s.config, new Date());
    await s.audit({
      action: 'data-quality.run',
      entityType: 'data_quality',
      metadata: { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() },
    });
    // The run writes gap fills (GAP_FILL needs the system role at data-core): it acts as the platform, like the scheduled job.
    return runInScope({ auth: SYSTEM_CLAIMS }, () => assessQuality(s, st(ctx), range.from, range.to));
  },

  async setExpectedCadence(_: unknown, a: { supplierId: string; eventsPerHour?: number | null }, ctx: ResolverContext) {
    const auth = requireRole(ctx.auth, 'analyst', 'approver');
    parseUuid('supplierId', a.supplierId, 'a supplier id');
    if (!canSeeSupplier(auth, a.supplierId)) throw forbidden('you may not change this supplier');
    const v = a.eventsPerHour ?? null;
    if (v != null && !(Number.isFinite(v) && v > 0 && v <= 100_000))
      throw badInput('eventsPerHour', `must be > 0 and ≤ 100000 events per hour, or null to clear (got ${v})`);
    const s = svc(ctx);
    const before = (await cadenceRows(s.db, [a.supplierId])).get(a.supplierId);
    await s.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO supplier_cadence (supplier_id, override_per_hour, override_by, override_at, active_hours_of_day) VALUES ($1, $2, $3, now(), '{}')
         ON CONFLICT (supplier_id) DO UPDATE SET override_per_hour = EXCLUDED.override_per_hour, override_by = EXCLUDED.override_by, override_at = now()`,
        [a.supplierId, v, auth.sub],
      );
      await s.audit(
        {
          action: 'data-quality.cadence.set',
          entityType: 'supplier',
          entityId: a.supplierId,
          metadata: { eventsPerHour: v, previous: before?.override_per_hour ?? null },
        },
        tx,
      );
    });
    return cadenceView(a.supplierId, (await cadenceRows(s.db, [a.supplierId])).get(a.supplierId));
  },

  async setOutlierThresholds(
    _: unknown,
    a: {
      input: {
        iqrK?: number | null;
        iqrLogScale?: boolean | null;
        iqrRelativeFloor?: number | null;
        dbscanEps?: number | null;
        dbscanMinPts?: number | null;
        minSamples?: number | null;
      };
    },
    ctx: ResolverContext,
  ) {
    const auth = requireRole(ctx.auth, 'analyst', 'approver');
    if (auth.supplierIds !== null)
      throw forbidden('thresholds apply to all suppliers: a supplier-scoped token may not change them');
    const i = a.input;
    if (i.iqrK != null && !(i.iqrK > 0 && i.iqrK <= 10))
      throw badInput('input.iqrK', `must be > 0 and ≤ 10 (got ${i.iqrK})`);
    if (i.iqrRelativeFloor != null && !(i.iqrRelativeFloor >= 0 && i.iqrRelativeFloor <= 1))
      throw badInput('input.iqrRelativeFloor', `must be a fraction 0..1 of the median (got ${i.iqrRelativeFloor})`);
    if (i.dbscanEps != null && !(i.dbscanEps > 0 && i.dbscanEps <= 20))
      throw badInput('input.dbscanEps', `must be > 0 and ≤ 20 standardized units (got ${i.dbscanEps})`);
    if (i.dbscanMinPts != null && !(Number.isInteger(i.dbscanMinPts) && i.dbscanMinPts >= 1 && i.dbscanMinPts <= 1000))
      throw badInput('input.dbscanMinPts', `must be an integer 1..1000 (got ${i.dbscanMinPts})`);
    if (i.minSamples != null && !(Number.isInteger(i.minSamples) && i.minSamples >= 4 && i.minSamples <= 100_000))
      throw badInput('input.minSamples', `must be an integer 4..100000 (got ${i.minSamples})`);
    const s = svc(ctx);
    const cur = await getThresholds(s.db, s.config);
    const next = {
      iqrK: i.iqrK ?? cur.iqrK,
      iqrLog: i.iqrLogScale ?? cur.iqrLogScale,
      iqrRelFloor: i.iqrRelativeFloor ?? cur.iqrRelativeFloor,
      dbscanEps: i.dbscanEps ?? cur.dbscanEps,
      dbscanMinPts: i.dbscanMinPts ?? cur.dbscanMinPts,
      minSamples: i.minSamples ?? cur.minSamples,
    };
    await s.db.transaction(async (tx) => {
      await saveThresholds(tx, next, auth.sub);
      await s.audit(
        {
          action: 'data-quality.thresholds.set',
          entityType: 'data_quality_settings',
          entityId: 'outlier_thresholds',
          metadata: {
            before: {
              iqrK: cur.iqrK,
              iqrLog: cur.iqrLogScale,
              iqrRelFloor: cur.iqrRelativeFloor,
              dbscanEps: cur.dbscanEps,
              dbscanMinPts: cur.dbscanMinPts,
              minSamples: cur.minSamples,
            },
            after: next,
          },
        },
        tx,
      );
    });
    return getThresholds(s.db, s.config);
  },
};
