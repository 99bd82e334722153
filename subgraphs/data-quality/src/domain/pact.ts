// The dashboard badge and PACT-style indicators (WBCSD PACT Methodology v3 data quality indicators:
// coveragePercent, primaryDataShare, DQRs 1 = good … 3 = poor) plus the coarser PCAF score (1 audited … 5 estimated).

export interface Badge {
  realPct: number;
  predictedPct: number;
  realCount: number;
  predictedCount: number;
  totalCount: number;
  label: string;
}

/**
 * Real vs predicted share rounded to 0.1 %, computed in integer tenths so realPct + predictedPct = 100 exactly
 * (largest-remainder rounding of two parts = round one, the other is the complement). No events → 0 / 0, "No data".
 */
export function badgeOf(realCount: number, predictedCount: number): Badge {
  const total = realCount + predictedCount;
  if (total <= 0) return { realPct: 0, predictedPct: 0, realCount, predictedCount, totalCount: 0, label: 'No data' };
  let realTenths = Math.round((realCount / total) * 1000);
  // Never show 100 % real while a fill exists, nor 0 % real while real data exists.
  if (predictedCount > 0 && realTenths === 1000) realTenths = 999;
  if (realCount > 0 && realTenths === 0) realTenths = 1;
  const predTenths = 1000 - realTenths;
  const realPct = realTenths / 10;
  const predictedPct = predTenths / 10;
  return {
    realPct,
    predictedPct,
    realCount,
    predictedCount,
    totalCount: total,
    label: `${fmt(realPct)}% Real | ${fmt(predictedPct)}% Predicted`,
  };
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/** Per-event evidence for the DQRs (emission-weighted). */
export interface EventEvidence {
  co2eKg: number;
  predicted: boolean;
  suspect: boolean;
  /** Fuel litres or energy kWh measured. */
  measuredEnergy: boolean;
  /** Region or route given. */
  geoSpecific: boolean;
}

export interface PactInput {
  events: readonly EventEvidence[];
  supplierCountryKnown: boolean;
  /** Events the cadence expected in the window and real events received. */
  expectedCount: number;
  realCount: number;
  predictedCount: number;
  /** Expected supplier-hours in the window and how many of them hold any data (real or predicted). */
  expectedHours: number;
  coveredHours: number;
  /** Days of the window on which data was expected, and how many of them had no real data. */
  expectedDays: number;
  daysWithoutRealData: number;
}

export interface PactIndicatorsValue {
  coveragePercent: number;
  primaryDataShare: number;
  technologicalDQR: number;
  temporalDQR: number;
  geographicalDQR: number;
  completenessDQR: number;
  reliabilityDQR: number;
  pcafScore: number;
  pcafRationale: string;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const clampDqr = (x: number) => Math.min(3, Math.max(1, x));

function weighted(events: readonly EventEvidence[], score: (e: EventEvidence) => number, fallback: number): number {
  let w = 0;
  let s = 0;
  for (const e of events) {
    const weight = Math.max(e.co2eKg, 0) || 1e-9;
    w += weight;
    s += weight * score(e);
  }
  return w > 0 ? s / w : fallback;
}

export function pactIndicators(input: PactInput): PactIndicatorsValue {
  const ev = input.events;
  const totalKg = ev.reduce((a, e) => a + Math.max(e.co2eKg, 0), 0);
  const realKg = ev.filter((e) => !e.predicted).reduce((a, e) => a + Math.max(e.co2eKg, 0), 0);
  const primaryDataShare = totalKg > 0 ? (realKg / totalKg) * 100 : input.realCount > 0 ? 100 : 0;
  const coveragePercent =
    input.expectedHours > 0
      ? Math.min(100, (input.coveredHours / input.expectedHours) * 100)
      : input.realCount + input.predictedCount > 0
        ? 100
        : 0;
  const technologicalDQR = clampDqr(weighted(ev, (e) => (e.predicted ? 3 : e.measuredEnergy ? 1 : 2), 3));
  const temporalDQR = clampDqr(input.expectedDays > 0 ? 1 + 2 * (input.daysWithoutRealData / input.expectedDays) : 3);
  const geographicalDQR = clampDqr(
    weighted(ev, (e) => (e.predicted ? 3 : e.geoSpecific ? 1 : input.supplierCountryKnown ? 2 : 3), 3),
  );
  const completeness =
    input.expectedCount > 0 ? Math.min(1, input.realCount / input.expectedCount) : input.realCount > 0 ? 1 : 0;
  const completenessDQR = clampDqr(1 + 2 * (1 - completeness));
  const reliabilityDQR = clampDqr(weighted(ev, (e) => (e.predicted || e.suspect ? 3 : 1), 3));
  const meanDqr = (technologicalDQR + temporalDQR + geographicalDQR + completenessDQR + reliabilityDQR) / 5;
  const { score, rationale } = pcafScore(primaryDataShare, meanDqr);
  return {
    coveragePercent: r2(coveragePercent),
    primaryDataShare: r2(primaryDataShare),
    technologicalDQR: r2(technologicalDQR),
    temporalDQR: r2(temporalDQR),
    geographicalDQR: r2(geographicalDQR),
    completenessDQR: r2(completenessDQR),
    reliabilityDQR: r2(reliabilityDQR),
    pcafScore: score,
    pcafRationale: rationale,
  };
}

/**
 * PCAF data quality score (PCAF Global GHG Accounting & Reporting Standard, Part A, 2nd ed. 2022):
 * 1 = verified reported emissions (never assigned here: the platform holds no third-party verification);
 * 2 = primary activity data, little estimation; 3 = mostly primary activity data; 4 = partly primary;
 * 5 = mostly estimated.
 */
export function pcafScore(primaryDataShare: number, meanDqr: number): { score: number; rationale: string } {
  const pds = r1(primaryDataShare);
  const dqr = r2(meanDqr);
  if (primaryDataShare >= 90 && meanDqr <= 1.5)
    return {
      score: 2,
      rationale: `primary data share ${pds}% ≥ 90% and mean DQR ${dqr} ≤ 1.5: unverified primary activity data (1 needs third-party verification)`,
    };
  if (primaryDataShare >= 60 && meanDqr <= 2)
    return {
      score: 3,
      rationale: `primary data share ${pds}% ≥ 60% and mean DQR ${dqr} ≤ 2: mostly primary activity data`,
    };
  if (primaryDataShare >= 20)
    return { score: 4, rationale: `primary data share ${pds}% ≥ 20%: partly primary, partly estimated` };
  return { score: 5, rationale: `primary data share ${pds}% < 20%: mostly estimated` };
}
