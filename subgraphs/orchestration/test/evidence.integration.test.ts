// Evidence with the REAL data-core: a supplier whose trips per hour vary (3–5) has a baseline spread of
// at least its Poisson spread, so one hour of 9 trips (about +125 %) is within its noise (suppressed); three such
// hours in a row are not — the third window raises the hotspot through the sustained span.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@carbon-nexus/db';
import type { SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { createSupplier, figureOf, HOUR, ingest, leg, startKit } from './helpers.ts';

const ANALYST = { sub: 'ana', roles: ['analyst'], supplierIds: null };
const DETECT = `mutation($s: String, $e: String) { detectHotspots(windowStart: $s, windowEnd: $e) { created updated alertsRaised suppressed } }`;

describe.each(testDatabaseTargets())('evidence: noise and sustained excess (%s)', (target) => {
  let kit: SubgraphTestkit;
  let s: string;
  let legKg: number;
  const hourStart = Math.floor(Date.now() / HOUR) * HOUR;
  const iso = (t: number) => new Date(t).toISOString();

  beforeAll(async () => {
    kit = await startKit({ target });
    s = await createSupplier(kit, 'Varying Hauler');
    const events: ReturnType<typeof leg>[] = [];
    // Ten days of history: 3, 4 or 5 identical legs an hour (by day), then three hours of 9 legs each.
    for (let h = hourStart - 10 * 24 * HOUR; h < hourStart; h += HOUR) {
      const spiked = h >= hourStart - 3 * HOUR;
      const n = spiked ? 9 : 3 + (Math.floor(h / (24 * HOUR)) % 3);
      for (let i = 0; i < n; i++) events.push(leg(s, new Date(h + (i + 0.5) * (HOUR / n))));
    }
    await ingest(kit, events);
    legKg = await figureOf(kit, events[0].externalId);
    await kit.query(
      `mutation($t: String) { recalculateBaselines(asOf: $t) { entities } }`,
      { t: iso(hourStart - 3 * HOUR) },
      { auth: ANALYST },
    );
  }, 300_000);
  afterAll(async () => kit?.stop());

  it('the baseline carries the Poisson spread of its varying trips', async () => {
    const b = await kit.query<any>(
      `{ baselines(entityType: "supplier", hourly: true, first: 500) { nodes { hourOfWeek method valueKgPerHour spreadKgPerHour eventsPerHour } } }`,
    );
    const hours = b.baselines.nodes.filter((n: any) => n.hourOfWeek !== null);
    expect(hours.length).toBeGreaterThan(100);
    for (const n of hours) {
      expect(n.method).toMatch(/^hour_of_day(_all_days)?_median$/);
      expect([3.5, 4, 4.5]).toContain(n.eventsPerHour); // the median of ten days of 3, 4 or 5 trips
      expect(n.valueKgPerHour).toBeCloseTo(n.eventsPerHour * legKg, 4);
      // MAD of 3/4/5 legs is at most 1 leg (× 1.4826); the Poisson floor (≈ 4 legs / √4 = 2 legs) is larger
      expect(n.spreadKgPerHour).toBeCloseTo(n.valueKgPerHour / Math.sqrt(n.eventsPerHour), 4);
    }
  });

  it('one hour of 9 trips is within the noise; the third such hour in a row raises the hotspot', async () => {
    const first = await kit.query<any>(
      DETECT,
      { s: iso(hourStart - 3 * HOUR), e: iso(hourStart - 2 * HOUR) },
      { auth: ANALYST },
    );
    expect(first.detectHotspots).toMatchObject({ created: 0, alertsRaised: 0, suppressed: 1 });
    const third = await kit.query<any>(DETECT, { s: iso(hourStart - HOUR), e: iso(hourStart) }, { auth: ANALYST });
    expect(third.detectHotspots).toMatchObject({ created: 1, alertsRaised: 1, suppressed: 0 });
    const h = await kit.query<any>(
      `{ hotspots(first: 5) { nodes { entityId severity percentAbove eventCount baselineSpreadKg excessSigmas } } }`,
    );
    expect(h.hotspots.nodes).toEqual([expect.objectContaining({ entityId: s, eventCount: 9 })]);
    const [hot] = h.hotspots.nodes;
    expect(hot.percentAbove).toBeGreaterThan(80); // 9 legs against the usual 3.5–4.5
    expect(hot.excessSigmas).toBeLessThan(3); // alone under the 3σ bar; the three hours together above it
  });
});
