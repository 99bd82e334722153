// The shipped knowledge base: every measure valid and sourced; BM25 retrieval finds context-matching measures,
// filters by applicability and ranks by expected kg CO2e avoided for the hotspot × feasibility / cost weight.
import { describe, expect, it } from 'vitest';
import { KnowledgeBase, knowledgeFileSchema, loadMeasures, DEFAULT_KB_PATH, citation } from '../src/knowledge/kb.ts';
import { retrieve, isApplicable } from '../src/knowledge/retrieval.ts';
import { buildContext, summarise } from '../src/domain/payload.ts';
import { ruleCandidates } from '../src/domain/rules.ts';
import type { HotspotInfo, SupplierInfo } from '../src/domain/types.ts';
import fs from 'node:fs';

const kb = KnowledgeBase.load();

function hotspot(over: Partial<HotspotInfo> = {}): HotspotInfo {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    entityType: 'supplier',
    entityId: 's1',
    entityName: 'Acme',
    supplierId: 's1',
    predictedKg: 1000,
    baselineKg: 400,
    percentAbove: 150,
    severity: 'critical',
    status: 'open',
    windowStart: null,
    windowEnd: null,
    ...over,
  };
}

const supplier = (category: string): SupplierInfo => ({
  id: 's1',
  name: 'Acme',
  category,
  country: 'GB',
  fleetInfo: null,
  baselineEmissionKgPerHour: null,
});

function events(n: number, e: Record<string, unknown>) {
  return Array.from({ length: n }, (_, i) => ({
    id: `e${i}`,
    eventType: 'TRANSPORT',
    timestamp: new Date(Date.UTC(2026, 0, 1, i)).toISOString(),
    co2eKg: 50,
    ...e,
  }));
}

