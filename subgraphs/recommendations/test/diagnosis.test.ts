// Diagnosis before measures: the hotspot's events against the supplier's own history decide what is recommended,
// and no expected saving exceeds what the excess (and the measure's published range) allows.
import { describe, expect, it } from 'vitest';
import { diagnose, periodFacts, PLAUSIBLE_FUEL_L_PER_100KM } from '../src/domain/diagnosis.ts';
import { buildContext, summarise } from '../src/domain/payload.ts';
import { KnowledgeBase } from '../src/knowledge/kb.ts';
import { retrieve } from '../src/knowledge/retrieval.ts';
import { ruleCandidates } from '../src/domain/rules.ts';
import { deriveRootCause } from '../src/domain/root-cause.ts';
import { ragCandidates } from '../src/jobs/engine.ts';
import type { HotspotInfo, SupplierInfo } from '../src/domain/types.ts';

const kb = KnowledgeBase.load();
const H = 3_600_000;
const W0 = Date.UTC(2026, 10, 20, 12); // window start
const WTW = 3.19747; // kg CO2e per litre of diesel, DESNZ 2025 (data-core's FUEL method)

/** One diesel leg whose figure is its fuel × WTW (data-core's FUEL method). */
function leg(
  at: number,
  o: { km?: number; loadKg?: number; lPer100?: number; idle?: number; vehicleType?: string; speed?: number },
) {
  const km = o.km ?? 120;
  const fuelL = (km * (o.lPer100 ?? 30)) / 100;
  return {
    id: `e${at}`,
    eventType: 'TRANSPORT',
    timestamp: new Date(at).toISOString(),
    distanceKm: km,
    loadKg: o.loadKg ?? 8100,
    tonneKm: (km * (o.loadKg ?? 8100)) / 1000,
    fuelL,
    co2eKg: fuelL * WTW,
    vehicleType: o.vehicleType ?? 'rigid_truck',
    fuelType: 'diesel',
    speedKmh: o.speed ?? 60,
    idleMinutes: o.idle ?? 5,
    dataSource: 'API',
  };
}

function hotspot(predictedKg: number, baselineKg: number): HotspotInfo {
  return {
    id: '00000000-0000-4000-8000-0000000000aa',
    entityType: 'supplier',
    entityId: 's1',
    entityName: 'Acme',
    supplierId: 's1',
    predictedKg,
    baselineKg,
    percentAbove: ((predictedKg - baselineKg) / baselineKg) * 100,
    severity: 'critical',
    status: 'open',
    windowStart: new Date(W0).toISOString(),
    windowEnd: new Date(W0 + H).toISOString(),
  };
}
const supplier = (category = 'transport'): SupplierInfo => ({
  id: 's1',
  name: 'Acme',
  category,
  country: 'GB',
  fleetInfo: null,
  baselineEmissionKgPerHour: null,
});

/** 48 h before the window, one leg per hour; the window's legs from `inWindow`. */
function context(
  inWindow: ReturnType<typeof leg>[],
  before = Array.from({ length: 48 }, (_, i) => leg(W0 - (48 - i) * H + 10 * 60_000, {})),
  category = 'transport',
  baselineKg?: number,
) {
  const predicted = inWindow.reduce((a, e) => a + e.co2eKg, 0);
  const baseline = baselineKg ?? before.reduce((a, e) => a + e.co2eKg, 0) / 48;
  const h = hotspot(predicted, baseline);
  const all = [...inWindow, ...before];
  const hist = summarise(
    [
      {
        bucketStart: h.windowStart!,
        co2eKg: predicted,
        eventCount: inWindow.length,
        realCount: inWindow.length,
        predictedCount: 0,
      },
    ],
    all,
    new Date(W0 - 48 * H).toISOString(),
    h.windowEnd!,
    { start: h.windowStart, end: h.windowEnd },
  );
  return buildContext(h, supplier(category), hist, [], { window: inWindow, before, windowHours: 1, beforeHours: 48 });
}

