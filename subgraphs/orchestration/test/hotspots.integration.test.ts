// Done means: with the REAL data-core, steady history -> baselines (from data-core's figure) -> a planned
// spike -> one detection cycle yields exactly one CRITICAL hotspot, one alert, and a bus subscriber hears alert.raised.
// Then the update / escalate / resolve transitions, acknowledgement, alertRaised replay (after cursor) with no gap or
// duplicate, and a batch over past windows that leaves the live hotspots alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@carbon-nexus/db';
import type { SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { createSupplier, figureOf, history, ingest, legsBefore, startKit, until } from './helpers.ts';
import { alertRaised, hotspotChanged, type AlertRaised, type HotspotChanged } from '../client/index.ts';

const ANALYST = { sub: 'ana', roles: ['analyst'], supplierIds: null };
const VIEWER = { sub: 'vic', roles: ['viewer'], supplierIds: null };

const HOTSPOTS = `query($status: HotspotStatus, $first: Int) { hotspots(status: $status, first: $first) { totalCount
  nodes { id entityType entityId entityName severity status percentAbove predictedKg baselineKg eventCount baselineSpreadKg supplier { id } alerts { level message cursor } } } }`;
const ALERTS = `query($first: Int, $after: String, $minLevel: Severity) { alerts(first: $first, after: $after, minLevel: $minLevel) {
  nodes { id cursor level message supplier { id } hotspot { id severity } acknowledgedBy } pageInfo { hasNextPage endCursor } } }`;
const DETECT = `mutation { detectHotspots { entitiesEvaluated created escalated updated resolved alertsRaised suppressed } }`;
const PER_HOUR = 4; // steady legs per hour: enough events for a window to count (HOTSPOT_MIN_EVENTS 3)
const OVERRIDE = `mutation($i: BaselineOverrideInput!) { setBaselineOverride(input: $i) { id valueKgPerHour method isOverride hourOfWeek } }`;

describe.each(testDatabaseTargets())('hotspot engine with the real data-core (%s)', (target) => {
  let kit: SubgraphTestkit;
  let a: string, b: string, c: string;
  let legKg: number; // data-core's figure for one leg
  let hourKg: number; // a normal hour: PER_HOUR legs
  const heard: AlertRaised[] = [];

  beforeAll(async () => {
    kit = await startKit({ target });
    a = await createSupplier(kit, 'Supplier A');
    b = await createSupplier(kit, 'Supplier B');
    c = await createSupplier(kit, 'Supplier C');
    const now = new Date();
    const past = history([a, b, c], now, 30, PER_HOUR);
    await ingest(kit, past);
    legKg = await figureOf(kit, past[0].externalId);
    hourKg = PER_HOUR * legKg;
    await kit.runJob('recalculateBaselines');
    // The planned spike: A runs three times its usual legs in the last hour; B and C their usual four.
    const spike = [
      ...legsBefore(a, now, 3 * PER_HOUR),
      ...legsBefore(b, now, PER_HOUR),
      ...legsBefore(c, now, PER_HOUR),
    ];
    await ingest(kit, spike);
    kit.services.bus.subscribe(alertRaised, (p) => void heard.push(p));
  }, 300_000); // PGlite start + migration alone take 30-40 s on a loaded 2-core machine
  afterAll(async () => {
    await kit?.stop();
  });

  it("computes flat baselines per supplier from data-core's hourly figures, with spread and sample count", async () => {
    const r = await kit.query<{
      baselines: {
        nodes: {
          entityId: string;
          method: string;
          valueKgPerHour: number;
          spreadKgPerHour: number;
          samples: number;
          hourOfWeek: number | null;
        }[];
      };
    }>(
      `{ baselines(entityType: "supplier") { nodes { entityId method valueKgPerHour spreadKgPerHour samples hourOfWeek } } }`,
    );
    const flat = r.baselines.nodes.filter((n) => n.method === 'flat_median');
    expect(flat.map((n) => n.entityId).sort()).toEqual([a, b, c].sort());
    // Every hour had the same four legs: the baseline is four times data-core's figure for one leg, with no noise.
    for (const f of flat) {
      expect(f.hourOfWeek).toBeNull();
      expect(f.valueKgPerHour).toBeCloseTo(hourKg, 6);
      expect(f.spreadKgPerHour).toBe(0);
      expect(f.samples).toBeGreaterThanOrEqual(30);
    }
    // 31 hours of history: too few samples for any per-hour baseline (BASELINE_MIN_SAMPLES 3).
    expect(r.baselines.nodes.every((n) => n.hourOfWeek === null)).toBe(true);
  });

  it('one detection cycle yields exactly one CRITICAL hotspot and one alert, heard on the bus', async () => {
    const d = await kit.query<{ detectHotspots: Record<string, number> }>(DETECT, {}, { auth: ANALYST });
    expect(d.detectHotspots).toMatchObject({
      entitiesEvaluated: 3,
      created: 1,
      escalated: 0,
      alertsRaised: 1,
      suppressed: 0,
    });
    const h = await kit.query<{ hotspots: { totalCount: number; nodes: any[] } }>(HOTSPOTS, { first: 10 });
    expect(h.hotspots.totalCount).toBe(1);
    const [hot] = h.hotspots.nodes;
    expect(hot).toMatchObject({
      entityType: 'supplier',
      entityId: a,
      entityName: 'Supplier A',
      severity: 'CRITICAL',
      status: 'OPEN',
      supplier: { id: a },
    });
    // One figure: the hotspot's kg is the sum of data-core's figures of the window's 12 legs; the baseline one hour's.
    expect(hot.eventCount).toBe(3 * PER_HOUR);
    expect(hot.predictedKg).toBeCloseTo(3 * PER_HOUR * legKg, 4);
    expect(hot.baselineKg).toBeCloseTo(hourKg, 4);
    expect(hot.percentAbove).toBeCloseTo(200, 3);
    expect(hot.percentAbove).toBeCloseTo(((hot.predictedKg - hot.baselineKg) / hot.baselineKg) * 100, 6);
    expect(hot.alerts).toHaveLength(1);
    expect(hot.alerts[0].message).toBe(`Supplier A exceeded emissions by ${Math.round(hot.percentAbove)}%`);
    await until(() => heard.length >= 1);
    // The outbox relays at least once (docs/security.md); bus consumers dedupe by alert id, as alertRaised does.
    expect([...new Map(heard.map((x) => [x.id, x])).values()]).toEqual([
      // A live cycle (its window ends now): not a backfill.
      expect.objectContaining({
        level: 'critical',
        supplierId: a,
        hotspotId: hot.id,
        seq: hot.alerts[0].cursor,
        backfill: false,
      }),
    ]);
    const [run] = await kit.db.query<{ n: number | string }>(`SELECT count(*) AS n FROM detection_runs`);
    expect(Number(run.n)).toBe(1);
  });

  it('a second cycle over the same data updates the hotspot in place: no duplicate, no new alert', async () => {
    const d = await kit.query<{ detectHotspots: Record<string, number> }>(DETECT, {}, { auth: ANALYST });
    expect(d.detectHotspots).toMatchObject({ created: 0, updated: 1, escalated: 0, alertsRaised: 0 });
    const h = await kit.query<{ hotspots: { totalCount: number } }>(HOTSPOTS, { first: 10 });
    expect(h.hotspots.totalCount).toBe(1);
  });

  it('escalates (INFO -> CRITICAL) with exactly one alert per escalation, then resolves when back under', async () => {
    const events: HotspotChanged[] = [];
    const off = kit.services.bus.subscribe(hotspotChanged, (p) => void (p.entityId === b && events.push(p)));
    const setB = (v: number) =>
      kit.query(
        OVERRIDE,
        { i: { entityType: 'supplier', entityId: b, valueKgPerHour: v, reason: 'test' } },
        { auth: ANALYST },
      );
    // B's four legs vs a baseline of hourKg/1.9 = +90 % -> INFO.
    await setB(hourKg / 1.9);
    let d = await kit.query<{ detectHotspots: Record<string, number> }>(DETECT, {}, { auth: ANALYST });
    expect(d.detectHotspots).toMatchObject({ created: 1, escalated: 0, alertsRaised: 1 });
    // +110 % -> WARN (escalation), then +200 % -> CRITICAL (escalation).
    await setB(hourKg / 2.1);
    d = await kit.query(DETECT, {}, { auth: ANALYST });
    expect(d.detectHotspots).toMatchObject({ created: 0, escalated: 1, alertsRaised: 1 });
    await setB(hourKg / 3);
    d = await kit.query(DETECT, {}, { auth: ANALYST });
    expect(d.detectHotspots).toMatchObject({ created: 0, escalated: 1, alertsRaised: 1 });
    // Back to +100 %: still active, keeps its peak level, no alert.
    await setB(hourKg / 2);
    d = await kit.query(DETECT, {}, { auth: ANALYST });
    expect(d.detectHotspots).toMatchObject({ created: 0, escalated: 0, updated: 2, alertsRaised: 0 });
    const bAlerts = await kit.query<{
      alerts: { nodes: { level: string; supplier: { id: string } | null; message: string }[] };
    }>(ALERTS, { first: 50 });
    expect(bAlerts.alerts.nodes.filter((x) => x.supplier?.id === b).map((x) => x.level)).toEqual([
      'CRITICAL',
      'WARN',
      'INFO',
    ]);
    expect(bAlerts.alerts.nodes.find((x) => x.supplier?.id === b && x.level === 'WARN')!.message).toMatch(
      /^Supplier B exceeded emissions by 110% \(escalated from INFO\)$/,
    );
    // Back at baseline: resolved.
    await kit.query(
      `mutation($t: String!, $id: String!) { clearBaselineOverride(entityType: $t, entityId: $id) }`,
      { t: 'supplier', id: b },
      { auth: ANALYST },
    );
    d = await kit.query(DETECT, {}, { auth: ANALYST });
    expect(d.detectHotspots).toMatchObject({ resolved: 1, alertsRaised: 0 });
    const resolved = await kit.query<{ hotspots: { nodes: { entityId: string; severity: string }[] } }>(HOTSPOTS, {
      status: 'RESOLVED',
      first: 10,
    });
    expect(resolved.hotspots.nodes).toEqual([expect.objectContaining({ entityId: b, severity: 'CRITICAL' })]);
    await until(() => events.length >= 5);
    off();
    expect(events.map((e) => e.change)).toEqual(['created', 'escalated', 'escalated', 'updated', 'resolved']);
    const audits = await kit.db.query<{ action: string }>(
      `SELECT action FROM audit_logs WHERE action LIKE '%BaselineOverride' ORDER BY created_at`,
    );
    expect(audits.map((x) => x.action)).toEqual([...Array(4).fill('setBaselineOverride'), 'clearBaselineOverride']);
  });

  it('acknowledging needs analyst, writes audit_logs and publishes hotspot.changed acknowledged', async () => {
    const { alerts } = await kit.query<{ alerts: { nodes: { id: string; hotspot: { id: string } }[] } }>(ALERTS, {
      first: 50,
      minLevel: 'CRITICAL',
    });
    const alertOfA = alerts.nodes.at(-1)!;
    const denied = await kit.execute(
      `mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }`,
      { id: alertOfA.id },
      { auth: VIEWER },
    );
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const changed: HotspotChanged[] = [];
    // Only this hotspot: detection's earlier changes are relayed from the outbox and may still be arriving.
    const off = kit.services.bus.subscribe(
      hotspotChanged,
      (p) => void (p.id === alertOfA.hotspot.id && p.change === 'acknowledged' && changed.push(p)),
    );
    const r = await kit.query<{ acknowledgeAlert: { acknowledgedBy: string; acknowledgedAt: string } }>(
      `mutation($id: ID!) { acknowledgeAlert(id: $id) { acknowledgedBy acknowledgedAt } }`,
      { id: alertOfA.id },
      { auth: ANALYST },
    );
    expect(r.acknowledgeAlert.acknowledgedBy).toBe('ana');
    await until(() => changed.length >= 1);
    await new Promise((r) => setTimeout(r, 100)); // a duplicate would have arrived by now
    off();
    expect(changed).toEqual([expect.objectContaining({ id: alertOfA.hotspot.id, change: 'acknowledged' })]);
    const [audit] = await kit.db.query<{ user_id: string; entity_id: string }>(
      `SELECT user_id, entity_id FROM audit_logs WHERE action = 'acknowledgeAlert'`,
    );
    expect(audit).toEqual({ user_id: 'ana', entity_id: alertOfA.id });
    const h = await kit.query<{ hotspot: { status: string } }>(`query($id: ID!) { hotspot(id: $id) { status } }`, {
      id: alertOfA.hotspot.id,
    });
    expect(h.hotspot.status).toBe('ACKNOWLEDGED');
  });

  it('a supplier-scoped caller sees only its own hotspots and alerts (also through entity references)', async () => {
    const scoped = { sub: 'b-user', roles: ['viewer'], supplierIds: [b] };
    const h = await kit.query<{ hotspots: { nodes: { entityId: string }[] } }>(
      HOTSPOTS,
      { status: 'OPEN', first: 10 },
      { auth: scoped },
    );
    expect(h.hotspots.nodes).toEqual([]);
    const al = await kit.query<{ alerts: { nodes: { supplier: { id: string } }[] } }>(
      ALERTS,
      { first: 50 },
      { auth: scoped },
    );
    expect(al.alerts.nodes.length).toBe(3);
    expect(al.alerts.nodes.every((x) => x.supplier.id === b)).toBe(true);
    const all = await kit.query<{ alerts: { nodes: { id: string; supplier: { id: string } }[] } }>(ALERTS, {
      first: 50,
    });
    const ofA = all.alerts.nodes.find((x) => x.supplier.id === a)!;
    const refs = await kit.entities('Alert', [{ id: ofA.id }], 'id message', { auth: scoped });
    expect(refs.data!._entities).toEqual([null]);
  });

  it('alertRaised(after) replays missed alerts exactly once in seq order, then continues live; hotspotDetected filters', async () => {
    const all = await kit.query<{ alerts: { nodes: { cursor: string; id: string }[] } }>(ALERTS, { first: 50 });
    const seqs = all.alerts.nodes.map((x) => x.cursor).reverse(); // oldest first
    const rp = kit.host.plugins.get('orchestration')!;
    const sub = (await rp.subscribe(
      `subscription($after: String) { alertRaised(after: $after) { cursor level message } }`,
      { after: seqs[0] },
      { auth: ANALYST },
    )) as AsyncIterableIterator<any>;
    const hot = (await rp.subscribe(
      `subscription($s: [ID!]) { hotspotDetected(minSeverity: CRITICAL, supplierIds: $s) { change hotspot { entityId severity } } }`,
      { s: [c] },
      {
        auth: ANALYST,
      },
    )) as AsyncIterableIterator<any>;
    // Raised after the subscription started but before anything was read: it is both in the table and in the live
    // buffer, and must arrive exactly once.
    await kit.query(
      OVERRIDE,
      { i: { entityType: 'supplier', entityId: c, valueKgPerHour: hourKg / 4 } },
      { auth: ANALYST },
    );
    await kit.query(DETECT, {}, { auth: ANALYST });
    const got: { cursor: string; level: string; message: string }[] = [];
    for (let i = 0; i < seqs.length; i++) got.push((await sub.next()).value.data.alertRaised);
    expect(got.slice(0, -1).map((x) => x.cursor)).toEqual(seqs.slice(1));
    expect(got.at(-1)).toMatchObject({ level: 'CRITICAL', message: 'Supplier C exceeded emissions by 300%' });
    const ev = await hot.next();
    expect(ev.value.data.hotspotDetected).toEqual({
      change: 'CREATED',
      hotspot: { entityId: c, severity: 'CRITICAL' },
    });
    // The next live alert (B opens again at INFO) follows — not a second copy of C's.
    await kit.query(
      OVERRIDE,
      { i: { entityType: 'supplier', entityId: b, valueKgPerHour: hourKg / 1.9 } },
      { auth: ANALYST },
    );
    await kit.query(DETECT, {}, { auth: ANALYST });
    const live = (await sub.next()).value.data.alertRaised;
    expect(live).toMatchObject({ level: 'INFO', message: 'Supplier B exceeded emissions by 90%' });
    expect(BigInt(live.cursor)).toBe(BigInt(got.at(-1)!.cursor) + 1n);
    expect((await sub.return!()).done).toBe(true);
    expect((await hot.return!()).done).toBe(true);
    // A scoped partner resuming from 0 gets only its supplier's alerts.
    const scoped = (await rp.subscribe(
      `subscription { alertRaised(after: "0") { cursor supplier { id } } }`,
      {},
      {
        auth: { sub: 'p', roles: ['partner'], supplierIds: [c] },
      },
    )) as AsyncIterableIterator<any>;
    expect((await scoped.next()).value.data.alertRaised.supplier).toEqual({ id: c });
    await scoped.return!();
  });

  it('ranks hotspots with keyset pagination and resolves Supplier.hotspots / emissionBaseline for the gateway', async () => {
    const page = (after?: string) =>
      kit.query<{
        hotspots: {
          nodes: { entityId: string; severity: string; percentAbove: number }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      }>(
        `query($after: String) { hotspots(first: 1, after: $after) { nodes { entityId severity percentAbove } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
    const seen: { entityId: string; severity: string; percentAbove: number }[] = [];
    let after: string | undefined;
    for (let i = 0; i < 5; i++) {
      const p = await page(after);
      seen.push(...p.hotspots.nodes);
      if (!p.hotspots.pageInfo.hasNextPage) break;
      after = p.hotspots.pageInfo.endCursor;
    }
    // A and C are CRITICAL (higher percent first), B is INFO.
    expect(seen.map((h) => h.severity)).toEqual(['CRITICAL', 'CRITICAL', 'INFO']);
    expect(seen[0].percentAbove).toBeGreaterThanOrEqual(seen[1].percentAbove);
    expect(seen[2].entityId).toBe(b);
    const bad = await kit.execute(`{ hotspots(after: "garbage") { totalCount } }`);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const tooMany = await kit.execute(`{ hotspots(first: 500) { totalCount } }`);
    expect(tooMany.errors?.[0].message).toBe('first: must be between 1 and 200');
    const ent = await kit.entities(
      'Supplier',
      [{ id: c }, { id: a }],
      'hotspots { severity entityId } emissionBaseline { valueKgPerHour isOverride method }',
    );
    expect(ent.data!._entities[0]).toEqual({
      hotspots: [{ severity: 'CRITICAL', entityId: c }],
      emissionBaseline: { valueKgPerHour: hourKg / 4, isOverride: true, method: 'override' },
    });
    expect(ent.data!._entities[1].emissionBaseline).toMatchObject({ isOverride: false, method: 'flat_median' });
  });

  it('batch detection over past windows leaves the live hotspots alone: same ids, no alert, nothing resolved', async () => {
    type H = { id: string; entityId: string; severity: string; status: string; predictedKg: number; windowEnd: string };
    const LIST = `{ hotspots(first: 50) { nodes { id entityId severity status predictedKg windowEnd } } }`;
    const before = (await kit.query<{ hotspots: { nodes: H[] } }>(LIST)).hotspots.nodes;
    expect(before.map((h) => h.entityId).sort()).toEqual([a, b, c].sort());
    const alertsBefore = (await kit.query<{ alerts: { nodes: { id: string }[] } }>(ALERTS, { first: 500 })).alerts
      .nodes;
    const now = Date.now();
    const RANGE = `mutation($from: String!, $to: String!) { detectHotspotsRange(from: $from, to: $to, windowMinutes: 60) { windows created escalated updated resolved alertsRaised } }`;
    const range = { from: new Date(now - 7 * 3_600_000).toISOString(), to: new Date(now - 3_600_000).toISOString() };
    // Six hourly windows of normal history before the live window. B's and C's manual baselines (set above) make
    // those windows hot too: past episodes of their own, beside — never instead of — the live hotspots.
    const r = await kit.query<{ detectHotspotsRange: Record<string, number> }>(RANGE, range, { auth: ANALYST });
    expect(r.detectHotspotsRange).toMatchObject({ windows: 6, created: 2, escalated: 0, resolved: 0, alertsRaised: 2 });
    const after = (await kit.query<{ hotspots: { nodes: H[] } }>(LIST)).hotspots.nodes;
    for (const h of before) expect(after).toContainEqual(h); // untouched: same id, severity, status, figures, window
    const added = after.filter((h) => !before.some((x) => x.id === h.id));
    expect(added.map((h) => h.entityId).sort()).toEqual([b, c].sort());
    // (the last window overlaps the live hotspots' own windows: covered by them, so the past episodes end before it)
    for (const h of added) expect(Date.parse(h.windowEnd)).toBeLessThanOrEqual(Date.parse(range.to));
    const alertsAfter = (
      await kit.query<{ alerts: { nodes: { id: string; hotspot: { id: string } }[] } }>(ALERTS, { first: 500 })
    ).alerts.nodes;
    expect(alertsAfter.length).toBe(alertsBefore.length + 2);
    expect(
      alertsAfter
        .slice(0, 2)
        .map((x) => x.hotspot.id)
        .sort(),
    ).toEqual(added.map((h) => h.id).sort());
    // Past windows' hotspots and alerts say they come from a backfill; the live ones do not.
    const FLAGS = `{ alerts(first: 500) { nodes { id backfill hotspot { id backfill } } } }`;
    type Flag = { id: string; backfill: boolean; hotspot: { id: string; backfill: boolean } };
    const flags = (await kit.query<{ alerts: { nodes: Flag[] } }>(FLAGS)).alerts.nodes;
    expect(flags.slice(0, 2).map((x) => [x.backfill, x.hotspot.backfill])).toEqual([
      [true, true],
      [true, true],
    ]);
    const liveIds = new Set(before.map((h) => h.id));
    expect(flags.filter((x) => liveIds.has(x.hotspot.id)).every((x) => !x.backfill && !x.hotspot.backfill)).toBe(true);
    // The same range again adds nothing; a past window inside it with explicit bounds neither.
    const again = await kit.query<{ detectHotspotsRange: Record<string, number> }>(RANGE, range, { auth: ANALYST });
    expect(again.detectHotspotsRange).toMatchObject({ created: 0, escalated: 0, resolved: 0, alertsRaised: 0 });
    const past = await kit.query<{ detectHotspots: Record<string, number> }>(
      `mutation($s: String, $e: String) { detectHotspots(windowStart: $s, windowEnd: $e) { created escalated updated resolved alertsRaised } }`,
      { s: new Date(now - 3 * 3_600_000).toISOString(), e: new Date(now - 2 * 3_600_000).toISOString() },
      { auth: ANALYST },
    );
    // (its end is where a past episode ends: that episode's last window is re-measured in place, nothing else)
    expect(past.detectHotspots).toMatchObject({ created: 0, escalated: 0, resolved: 0, alertsRaised: 0 });
    for (const h of before)
      expect((await kit.query<{ hotspots: { nodes: H[] } }>(LIST)).hotspots.nodes).toContainEqual(h);
    // The next live cycle continues them in place.
    const live = await kit.query<{ detectHotspots: Record<string, number> }>(DETECT, {}, { auth: ANALYST });
    expect(live.detectHotspots).toMatchObject({ created: 0, alertsRaised: 0, resolved: 0 });
    const [runs] = await kit.db.query<{ n: string }>(`SELECT count(*) AS n FROM detection_runs WHERE source = 'range'`);
    expect(Number(runs.n)).toBe(12);
    const tooLong = await kit.execute(
      `mutation { detectHotspotsRange(from: "2020-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { windows } }`,
      {},
      { auth: ANALYST },
    );
    expect(tooLong.errors?.[0].message).toMatch(/^to: the range has \d+ windows of 60 min; at most 2000 per call$/);
  });
});
