import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DBSCAN } from 'density-clustering';
import { iqrFences, iqrOutliers, quantileSorted } from '../src/domain/iqr.ts';
import { dbscan, NOISE, robustStandardize } from '../src/domain/dbscan.ts';
import { completenessWindows, learnCadence, HOUR_MS, DAY_MS, type HourCounts } from '../src/domain/completeness.ts';
import { detectGaps } from '../src/domain/gaps.ts';
import { badgeOf, pactIndicators, pcafScore } from '../src/domain/pact.ts';
import { supplierOutliers, DEFAULT_THRESHOLDS, type OutlierEvent } from '../src/domain/outliers.ts';
import { loadArtifact, predictFill, verifyArtifact, contextOf } from '../src/domain/gapfill-model.ts';

describe('IQR', () => {
  it('matches type-7 quantiles and Tukey fences', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75);
    const f = iqrFences([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1.5);
    expect(f.q1).toBeCloseTo(3.25);
    expect(f.q3).toBeCloseTo(7.75);
    expect(f.upper).toBeCloseTo(7.75 + 1.5 * 4.5);
    const { outliers } = iqrOutliers([10, 11, 12, 11, 10, 12, 11, 95, -40], 1.5);
    expect(outliers.map((o) => [o.index, o.side])).toEqual([
      [7, 'above'],
      [8, 'below'],
    ]);
  });
  it('a larger k never flags more', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 4, maxLength: 60 }), (xs) => {
        expect(iqrOutliers(xs, 3).outliers.length).toBeLessThanOrEqual(iqrOutliers(xs, 1.5).outliers.length);
      }),
    );
  });
});

describe('DBSCAN (grid index)', () => {
  it('agrees with the density-clustering reference implementation (noise set and cluster count)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -5, max: 5, noNaN: true }),
            fc.double({ min: -5, max: 5, noNaN: true }),
            fc.double({ min: -5, max: 5, noNaN: true }),
          ),
          { minLength: 1, maxLength: 150 },
        ),
        fc.double({ min: 0.3, max: 2.5, noNaN: true }),
        fc.integer({ min: 1, max: 6 }),
        (pts, eps, minPts) => {
          const ours = dbscan(pts, eps, minPts);
          const ref = new DBSCAN();
          // Reference: O(n²) region queries, neighbourhood includes the point itself (same minPts convention).
          const clusters = ref.run(
            pts.map((p) => [...p]),
            eps,
            minPts,
          );
          const clustered = new Set(clusters.flat());
          const refNoise = pts.map((_, i) => i).filter((i) => !clustered.has(i));
          expect(ours.noise).toEqual(refNoise);
          expect(ours.clusters).toBe(clusters.length);
        },
      ),
      { numRuns: 80 },
    );
  });
  it('separates two blobs and isolates a far point', () => {
    const pts: number[][] = [];
    for (let i = 0; i < 20; i++) pts.push([0 + (i % 5) * 0.1, Math.floor(i / 5) * 0.1]);
    for (let i = 0; i < 20; i++) pts.push([10 + (i % 5) * 0.1, Math.floor(i / 5) * 0.1]);
    pts.push([5, 5]);
    const r = dbscan(pts, 0.5, 4);
    expect(r.clusters).toBe(2);
    expect(r.noise).toEqual([40]);
    expect(new Set(r.labels.slice(0, 20)).size).toBe(1);
    expect(r.labels[0]).not.toBe(r.labels[20]);
  });
  it('rejects bad parameters', () => {
    expect(() => dbscan([[1]], 0, 3)).toThrow(/eps/);
  });
  it('robust standardization centres on the median', () => {
    const z = robustStandardize([[1], [2], [3], [4], [1000]]);
    expect(z[2][0]).toBe(0);
    expect(Math.abs(z[4][0])).toBeGreaterThan(100);
  });
});

const T0 = Date.UTC(2026, 10, 2); // Monday 00:00 UTC
function series(
  days: number,
  perHour: (h: number) => number,
  missing: Set<number> = new Set(),
): Map<number, HourCounts> {
  const m = new Map<number, HourCounts>();
  for (let t = T0; t < T0 + days * DAY_MS; t += HOUR_MS) {
    const n = missing.has(t) ? 0 : perHour(new Date(t).getUTCHours());
    if (n > 0) m.set(t, { hour: t, real: n, predicted: 0, co2eKg: n * 10 });
  }
  return m;
}