describe('diagnosis', () => {
  it("the issue's case — emissions per event +590 %, payload +49 %: a fuel-record anomaly, not a reason for HVO", () => {
    // same leg, 49 % more payload, but 6.9× the fuel: 207 L/100 km, which no rigid truck burns
    const ctx = context([leg(W0 + 20 * 60_000, { loadKg: 12070, lPer100: 207 })]);
    const d = ctx.diagnosis;
    expect(d.basis).toBe('own-history');
    expect(d.causes[0]).toBe('fuel_record_anomaly');
    expect(d.causes).toContain('payload_increase');
    const anomaly = d.findings.find((f) => f.cause === 'fuel_record_anomaly')!;
    const payload = d.findings.find((f) => f.cause === 'payload_increase')!;
    expect(anomaly.evidence).toMatch(/fuel 207 L\/100 km is outside the plausible/);
    expect(payload.evidence).toMatch(/payload \+49 %/);
    // attribution: ln(1.49) : ln(6.9 / 1.49) of the excess
    expect(anomaly.share).toBeCloseTo(Math.log(6.9 / 1.49) / Math.log(6.9), 2);
    expect(anomaly.attributedKg + payload.attributedKg).toBeCloseTo(ctx.excessKg, 1);
    expect(deriveRootCause(ctx)).toMatch(/Diagnosis: .*per leg \+590 %/);

    const recs = retrieve(kb, ctx, 5);
    expect(recs[0]!.measureId).toBe('transport-fuel-record-audit');
    expect(recs[0]!.evidence.cause).toBe('fuel_record_anomaly');
    expect(recs[0]!.evidence.boundApplied).toBe('correction');
    for (const r of recs) expect(r.co2ImpactKg).toBeLessThanOrEqual(ctx.excessKg + 1e-9);
    // HVO/BEV answer only the payload part: their saving is capped at the excess attributed to it
    const hvo = recs.find((r) => r.measureId === 'transport-hvo');
    if (hvo) {
      expect(hvo.evidence.boundApplied).toBe('attributed-excess');
      expect(hvo.co2ImpactKg).toBeCloseTo(payload.attributedKg, 1);
      expect(hvo.body).toMatch(/capped at the [\d.]+ kg CO2e of the excess attributed to heavier payloads/);
      expect(hvo.evidence.simulation).toEqual({ hotspotId: ctx.hotspot.id, fuelType: 'hvo' });
    }
    // the rule fallback follows the same diagnosis
    expect(ruleCandidates(ctx)[0]!.actionKey).toBe('rule:audit-fuel-records');
  });

  it("longer legs (detours, the demo's planned spike): first find and remove the detours, before a fuel switch", () => {
    // the usual one leg in the hour, 3× the lane's usual 120 km at the same fuel per km
    const ctx = context([leg(W0 + 20 * 60_000, { km: 360 })]);
    expect(ctx.diagnosis.causes[0]).toBe('longer_legs');
    const legs = ctx.diagnosis.findings.find((f) => f.cause === 'longer_legs')!;
    const recs = retrieve(kb, ctx, 5);
    expect(recs[0]!.measureId).toBe('transport-detour-review');
    expect(recs[0]!.evidence.cause).toBe('longer_legs');
    expect(recs[0]!.evidence.boundApplied).toBe('correction');
    // a correction removes part of what the longer legs caused: the mid of 50–100 % of their attributed excess
    expect(recs[0]!.co2ImpactKg).toBeCloseTo(legs.attributedKg * 0.75, 1);
    const hvo = recs.find((r) => r.measureId === 'transport-hvo');
    if (hvo) expect(hvo.score).toBeLessThan(recs[0]!.score);
    for (const r of recs) expect(r.co2ImpactKg).toBeLessThanOrEqual(ctx.excessKg + 1e-9);
  });

  it('an efficiency loss with plausible fuel records gets efficiency measures, each within the excess', () => {
    const ctx = context([leg(W0 + 20 * 60_000, { lPer100: 42, idle: 40 })]); // +40 % fuel per km, idling up
    expect(ctx.diagnosis.causes[0]).toBe('efficiency_drop');
    expect(ctx.diagnosis.causes).toContain('idling');
    expect(ctx.diagnosis.causes).not.toContain('fuel_record_anomaly');
    const recs = retrieve(kb, ctx, 5);
    const ids = recs.map((r) => r.measureId);
    expect(ids).not.toContain('transport-fuel-record-audit');
    expect(ids).toEqual(expect.arrayContaining(['transport-eco-driving']));
    for (const r of recs) {
      expect(r.co2ImpactKg).toBeLessThanOrEqual(ctx.excessKg + 1e-9);
      expect(['efficiency_drop', 'idling', 'high_speed']).toContain(r.evidence.cause);
    }
  });

  it('more legs per hour (volume) is not waste: structural measures, capped at the excess, and a volume check rule', () => {
    const ctx = context([0, 1, 2].map((k) => leg(W0 + k * 15 * 60_000, {})));
    expect(ctx.diagnosis.causes).toEqual(['activity_growth']);
    const recs = retrieve(kb, ctx, 5);
    expect(recs.length).toBeGreaterThan(0);
    for (const r of recs) {
      expect(kb.byId.get(r.measureId!)!.addresses).toContain('activity_growth');
      expect(r.co2ImpactKg).toBeLessThanOrEqual(ctx.excessKg + 1e-9);
    }
    const rule = ruleCandidates(ctx)[0]!;
    expect(rule.actionKey).toBe('rule:confirm-volume');
    expect(rule.co2ImpactKg).toBe(0);
  });

  it('a lower payload per leg is a load-factor problem: consolidation, not eco-driving', () => {
    const ctx = context([leg(W0 + 20 * 60_000, { loadKg: 3000 }), leg(W0 + 40 * 60_000, { loadKg: 3200 })]);
    // two legs an hour instead of one, each with 38 % of the usual payload: most of the excess is the load factor
    expect(ctx.diagnosis.causes[0]).toBe('low_load');
    expect(ctx.diagnosis.causes).toContain('activity_growth');
    const recs = retrieve(kb, ctx, 8);
    const consolidation = recs.find((r) => r.measureId === 'transport-load-consolidation');
    expect(consolidation).toBeDefined();
    expect(consolidation!.evidence.simulation).toEqual({ hotspotId: ctx.hotspot.id, loadFactor: 0.85 });
  });

  it('a factory using more energy per unit gets plant efficiency measures', () => {
    const plant = (at: number, kwhPerUnit: number) => ({
      id: `f${at}`,
      eventType: 'FACTORY',
      timestamp: new Date(at).toISOString(),
      productionUnits: 500,
      energyKwh: 500 * kwhPerUnit,
      co2eKg: 500 * kwhPerUnit * 0.177,
      dataSource: 'API',
    });
    const before = Array.from({ length: 48 }, (_, i) => plant(W0 - (48 - i) * H, 2));
    const ctx = context([plant(W0 + 10 * 60_000, 3.4)] as any, before as any, 'factory');
    expect(ctx.diagnosis.causes).toEqual(['energy_intensity']);
    const recs = retrieve(kb, ctx, 5);
    expect(recs.length).toBeGreaterThan(0);
    for (const r of recs) {
      expect(r.measureId).toMatch(/^factory-/);
      expect(r.co2ImpactKg).toBeLessThanOrEqual(ctx.excessKg + 1e-9);
    }
  });

  it('without history to compare, measures fit the signals and are still bounded by the hotspot excess', () => {
    // the issue: 482 kg "avoided" on a 416 kg excess
    const ctx = context([leg(W0 + 20 * 60_000, { lPer100: 34 })], [], 'transport', 100);
    expect(ctx.diagnosis.basis).toBe('none');
    const recs = retrieve(kb, ctx, 10);
    expect(recs.length).toBeGreaterThan(0);
    for (const r of recs) expect(r.co2ImpactKg).toBeLessThanOrEqual(ctx.excessKg + 1e-9);
    expect(recs.some((r) => r.evidence.boundApplied === 'hotspot-excess')).toBe(true);
  });

  it('periods: payload is distance-weighted, fuel per 100 km only over legs that carry fuel, plausible bands are ordered', () => {
    const f = periodFacts(
      [leg(0, { km: 100, loadKg: 10000 }), leg(1, { km: 300, loadKg: 20000 }), { ...leg(2, { km: 100 }), fuelL: null }],
      3,
    );
    expect(f.payloadT).toBeCloseTo((100 * 10 + 300 * 20 + 100 * 8.1) / 500, 6);
    expect(f.fuelLPer100Km).toBeCloseTo(30, 6);
    for (const [lo, hi] of Object.values(PLAUSIBLE_FUEL_L_PER_100KM)) expect(lo).toBeLessThan(hi);
    expect(
      diagnose({
        windowEvents: [],
        beforeEvents: [],
        windowHours: 1,
        beforeHours: 48,
        excessKg: 10,
        category: 'transport',
      }).basis,
    ).toBe('none');
  });

  it('gap-filled estimates in the window are reported, and are no reason for a fuel-record audit', () => {
    const ctx = context([{ ...leg(W0 + 20 * 60_000, { lPer100: 40 }), dataSource: 'GAP_FILL' }]);
    expect(ctx.diagnosis.causes).toEqual(expect.arrayContaining(['efficiency_drop', 'data_gaps']));
    expect(ctx.diagnosis.statement).toMatch(/100 % of the window's events are gap-filled estimates/);
    expect(retrieve(kb, ctx, 10).map((r) => r.measureId)).not.toContain('transport-fuel-record-audit');
  });

  it('a RAG answer cannot promise more than the excess either', () => {
    const c = ragCandidates(
      {
        root_cause: 'x',
        actions: [
          { title: 'Switch to HVO', co2_reduction: 500, cost_impact: 4, feasibility: 8 },
          { title: 'Coach drivers', co2_reduction: 40, cost_impact: 2, feasibility: 9 },
        ],
      },
      'http://rag.local/analyse',
      120,
    );
    expect(c.map((x) => x.co2ImpactKg)).toEqual([120, 40]);
    expect(c[0]!.evidence.boundApplied).toBe('hotspot-excess');
    expect(c[0]!.body).toMatch(/capped at the hotspot's 120 kg CO2e excess; the service said 500/);
    expect(c[1]!.evidence.boundApplied).toBe('none');
  });
});
