// The sentences the dashboard builds from what the back end measured (web/src/app/lib/evidence.ts): a hotspot's
// evidence, how a recommendation's avoided kg was bounded, the diagnosis and simulation JSON read defensively, and
// which baseline row explains a window. Records are shaped as the recommendations and orchestration plugins store them.
import { describe, expect, it } from 'vitest';
import {
  boundText,
  causeShareText,
  causeText,
  explainBaseline,
  hotspotEvidenceText,
  hourOfWeek,
  readDiagnosis,
  readSimulation,
  sigmaText,
  type BaselineRow,
} from '../src/app/lib/evidence.ts';

const diagnosis = {
  basis: 'own-history',
  statement: 'Compared with its own 48 h before the window, emissions per hour are +304 %.',
  findings: [
    {
      cause: 'activity_growth',
      label: 'more activity (volume growth)',
      share: 0.7102,
      evidence: 'legs per hour +200 % (1.7 → 5)',
      attributedKg: 589.521,
    },
    {
      cause: 'payload_increase',
      label: 'heavier payloads',
      share: 0.1509,
      evidence: 'payload +26 % (9.1 → 11.4 t)',
      attributedKg: 125.262,
    },
    {
      cause: 'longer_legs',
      label: 'longer legs',
      share: 0.1389,
      evidence: 'distance per leg +24 % (140 → 173 km)',
      attributedKg: 115.339,
    },
  ],
};

describe('diagnosis and cause', () => {
  it('reads the findings and names the cause in plain words with its share of the excess', () => {
    const d = readDiagnosis(diagnosis)!;
    expect(d.findings.map((f) => f.cause)).toEqual(['activity_growth', 'payload_increase', 'longer_legs']);
    expect(causeText('payload_increase', d)).toBe('heavier payloads');
    expect(causeShareText('activity_growth', d, 830.121)).toBe('71 % of the 830 kg excess');
    // a cause the diagnosis did not find still reads as words, never as an id
    expect(causeText('fuel_record_anomaly', d)).toBe(
      'a fuel-record anomaly (fuel per km implausible for the vehicles)',
    );
    expect(causeText('some_new_cause', null)).toBe('some new cause');
    expect(causeShareText('efficiency_drop', d, 830)).toBeNull();
  });

  it('degrades to null or skips entries on records of another shape instead of throwing', () => {
    expect(readDiagnosis(null)).toBeNull();
    expect(readDiagnosis('text')).toBeNull();
    expect(readDiagnosis({ findings: 'x' })).toBeNull();
    const d = readDiagnosis({
      statement: 'Too little history.',
      findings: [null, { cause: 7 }, { cause: 'idling', share: 'high' }],
    })!;
    expect(d.basis).toBe('none');
    expect(d.findings).toEqual([{ cause: 'idling', label: 'more idling', evidence: '', attributedKg: 0, share: 0 }]);
  });
});

describe('how the avoided kg was bounded', () => {
  const base = { cause: 'activity_growth', diagnosis };
  it('attributed-excess names the causes the measure answers and the published range it was capped from', () => {
    const text = boundText({
      ...base,
      impactBound: 'attributed-excess',
      evidence: {
        boundKg: 830.121,
        attributedExcessKg: 830.121,
        excessKg: 830.121,
        rangeKg: [821.105, 938.406, 1055.707],
        reductionPct: { min: 70, max: 90 },
        addresses: ['activity_growth', 'payload_increase', 'longer_legs'],
      },
    });
    expect(text).toBe(
      'capped at the 830 kg of the excess attributed to more activity (volume growth), heavier payloads and longer legs (the published 70–90 % would give 821 kg–1,056 kg)',
    );
  });

  it('published-range says it is the middle of the range, within what the cause accounts for', () => {
    const text = boundText({
      ...base,
      impactBound: 'published-range',
      evidence: {
        boundKg: 589.521,
        attributedExcessKg: 589.521,
        rangeKg: [117.301, 175.951, 234.601],
        reductionPct: { min: 10, max: 20 },
        addresses: ['activity_growth'],
      },
    });
    expect(text).toBe(
      'the middle of the published 10–20 % range (117 kg–235 kg), within the 590 kg attributed to more activity (volume growth)',
    );
  });

  it('hotspot-excess from a RAG answer quotes what the service said', () => {
    expect(boundText({ impactBound: 'hotspot-excess', evidence: { boundKg: 416, rag: { co2_reduction: 482 } } })).toBe(
      "capped at the hotspot's 416 kg excess (the RAG service said 482 kg)",
    );
  });

  it('a correction is not a physical saving; a rule states its rule-of-thumb share', () => {
    expect(
      boundText({
        cause: 'fuel_record_anomaly',
        impactBound: 'correction',
        evidence: { boundKg: 120, addresses: ['fuel_record_anomaly'] },
      }),
    ).toBe(
      'a record correction of the 120 kg attributed to a fuel-record anomaly (fuel per km implausible for the vehicles), not a physical saving',
    );
    expect(
      boundText({
        cause: 'low_load',
        impactBound: 'attributed-excess',
        evidence: { attributedExcessKg: 200, excessFraction: 0.3, boundApplied: 'attributed-excess' },
      }),
    ).toBe(
      '30 % of the 200 kg of the excess attributed to lower load per vehicle (poorer load factor) (rule of thumb)',
    );
    expect(
      boundText({
        cause: 'activity_growth',
        impactBound: 'attributed-excess',
        evidence: { attributedExcessKg: 200, excessFraction: 0 },
      }),
    ).toMatch(/^none: it explains the excess/);
  });

  it('says nothing when the record carries no bound', () => {
    expect(boundText({ impactBound: null, evidence: {} })).toBeNull();
  });
});

