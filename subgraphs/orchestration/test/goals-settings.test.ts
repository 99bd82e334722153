// Goals (setGoal / goals / deleteGoal) and hotspot thresholds (hotspotSettings / updateHotspotSettings) with the
// REAL data-core: goal figures come from the stored baselines, every change is audited, and a changed
// threshold changes the severity of the next detection cycle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@carbon-nexus/db';
import type { SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { createSupplier, ingest, leg, startKit } from './helpers.ts';

const ANALYST = { sub: 'ana', roles: ['analyst'], supplierIds: null };
const VIEWER = { sub: 'vic', roles: ['viewer'], supplierIds: null };
const ADMIN = { sub: 'root', roles: ['admin'], supplierIds: null };

const GOAL_FIELDS = `id name scope scopeId supplier { id } period targetKg reductionPct hoursPerPeriod baselineKg effectiveTargetKg targetKgPerHour requiredSavingsKg createdBy updatedBy`;
const SET_GOAL = `mutation($input: GoalInput!) { setGoal(input: $input) { ${GOAL_FIELDS} } }`;
const GOALS = `query($scope: GoalScope) { goals(scope: $scope) { ${GOAL_FIELDS} } }`;
const SETTINGS_FIELDS = `thresholds { entityType info warn critical source updatedBy } entityTypes windowMinutes`;
const EVIDENCE_FIELDS = `thresholds { entityType minEvents noiseSigmas source } baselineWeeks baselineMinSamples`;
const SETTINGS = `{ hotspotSettings { ${SETTINGS_FIELDS} } }`;
const UPDATE = `mutation($input: HotspotSettingsInput!) { updateHotspotSettings(input: $input) { ${SETTINGS_FIELDS} } }`;
const DETECT = `mutation($s: String, $e: String) { detectHotspots(windowStart: $s, windowEnd: $e) { created escalated updated resolved alertsRaised suppressed } }`;
const OVERRIDE = `mutation($i: BaselineOverrideInput!) { setBaselineOverride(input: $i) { id } }`;

describe.each(testDatabaseTargets())('goals and hotspot thresholds (%s)', (target) => {
  let kit: SubgraphTestkit;
  let a: string; // TRANSPORT supplier with a spike in the window
  let b: string; // FACTORY supplier
  const BASE_A = 40; // kg CO2e/h (override)
  const BASE_B = 10;
  const end = new Date();
  const start = new Date(end.getTime() - 60 * 60_000);
  let predictedA = 0;

  const fail = async (doc: string, vars: Record<string, unknown>, auth: any) =>
    (await kit.execute(doc, vars, { auth })).errors?.[0];
  const audits = async (action: string) =>
    kit.db.query<{ user_id: string; entity_id: string; metadata: any }>(
      `SELECT user_id, entity_id, metadata FROM audit_logs WHERE action = $1 ORDER BY created_at`,
      [action],
    );

  beforeAll(async () => {
    kit = await startKit({ target });
    a = await createSupplier(kit, 'Acme Haulage');
    const r = await kit.query<{ createSupplier: { id: string } }>(
      `mutation($input: SupplierInput!) { createSupplier(input: $input) { id } }`,
      { input: { name: 'Borealis Steel', category: 'FACTORY', country: 'GB' } },
      { plugin: 'data-core' },
    );
    b = r.createSupplier.id;
    const spike = [10, 20, 30].map((m) => leg(a, new Date(end.getTime() - m * 60_000), 20_000));
    await ingest(kit, spike);
    // Detection measures data-core's figure: the window's kg is the emissionsSeries sum.
    const series = await kit.query<{ emissionsSeries: { key: string; co2eKg: number; eventCount: number }[] }>(
      `query($f: String!, $t: String!) { emissionsSeries(from: $f, to: $t, bucket: HOUR, groupBy: SUPPLIER) { key co2eKg eventCount } }`,
      { f: start.toISOString(), t: end.toISOString() },
      { plugin: 'data-core' },
    );
    const ofA = series.emissionsSeries.filter((x) => x.key === a);
    predictedA = ofA.reduce((s, x) => s + x.co2eKg, 0);
    expect(ofA.reduce((s, x) => s + x.eventCount, 0)).toBe(3);
    expect(predictedA).toBeGreaterThan(0);
    await kit.query(OVERRIDE, { i: { entityType: 'supplier', entityId: b, valueKgPerHour: BASE_B } });
  }, 300_000);
  afterAll(async () => kit?.stop());

  describe('goals', () => {
    it('a reduction goal over ALL is measured against the sum of supplier baselines', async () => {
      await kit.query(OVERRIDE, { i: { entityType: 'supplier', entityId: a, valueKgPerHour: BASE_A } });
      const g = (
        await kit.query(SET_GOAL, { input: { scope: 'ALL', period: 'DAY', reductionPct: 20 } }, { auth: ANALYST })
      ).setGoal;
      const baselineKg = (BASE_A + BASE_B) * 24;
      expect(g).toMatchObject({
        name: 'All emissions per day',
        scope: 'ALL',
        scopeId: null,
        period: 'DAY',
        targetKg: null,
        reductionPct: 20,
        hoursPerPeriod: 24,
        createdBy: 'ana',
      });
      expect(g.baselineKg).toBeCloseTo(baselineKg, 6);
      expect(g.effectiveTargetKg).toBeCloseTo(baselineKg * 0.8, 6);
      expect(g.targetKgPerHour).toBeCloseTo((BASE_A + BASE_B) * 0.8, 6);
      expect(g.requiredSavingsKg).toBeCloseTo(baselineKg * 0.2, 6);
      const [entry] = await audits('goal.create');
      expect(entry).toMatchObject({ user_id: 'ana', entity_id: g.id });
      expect(entry.metadata).toMatchObject({ before: null, after: { scope: 'ALL', period: 'DAY', reductionPct: 20 } });
    });

    it('setting the same scope and period again replaces the goal (same id) and audits before/after', async () => {
      const before = (await kit.query(GOALS, { scope: 'ALL' }, { auth: VIEWER })).goals;
      const g = (
        await kit.query(
          SET_GOAL,
          { input: { scope: 'ALL', period: 'DAY', targetKg: 600, name: 'Fleet cap' } },
          { auth: ANALYST },
        )
      ).setGoal;
      expect(g.id).toBe(before[0].id);
      expect(g).toMatchObject({
        name: 'Fleet cap',
        targetKg: 600,
        reductionPct: null,
        effectiveTargetKg: 600,
        targetKgPerHour: 25,
      });
      expect(g.requiredSavingsKg).toBeCloseTo((BASE_A + BASE_B) * 24 - 600, 6);
      const [upd] = await audits('goal.update');
      expect(upd.metadata).toMatchObject({
        before: { reductionPct: 20, targetKg: null },
        after: { targetKg: 600, reductionPct: null, name: 'Fleet cap' },
      });
    });

    it('CATEGORY goals use the suppliers of that category (from data-core); SUPPLIER goals that supplier', async () => {
      const cat = (
        await kit.query(
          SET_GOAL,
          { input: { scope: 'CATEGORY', scopeId: 'TRANSPORT', period: 'MONTH', reductionPct: 10 } },
          { auth: ANALYST },
        )
      ).setGoal;
      expect(cat).toMatchObject({ name: 'Transport per month', scopeId: 'TRANSPORT', hoursPerPeriod: 720 });
      expect(cat.baselineKg).toBeCloseTo(BASE_A * 720, 6);
      const sup = (
        await kit.query(
          SET_GOAL,
          { input: { scope: 'SUPPLIER', scopeId: b, period: 'YEAR', targetKg: 50_000 } },
          { auth: ANALYST },
        )
      ).setGoal;
      expect(sup).toMatchObject({
        name: 'Borealis Steel per year',
        supplier: { id: b },
        hoursPerPeriod: 8760,
        effectiveTargetKg: 50_000,
      });
      expect(sup.baselineKg).toBeCloseTo(BASE_B * 8760, 6);
      expect(sup.requiredSavingsKg).toBeCloseTo(BASE_B * 8760 - 50_000, 6);
      // A category nobody belongs to has no baseline: the figures say so instead of inventing one.
      const empty = (
        await kit.query(
          SET_GOAL,
          { input: { scope: 'CATEGORY', scopeId: 'WAREHOUSE', period: 'DAY', reductionPct: 5 } },
          { auth: ANALYST },
        )
      ).setGoal;
      expect(empty).toMatchObject({
        baselineKg: null,
        effectiveTargetKg: null,
        targetKgPerHour: null,
        requiredSavingsKg: null,
      });
      const all = (await kit.query(GOALS, {}, { auth: VIEWER })).goals;
      expect(all.map((g: any) => `${g.scope}:${g.scopeId ?? ''}:${g.period}`)).toEqual([
        'ALL::DAY',
        'CATEGORY:TRANSPORT:MONTH',
        'CATEGORY:WAREHOUSE:DAY',
        `SUPPLIER:${b}:YEAR`,
      ]);
    });

    it('supplier-scoped callers see and set only their suppliers’ goals; audit entries carry the supplier', async () => {
      const scopedB = { sub: 'sup-b', roles: ['analyst'], supplierIds: [b] };
      const seen = (await kit.query(GOALS, {}, { auth: scopedB })).goals;
      expect(seen.map((g: any) => g.scopeId)).toEqual([b]);
      expect(
        (await fail(SET_GOAL, { input: { scope: 'ALL', period: 'DAY', targetKg: 5 } }, scopedB))?.extensions?.code,
      ).toBe('FORBIDDEN');
      expect(
        (await fail(SET_GOAL, { input: { scope: 'SUPPLIER', scopeId: a, period: 'DAY', targetKg: 5 } }, scopedB))
          ?.extensions?.code,
      ).toBe('FORBIDDEN');
      const own = (
        await kit.query(
          SET_GOAL,
          { input: { scope: 'SUPPLIER', scopeId: b, period: 'DAY', targetKg: 200 } },
          { auth: scopedB },
        )
      ).setGoal;
      const entry = (await audits('goal.create')).find((e) => e.entity_id === own.id)!;
      expect(entry.metadata.supplierId).toBe(b);
    });

    it('rejects bad input with errors naming the field, and viewers may not set goals', async () => {
      const field = async (input: Record<string, unknown>) => (await fail(SET_GOAL, { input }, ANALYST))?.extensions;
      expect(await field({ scope: 'ALL', period: 'DAY' })).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.targetKg',
      });
      expect(await field({ scope: 'ALL', period: 'DAY', targetKg: 10, reductionPct: 5 })).toMatchObject({
        field: 'input.reductionPct',
      });
      expect(await field({ scope: 'ALL', period: 'DAY', targetKg: -5 })).toMatchObject({ field: 'input.targetKg' });
      expect(await field({ scope: 'ALL', period: 'DAY', reductionPct: 150 })).toMatchObject({
        field: 'input.reductionPct',
      });
      expect(await field({ scope: 'CATEGORY', scopeId: 'SPACESHIP', period: 'DAY', targetKg: 1 })).toMatchObject({
        field: 'input.scopeId',
      });
      expect(await field({ scope: 'SUPPLIER', period: 'DAY', targetKg: 1 })).toMatchObject({ field: 'input.scopeId' });
      expect(await field({ scope: 'ALL', scopeId: a, period: 'DAY', targetKg: 1 })).toMatchObject({
        field: 'input.scopeId',
      });
      expect(await field({ scope: 'ALL', period: 'DAY', targetKg: 1, name: 'x'.repeat(121) })).toMatchObject({
        field: 'input.name',
      });
      const msg = (await fail(SET_GOAL, { input: { scope: 'ALL', period: 'DAY', reductionPct: 150 } }, ANALYST))
        ?.message;
      expect(msg).toBe('input.reductionPct: must be a percentage in (0, 100]');
      expect(
        (await fail(SET_GOAL, { input: { scope: 'ALL', period: 'DAY', targetKg: 1 } }, VIEWER))?.extensions?.code,
      ).toBe('FORBIDDEN');
    });

    it('deleteGoal removes it (audited); an unknown id is NOT_FOUND', async () => {
      const [warehouse] = (await kit.query(GOALS, { scope: 'CATEGORY' }, { auth: VIEWER })).goals.filter(
        (g: any) => g.scopeId === 'WAREHOUSE',
      );
      expect(
        (await kit.query(`mutation($id: ID!) { deleteGoal(id: $id) }`, { id: warehouse.id }, { auth: ANALYST }))
          .deleteGoal,
      ).toBe(true);
      expect(
        (await kit.query(GOALS, { scope: 'CATEGORY' }, { auth: VIEWER })).goals.map((g: any) => g.scopeId),
      ).toEqual(['TRANSPORT']);
      const [del] = await audits('goal.delete');
      expect(del).toMatchObject({ user_id: 'ana', entity_id: warehouse.id });
      expect(
        (await fail(`mutation($id: ID!) { deleteGoal(id: $id) }`, { id: warehouse.id }, ANALYST))?.extensions?.code,
      ).toBe('NOT_FOUND');
    });
  });

  describe('hotspot thresholds', () => {
    it('reads the defaults, validates updates naming the field, and only admins may change them', async () => {
      const s = (await kit.query(SETTINGS, {}, { auth: VIEWER })).hotspotSettings;
      expect(s.thresholds).toEqual([
        { entityType: 'default', info: 80, warn: 100, critical: 150, source: 'DEFAULT', updatedBy: null },
      ]);
      expect(s).toMatchObject({ entityTypes: ['supplier'], windowMinutes: 60 });
      const err = async (input: unknown, auth: any = ADMIN) => (await fail(UPDATE, { input }, auth))?.extensions;
      expect(await err({ thresholds: [{ info: 50, warn: 60, critical: 90 }] }, ANALYST)).toMatchObject({
        code: 'FORBIDDEN',
      });
      expect(await err({ thresholds: [{ info: 50, warn: 40, critical: 90 }] })).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.thresholds.0.warn',
      });
      expect(await err({ thresholds: [{ info: 50, warn: 60, critical: 60 }] })).toMatchObject({
        field: 'input.thresholds.0.critical',
      });
      expect(await err({ thresholds: [{ entityType: 'planet', info: 1, warn: 2, critical: 3 }] })).toMatchObject({
        field: 'input.thresholds.0.entityType',
      });
      expect(await err({ thresholds: [{ info: -1, warn: 2, critical: 3 }] })).toMatchObject({
        field: 'input.thresholds.0.info',
      });
      expect(await err({ thresholds: [] })).toMatchObject({ field: 'input.thresholds' });
    });

    it('a changed threshold changes the severity of the next detection cycle', async () => {
      // Baseline so the window is 90 % above it: INFO under the defaults (80/100/150).
      await kit.query(OVERRIDE, { i: { entityType: 'supplier', entityId: a, valueKgPerHour: predictedA / 1.9 } });
      const vars = { s: start.toISOString(), e: end.toISOString() };
      const first = (await kit.query(DETECT, vars, { auth: ANALYST })).detectHotspots;
      expect(first).toMatchObject({ created: 1, alertsRaised: 1 });
      const sev = async () =>
        (await kit.query(`{ hotspots(first: 5) { nodes { entityId severity percentAbove } } }`)).hotspots.nodes.find(
          (h: any) => h.entityId === a,
        );
      expect((await sev()).severity).toBe('INFO');
      expect((await sev()).percentAbove).toBeCloseTo(90, 3);

      const s = (
        await kit.query(
          UPDATE,
          { input: { thresholds: [{ entityType: 'supplier', info: 40, warn: 60, critical: 85 }] } },
          { auth: ADMIN },
        )
      ).updateHotspotSettings;
      expect(s.thresholds).toEqual([
        { entityType: 'default', info: 80, warn: 100, critical: 150, source: 'DEFAULT', updatedBy: null },
        { entityType: 'supplier', info: 40, warn: 60, critical: 85, source: 'SETTINGS', updatedBy: 'root' },
      ]);
      const second = (await kit.query(DETECT, vars, { auth: ANALYST })).detectHotspots;
      expect(second).toMatchObject({ escalated: 1, alertsRaised: 1 });
      expect((await sev()).severity).toBe('CRITICAL');
      const [entry] = await audits('hotspotSettings.update');
      expect(entry.user_id).toBe('root');
      expect(entry.metadata.after).toContainEqual({
        entityType: 'supplier',
        info: 40,
        warn: 60,
        critical: 85,
        minEvents: 3,
        noiseSigmas: 3,
        source: 'SETTINGS',
      });

      // Reset supplier and raise the default above 90 %: the next cycle resolves the hotspot.
      const r = (
        await kit.query(
          UPDATE,
          { input: { thresholds: [{ info: 95, warn: 120, critical: 200 }], reset: ['supplier'] } },
          { auth: ADMIN },
        )
      ).updateHotspotSettings;
      expect(r.thresholds).toEqual([
        { entityType: 'default', info: 95, warn: 120, critical: 200, source: 'SETTINGS', updatedBy: 'root' },
      ]);
      const third = (await kit.query(DETECT, vars, { auth: ANALYST })).detectHotspots;
      expect(third).toMatchObject({ resolved: 1, alertsRaised: 0 });
    });

    it('evidence settings: env defaults shown per entity type; a window with fewer events than minEvents raises nothing', async () => {
      const before = (await kit.query(`{ hotspotSettings { ${EVIDENCE_FIELDS} } }`, {}, { auth: VIEWER }))
        .hotspotSettings;
      expect(before).toEqual({
        thresholds: [{ entityType: 'default', minEvents: 3, noiseSigmas: 3, source: 'SETTINGS' }],
        baselineWeeks: 4,
        baselineMinSamples: 8,
      });
      const err = async (input: unknown) => (await fail(UPDATE, { input }, ADMIN))?.extensions;
      expect(await err({ thresholds: [{ info: 80, warn: 100, critical: 150, minEvents: 0 }] })).toMatchObject({
        field: 'input.thresholds.0.minEvents',
      });
      expect(await err({ thresholds: [{ info: 80, warn: 100, critical: 150, noiseSigmas: -1 }] })).toMatchObject({
        field: 'input.thresholds.0.noiseSigmas',
      });
      // A is 90 % above its override with 3 events: INFO under default thresholds, unless 4 events are required.
      const four = `mutation { updateHotspotSettings(input: { thresholds: [{ info: 80, warn: 100, critical: 150, minEvents: 4, noiseSigmas: 2 }] }) { ${EVIDENCE_FIELDS} } }`;
      expect((await kit.query(four, {}, { auth: ADMIN })).updateHotspotSettings.thresholds).toEqual([
        { entityType: 'default', minEvents: 4, noiseSigmas: 2, source: 'SETTINGS' },
      ]);
      const vars = { s: start.toISOString(), e: end.toISOString() };
      expect((await kit.query(DETECT, vars, { auth: ANALYST })).detectHotspots).toMatchObject({
        created: 0,
        alertsRaised: 0,
        suppressed: 1,
      });
      // Thresholds changed without naming minEvents keep the stored value; null goes back to the environment's.
      const keep = `mutation { updateHotspotSettings(input: { thresholds: [{ info: 80, warn: 100, critical: 150 }] }) { ${EVIDENCE_FIELDS} } }`;
      expect((await kit.query(keep, {}, { auth: ADMIN })).updateHotspotSettings.thresholds[0]).toMatchObject({
        minEvents: 4,
        noiseSigmas: 2,
      });
      const back = `mutation { updateHotspotSettings(input: { thresholds: [{ info: 80, warn: 100, critical: 150, minEvents: null }] }) { ${EVIDENCE_FIELDS} } }`;
      expect((await kit.query(back, {}, { auth: ADMIN })).updateHotspotSettings.thresholds[0]).toMatchObject({
        minEvents: 3,
        noiseSigmas: 2,
      });
      // The resolved hotspot ended at this window's end: the same window again starts a new episode.
      expect((await kit.query(DETECT, vars, { auth: ANALYST })).detectHotspots).toMatchObject({
        created: 1,
        alertsRaised: 1,
        suppressed: 0,
      });
      const [entry] = (await audits('hotspotSettings.update')).slice(-1);
      expect(entry.metadata.after).toContainEqual({
        entityType: 'default',
        info: 80,
        warn: 100,
        critical: 150,
        minEvents: 3,
        noiseSigmas: 2,
        source: 'SETTINGS',
      });
    });
  });
});