describe('knowledge base file', () => {
  it('has at least 40 valid measures across transport, factory, warehouse and last mile, each with a cited source', () => {
    const raw = JSON.parse(fs.readFileSync(DEFAULT_KB_PATH, 'utf8'));
    const parsed = knowledgeFileSchema.parse(raw); // throws with the field on any invalid measure
    const ms = parsed.measures;
    expect(ms.length).toBeGreaterThanOrEqual(40);
    for (const c of ['transport', 'factory', 'warehouse', 'delivery'])
      expect(ms.filter((m) => m.category === c).length).toBeGreaterThanOrEqual(5);
    expect(new Set(ms.map((m) => m.id)).size).toBe(ms.length);
    for (const m of ms) {
      expect(m.source.publisher.length, m.id).toBeGreaterThan(1);
      expect(m.source.title.length, m.id).toBeGreaterThan(4);
      expect(m.source.year, m.id).toBeGreaterThanOrEqual(2000);
      expect(m.reductionPct.min, m.id).toBeLessThanOrEqual(m.reductionPct.max);
      expect(m.figures, m.id).toMatch(/typical range/);
      expect(citation(m)).toContain(String(m.source.year));
    }
  });

  it('covers the measures named in the brief', () => {
    const text = loadMeasures()
      .map((m) => `${m.title} ${m.tags.join(' ')}`.toLowerCase())
      .join('\n');
    for (const w of [
      'eco-driving',
      'speed limit',
      'tyre pressure',
      'aerodynamic',
      'hvo',
      'biodiesel',
      'electric delivery vans',
      'rail',
      'consolidation',
      'empty-running',
      'route optimisation',
      'led',
      'heat pump',
      'refrigeration maintenance',
      'solar pv',
      'power purchase agreement',
      'compressed-air leak',
      'variable-speed drives',
      'cargo bikes',
      'parcel lockers',
      'failed-delivery',
    ]) {
      expect(text, w).toContain(w);
    }
  });

  it('rejects a measure without a source, naming the field', () => {
    const raw = JSON.parse(fs.readFileSync(DEFAULT_KB_PATH, 'utf8'));
    delete raw.measures[3].source;
    const tmp = `/tmp/rec-kb-${process.pid}.json`;
    fs.writeFileSync(tmp, JSON.stringify(raw));
    try {
      expect(() => loadMeasures(tmp)).toThrow(/measures\.3\.source/);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  });
});

describe('retrieval', () => {
  it('BM25 search finds the idling measures for an idling query and browses by category', () => {
    const hits = kb.search('engine idling at stops');
    expect(hits.slice(0, 3).map((h) => h.measure.id)).toEqual(expect.arrayContaining(['transport-idle-reduction']));
    expect(hits[0]!.relevance).toBeGreaterThan(hits[hits.length - 1]!.relevance);
    const factory = kb.browse(null, 'factory');
    expect(factory.length).toBeGreaterThanOrEqual(5);
    expect(factory.every((h) => h.measure.appliesTo.categories.includes('factory'))).toBe(true);
  });

  it('filters by applicability: no diesel-only fuel switch for an electric van fleet, no refrigeration without reefers', () => {
    const hist = summarise(
      [{ bucketStart: 'x', co2eKg: 500, eventCount: 10, realCount: 10, predictedCount: 0 }],
      events(10, { eventType: 'DELIVERY', vehicleType: 'van_electric', fuelType: 'electric', stops: 40 }),
      'a',
      'b',
    );
    const ctx = buildContext(hotspot(), supplier('delivery'), hist, []);
    expect(ctx.vehicleClasses).toEqual(['van']);
    expect(ctx.fuelClasses).toEqual(['electric']);
    const ids = retrieve(kb, ctx, 50).map((c) => c.measureId);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).not.toContain('transport-hvo');
    expect(ids).not.toContain('delivery-ev-vans');
    expect(ids).not.toContain('transport-electric-tru');
    expect(isApplicable(kb.byId.get('delivery-parcel-lockers')!, ctx)).toBe(true);
  });

  it('ranks by expected kg CO2e avoided for this hotspot × feasibility / cost, with the evidence and citation', () => {
    const hist = summarise(
      [{ bucketStart: '2026-01-01T00:00:00Z', co2eKg: 900, eventCount: 12, realCount: 12, predictedCount: 0 }],
      events(12, {
        vehicleType: 'rigid_truck',
        fuelType: 'diesel',
        idleMinutes: 45,
        speedKmh: 88,
        loadKg: 5000,
        distanceKm: 300,
      }),
      'a',
      'b',
    );
    const ctx = buildContext(hotspot(), supplier('transport'), hist, []);
    expect(ctx.signals).toEqual(expect.arrayContaining(['idling', 'high speed', 'low load', 'long haul']));
    const out = retrieve(kb, ctx, 5);
    expect(out).toHaveLength(5);
    for (let i = 1; i < out.length; i++) expect(out[i - 1]!.score).toBeGreaterThanOrEqual(out[i]!.score);
    for (const c of out) {
      expect(c.source).toBe('retrieval');
      expect(c.sourceRef).toMatch(/\(\d{4}\)/);
      const m = kb.byId.get(c.measureId!)!;
      // avoided = predicted × affected share × fleet share × mid reduction, never more than the 600 kg excess
      const mid =
        1000 *
        (m.affectedSharePct / 100) *
        (c.evidence.fleetShare as number) *
        ((m.reductionPct.min + m.reductionPct.max) / 200);
      expect(c.co2ImpactKg).toBeCloseTo(Math.min(mid, 600), 2);
      expect(c.evidence.boundApplied).toBe(mid > 600 ? 'hotspot-excess' : 'published-range');
      expect(c.body).toContain('kg CO2e');
    }
    // HVO (70–90 % of a diesel fleet's emissions) beats tyre pressure (0.5–2 %) for this diesel fleet — and says that
    // its 800 kg mid-range estimate is capped at the 600 kg excess.
    const hvo = out.find((c) => c.measureId === 'transport-hvo')!;
    expect(hvo.co2ImpactKg).toBe(600);
    expect(hvo.body).toMatch(
      /capped at the hotspot's 600 kg CO2e excess \(the published 70–90 % would give 700 kg CO2e–900 kg CO2e\)/,
    );
    expect(out[0]!.co2ImpactKg * out[0]!.feasibility).toBeGreaterThan(0);
  });

  it('falls back to rules when nothing in the knowledge base applies', () => {
    const hist = summarise(
      [],
      events(5, { eventType: 'DELIVERY', vehicleType: 'drone', fuelType: 'electric' }),
      'a',
      'b',
    );
    const ctx = buildContext(hotspot(), supplier('mining'), hist, []);
    expect(retrieve(kb, ctx, 5)).toEqual([]);
    const rules = ruleCandidates(ctx);
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.every((r) => r.source === 'rules' && r.co2ImpactKg > 0 && r.sourceRef!.startsWith('rule:'))).toBe(
      true,
    );
    expect(rules.find((r) => r.actionKey === 'rule:investigate-excess')!.co2ImpactKg).toBeCloseTo(600 * 0.5, 3);
  });
});