describe('simulation input', () => {
  it('reads the ready simulate input the what-if form starts from', () => {
    expect(readSimulation({ fuelType: 'hvo', hotspotId: 'h1' })).toEqual({ fuelType: 'hvo', hotspotId: 'h1' });
    expect(
      readSimulation({
        hotspotId: 'h1',
        modalShift: { kind: 'ROAD_TO_RAIL', sharePct: 70 },
        loadFactor: 0.85,
        activity: 'delivery',
      }),
    ).toEqual({
      hotspotId: 'h1',
      modalShiftPct: 70,
      loadFactor: 0.85,
      activity: 'DELIVERY',
    });
    // without a basis (no hotspot, no supplier) there is nothing to simulate
    expect(readSimulation({ fuelType: 'hvo' })).toBeNull();
    expect(readSimulation(null)).toBeNull();
  });
});

describe('hotspot evidence', () => {
  const h = {
    eventCount: 14,
    predictedKg: 1060,
    baselineKg: 342,
    baselineSpreadKg: 41,
    excessSigmas: 17.5,
    windowStart: '2026-12-01T10:00:00.000Z', // a Tuesday
    windowEnd: '2026-12-01T11:00:00.000Z',
  };
  it('is one sentence: events, how many times the usual for that hour, and the usual variation', () => {
    expect(hotspotEvidenceText(h, 'UTC')).toBe('14 events, 3.1× the usual for Tuesday 10:00–11:00 (±12 %)');
    expect(hotspotEvidenceText({ ...h, eventCount: 1, predictedKg: 342 * 12.4 }, 'Europe/Berlin')).toBe(
      '1 event, 12× the usual for Tuesday 11:00–12:00 (±12 %)',
    );
    expect(sigmaText(h)).toBe('18 σ beyond its usual variation');
  });

  it('leaves out what the hotspot does not record', () => {
    expect(hotspotEvidenceText({ ...h, eventCount: null, baselineSpreadKg: null }, 'UTC')).toBe(
      '3.1× the usual for Tuesday 10:00–11:00',
    );
    expect(hotspotEvidenceText({ ...h, baselineKg: 0 }, 'UTC')).toBe(
      '14 events, 1,060 kg CO2e where Tuesday 10:00–11:00 usually has none',
    );
    expect(sigmaText({ ...h, excessSigmas: null })).toBeNull();
  });
});

describe('which baseline explains a window', () => {
  const row = (p: Partial<BaselineRow>): BaselineRow => ({
    hourOfWeek: null,
    valueKgPerHour: 100,
    spreadKgPerHour: 10,
    samples: 8,
    eventsPerHour: 2,
    method: 'flat_median',
    isOverride: false,
    ...p,
  });
  const tue10 = hourOfWeek(Date.parse('2026-12-01T10:00:00Z'));

  it('counts Monday 00:00 UTC as hour 0', () => {
    expect(hourOfWeek(Date.parse('2026-11-30T00:30:00Z'))).toBe(0);
    expect(tue10).toBe(34);
    expect(hourOfWeek(Date.parse('2026-12-06T23:59:00Z'))).toBe(167);
  });

  it('takes the per-hour row of the hour the window mostly covers and sums the usual events over the overlap', () => {
    const rows = [
      row({}),
      row({ hourOfWeek: tue10, method: 'hour_of_day_median', samples: 10, eventsPerHour: 4 }),
      row({ hourOfWeek: tue10 + 1, method: 'hour_of_day_median', samples: 10, eventsPerHour: 6 }),
    ];
    const e = explainBaseline(rows, '2026-12-01T10:15:00Z', '2026-12-01T11:15:00Z')!;
    expect(e.how).toBe('the median of 10 weekdays (Mon–Fri) at 10:00 UTC');
    expect(e.usualEvents).toBeCloseTo(0.75 * 4 + 0.25 * 6, 9);
  });

  it('an override wins over computed rows; hours without a row of their own use the flat median', () => {
    const rows = [
      row({ samples: 192 }),
      row({ hourOfWeek: tue10, isOverride: true, method: 'override', eventsPerHour: null }),
    ];
    expect(explainBaseline(rows, '2026-12-01T10:00:00Z', '2026-12-01T11:00:00Z')).toEqual({
      how: 'a manual baseline',
      usualEvents: null,
      method: 'override',
    });
    expect(explainBaseline([row({ samples: 192 })], '2026-12-01T10:00:00Z', '2026-12-01T11:00:00Z')!.how).toBe(
      'the median of all 192 hours of its history',
    );
    expect(explainBaseline([], '2026-12-01T10:00:00Z', '2026-12-01T11:00:00Z')).toBeNull();
  });
});