describe('cadence, completeness, gaps', () => {
  it('learns the median over active hours and the active hours of day', () => {
    const s = series(7, (h) => (h >= 8 && h < 18 ? (h % 2 ? 6 : 4) : 0));
    const c = learnCadence([...s.values()], T0, T0 + 7 * DAY_MS);
    expect(c.learnedPerHour).toBe(5);
    expect(c.activeHoursOfDay).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect(c.learnedFromHours).toBe(70);
  });
  it('detects every injected interior gap, never night hours, and computes completeness', () => {
    const gapHours = new Set([
      T0 + DAY_MS + 10 * HOUR_MS,
      T0 + 2 * DAY_MS + 9 * HOUR_MS,
      T0 + 2 * DAY_MS + 10 * HOUR_MS,
    ]);
    const s = series(4, (h) => (h >= 8 && h < 18 ? 5 : 0), gapHours);
    const c = learnCadence([...s.values()], T0, T0 + 4 * DAY_MS);
    const profile = { perHour: c.learnedPerHour, activeHoursOfDay: c.activeHoursOfDay, firstSeen: c.firstSeen };
    const gaps = detectGaps(s, profile, T0, T0 + 4 * DAY_MS);
    expect(gaps.map((g) => g.hour).sort()).toEqual([...gapHours].sort());
    const w = completenessWindows(s, profile, T0, T0 + 4 * DAY_MS);
    const day2 = w.find((x) => x.granularity === 'day' && x.windowStart === T0 + 2 * DAY_MS)!;
    expect(day2.expectedCount).toBe(50);
    expect(day2.realCount).toBe(40);
    expect(day2.completenessPct).toBe(80);
    const gapHour = w.find((x) => x.granularity === 'hour' && x.windowStart === T0 + DAY_MS + 10 * HOUR_MS)!;
    expect(gapHour.completenessPct).toBe(0);
    // An override raises the expectation: completeness drops.
    const w2 = completenessWindows(s, { ...profile, perHour: 10 }, T0, T0 + 4 * DAY_MS);
    expect(w2.find((x) => x.granularity === 'day' && x.windowStart === T0 + 2 * DAY_MS)!.completenessPct).toBe(40);
    // minExpected above the cadence: no gaps.
    expect(detectGaps(s, profile, T0, T0 + 4 * DAY_MS, { minExpected: 6 })).toEqual([]);
  });
});

describe('badge and PACT', () => {
  it('badge percentages always add up to exactly 100', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), (r, p) => {
        fc.pre(r + p > 0);
        const b = badgeOf(r, p);
        expect(Math.round((b.realPct + b.predictedPct) * 10)).toBe(1000);
        expect(b.realPct + b.predictedPct).toBe(100);
        if (p > 0) expect(b.predictedPct).toBeGreaterThan(0);
        if (r > 0) expect(b.realPct).toBeGreaterThan(0);
      }),
    );
    expect(badgeOf(2, 1).label).toBe('66.7% Real | 33.3% Predicted');
    expect(badgeOf(1, 0).label).toBe('100% Real | 0% Predicted');
    expect(badgeOf(0, 0)).toMatchObject({ realPct: 0, predictedPct: 0, label: 'No data' });
  });
  it('DQRs stay in 1..3 and PCAF in 1..5', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            co2eKg: fc.double({ min: 0, max: 1e4, noNaN: true }),
            predicted: fc.boolean(),
            suspect: fc.boolean(),
            measuredEnergy: fc.boolean(),
            geoSpecific: fc.boolean(),
          }),
        ),
        fc.nat(1000),
        fc.nat(1000),
        fc.nat(48),
        (events, expected, real, hours) => {
          const v = pactIndicators({
            events,
            supplierCountryKnown: true,
            expectedCount: expected,
            realCount: real,
            predictedCount: 0,
            expectedHours: hours,
            coveredHours: Math.min(hours, 10),
            expectedDays: 2,
            daysWithoutRealData: 1,
          });
          for (const k of [
            'technologicalDQR',
            'temporalDQR',
            'geographicalDQR',
            'completenessDQR',
            'reliabilityDQR',
          ] as const) {
            expect(v[k]).toBeGreaterThanOrEqual(1);
            expect(v[k]).toBeLessThanOrEqual(3);
          }
          expect(v.pcafScore).toBeGreaterThanOrEqual(2);
          expect(v.pcafScore).toBeLessThanOrEqual(5);
          expect(v.coveragePercent).toBeLessThanOrEqual(100);
          expect(v.primaryDataShare).toBeLessThanOrEqual(100);
        },
      ),
    );
    expect(pcafScore(95, 1.2).score).toBe(2);
    expect(pcafScore(70, 1.8).score).toBe(3);
    expect(pcafScore(30, 2.5).score).toBe(4);
    expect(pcafScore(5, 3).score).toBe(5);
  });
});

describe('outliers', () => {
  it('flags an absurd co2e per t·km with a reason naming the fence and supplier', () => {
    const ev: OutlierEvent[] = [];
    for (let i = 0; i < 60; i++) {
      const d = 100 + (i % 10) * 5;
      const l = 10000 + (i % 7) * 300;
      const tkm = (d * l) / 1000;
      ev.push({
        id: `e${i}`,
        supplierId: 's1',
        supplierName: 'Acme',
        timestamp: new Date(T0 + i * 60000).toISOString(),
        co2eKg: tkm * (0.09 + (i % 5) * 0.002),
        distanceKm: d,
        loadKg: l,
        tonneKm: tkm,
      });
    }
    ev[30] = { ...ev[30], co2eKg: ev[30].tonneKm! * 0.9 };
    const flags = supplierOutliers(ev, DEFAULT_THRESHOLDS);
    const ids = new Set(flags.map((f) => f.eventId));
    expect([...ids]).toEqual(['e30']);
    const r = flags.find((f) => f.metric === 'co2e_per_tkm')!;
    expect(r.reason).toMatch(
      /^co2e per t·km \(kg CO2e\/t·km\) 0\.9 above IQR upper fence 0\.\d+ \(k=1\.5, log scale, spread floor 10 %\) for supplier Acme \(s1\)$/,
    );
  });

  /**
   * t·km × one factor, as an activity-based figure is computed — kg from the exact t·km, t·km stored to two decimals:
   * the intensity is the factor up to rounding noise, which is heavy-tailed (short, light legs round worst).
   */
  function exactFactor(n: number, factor: number, rand: () => number, lane = false): OutlierEvent[] {
    return Array.from({ length: n }, (_, i) => {
      const d = lane ? 220 * (0.95 + rand() * 0.1) : 5 + rand() * 495;
      const l = lane ? 12000 * (0.95 + rand() * 0.1) : 100 + rand() * 23900;
      const tkm = (d * l) / 1000;
      return {
        id: `x${i}`,
        supplierId: 's1',
        timestamp: new Date(T0 + i * 60000).toISOString(),
        co2eKg: tkm * factor,
        distanceKm: d,
        loadKg: l,
        tonneKm: Math.round(tkm * 100) / 100,
        eventType: 'TRANSPORT',
        vehicleType: 'articulated_truck',
      };
    });
  }
  const lcg = (seed: number) => {
    let x = seed;
    return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  };

  it('exact-factor data (t·km × one factor) raise no intensity flags from rounding noise, whatever the factor and scale', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 300 }),
        fc.double({ min: 1e-4, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 1e9 }),
        fc.boolean(),
        (n, factor, seed, lane) => {
          const ev = exactFactor(n, factor, lcg(seed), lane);
          expect(supplierOutliers(ev, DEFAULT_THRESHOLDS).filter((f) => f.metric === 'co2e_per_tkm')).toEqual([]);
          // on a regular lane DBSCAN has nothing to say either (the intensity column is one value to it)
          if (lane) expect(supplierOutliers(ev, DEFAULT_THRESHOLDS)).toEqual([]);
        },
      ),
      { numRuns: 80 },
    );
    // without the floor (ε = 0) the same kind of data is flagged — the 2,864 SUSPECT events
    const ev = exactFactor(200, 0.0795, lcg(7));
    const noFloor = supplierOutliers(ev, { ...DEFAULT_THRESHOLDS, iqrRelFloor: 0 });
    const withFloor = supplierOutliers(ev, DEFAULT_THRESHOLDS);
    expect(noFloor.filter((f) => f.metric === 'co2e_per_tkm').length).toBeGreaterThan(10);
    expect(withFloor.filter((f) => f.metric === 'features').length).toBeLessThan(
      noFloor.filter((f) => f.metric === 'features').length,
    );
  });

  it('exact-factor data with real outliers: the outliers are still flagged, and only they', () => {
    const ev = exactFactor(200, 0.0795, lcg(11));
    ev[17] = { ...ev[17]!, co2eKg: ev[17]!.co2eKg * 1.6 }; // a fuel record 60 % too high
    ev[123] = { ...ev[123]!, co2eKg: ev[123]!.co2eKg * 0.5 }; // half the expected intensity
    const flags = supplierOutliers(ev, DEFAULT_THRESHOLDS).filter((f) => f.metric === 'co2e_per_tkm');
    expect(flags.map((f) => f.eventId).sort()).toEqual(['x123', 'x17']);
    expect(flags.find((f) => f.eventId === 'x17')!.reason).toMatch(/above IQR upper fence/);
    // 5 % above the single factor stays inside the floor (k·ε = 15 % beyond the quartiles)
    ev[50] = { ...ev[50]!, co2eKg: ev[50]!.co2eKg * 1.05 };
    expect(supplierOutliers(ev, DEFAULT_THRESHOLDS).some((f) => f.eventId === 'x50')).toBe(false);
  });

  it('judges intensities within comparable groups: big and small legs, vans and trucks, plants per unit', () => {
    const ev: OutlierEvent[] = [];
    for (let i = 0; i < 40; i++) {
      // trucks: 100–1000 km legs at 0.08 kg/t·km ± 3 %; vans: 20–80 km at 0.6 kg/km — raw kg spans two orders
      const d = 100 + ((i * 37) % 900);
      const tkm = (d * 20000) / 1000;
      ev.push({
        id: `t${i}`,
        supplierId: 's',
        timestamp: new Date(T0 + i * 60000).toISOString(),
        co2eKg: tkm * 0.08 * (1 + ((i % 7) - 3) * 0.01),
        distanceKm: d,
        loadKg: 20000,
        tonneKm: tkm,
        eventType: 'TRANSPORT',
        vehicleType: 'articulated_truck',
      });
      const vd = 20 + ((i * 13) % 60);
      ev.push({
        id: `v${i}`,
        supplierId: 's',
        timestamp: new Date(T0 + i * 60000).toISOString(),
        co2eKg: vd * 0.6 * (1 + ((i % 5) - 2) * 0.01),
        distanceKm: vd,
        loadKg: null,
        tonneKm: null,
        eventType: 'TRANSPORT',
        vehicleType: 'van',
      });
      ev.push({
        id: `f${i}`,
        supplierId: 's',
        timestamp: new Date(T0 + i * 60000).toISOString(),
        co2eKg: (100 + i * 25) * 1.2,
        distanceKm: null,
        loadKg: null,
        tonneKm: null,
        eventType: 'FACTORY',
        productionUnits: 100 + i * 25,
      });
    }
    expect(supplierOutliers(ev, DEFAULT_THRESHOLDS).filter((f) => f.metric !== 'distance_km')).toEqual([]);
    ev.push({
      id: 'f-bad',
      supplierId: 's',
      timestamp: new Date(T0).toISOString(),
      co2eKg: 500 * 3.5,
      distanceKm: null,
      loadKg: null,
      tonneKm: null,
      eventType: 'FACTORY',
      productionUnits: 500,
    });
    const flags = supplierOutliers(ev, DEFAULT_THRESHOLDS);
    expect(flags.filter((f) => f.metric === 'co2e_per_unit').map((f) => f.eventId)).toEqual(['f-bad']);
  });
});

describe('gap-fill model artifact', () => {
  it('the runtime reproduces the artifact examples and predicts a positive fill with confidence in (0,1)', () => {
    const a = loadArtifact();
    expect(a.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(() => verifyArtifact(a)).not.toThrow();
    const s = series(8, (h) => (h >= 6 && h < 22 ? 8 : 0));
    const hour = T0 + 7 * DAY_MS + 12 * HOUR_MS;
    const x = contextOf(hour, (t) => (t === hour ? null : (s.get(t)?.co2eKg ?? null)))!;
    expect(x.level).toBeCloseTo(80);
    const fill = predictFill(a, x);
    expect(fill.co2eKg).toBeGreaterThan(40);
    expect(fill.co2eKg).toBeLessThan(120);
    expect(fill.confidence).toBeGreaterThan(0);
    expect(fill.confidence).toBeLessThan(1);
  });
});
