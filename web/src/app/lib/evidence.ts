// What the back end measured, in sentences a user can read: a hotspot's evidence, a recommendation's diagnosis and
// how its avoided kg was bounded. The recommendation fields arrive as JSON scalars, so every reader here checks the
// shape and degrades to null instead of throwing on a record written by an older or newer plugin version.
import { kg, num } from './format.ts';

export interface Finding {
  cause: string;
  label: string;
  evidence: string;
  /** kg CO2e of the hotspot's excess attributed to this cause */
  attributedKg: number;
  /** 0..1 share of the excess */
  share: number;
}

export interface Diagnosis {
  /** own-history: compared with the supplier's own events before the window; none: too little history */
  basis: string;
  statement: string;
  findings: Finding[];
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const numOr = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strOr = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);

/** Plain words for the recommendations plugin's cause ids, for records whose diagnosis lacks the finding. */
const CAUSE_WORDS: Record<string, string> = {
  activity_growth: 'more activity (volume growth)',
  payload_increase: 'heavier payloads',
  longer_legs: 'longer legs',
  efficiency_drop: 'lower efficiency (more kg CO2e for the same work)',
  fuel_record_anomaly: 'a fuel-record anomaly (fuel per km implausible for the vehicles)',
  low_load: 'lower load per vehicle (poorer load factor)',
  empty_running: 'more empty running',
  idling: 'more idling',
  high_speed: 'higher speeds',
  energy_intensity: 'higher energy intensity (kg CO2e per unit or per m²)',
  production_growth: 'more production / throughput',
  data_gaps: 'gap-filled estimates instead of measured data',
};

export function readDiagnosis(json: unknown): Diagnosis | null {
  if (!isObj(json)) return null;
  const findings = (Array.isArray(json.findings) ? json.findings : []).flatMap((f): Finding[] => {
    if (!isObj(f) || !strOr(f.cause)) return [];
    const cause = f.cause as string;
    return [
      {
        cause,
        label: strOr(f.label) ?? CAUSE_WORDS[cause] ?? cause.replace(/_/g, ' '),
        evidence: strOr(f.evidence) ?? '',
        attributedKg: numOr(f.attributedKg) ?? 0,
        share: numOr(f.share) ?? 0,
      },
    ];
  });
  const statement = strOr(json.statement);
  if (!statement && !findings.length) return null;
  return { basis: strOr(json.basis) ?? 'none', statement: statement ?? '', findings };
}

/** The cause in plain words: the diagnosis' own label, else ours, else the id without underscores. */
export function causeText(cause: string | null | undefined, d: Diagnosis | null): string | null {
  if (!cause) return null;
  return d?.findings.find((f) => f.cause === cause)?.label ?? CAUSE_WORDS[cause] ?? cause.replace(/_/g, ' ');
}

/** "a", "a and b", "a, b and c" */
export function listText(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Share 0..1 as a whole percent ("71 %"). */
export const shareText = (share: number) => `${Math.round(share * 100)} %`;

/** The excess this recommendation's cause accounts for: "71 % of the 830 kg excess". */
export function causeShareText(
  cause: string | null | undefined,
  d: Diagnosis | null,
  excessKg: number | null,
): string | null {
  const f = cause ? d?.findings.find((x) => x.cause === cause) : undefined;
  if (!f || !(f.share > 0)) return null;
  return `${shareText(f.share)} of the ${excessKg != null && excessKg > 0 ? `${kg(excessKg)} ` : ''}excess`;
}

export interface RecommendationFacts {
  cause?: string | null;
  impactBound?: string | null;
  evidence?: unknown;
  diagnosis?: unknown;
}

/** The hotspot excess the recommendation was sized against (kg CO2e), when the evidence records it. */
export function excessOf(r: RecommendationFacts): number | null {
  const e = isObj(r.evidence) ? r.evidence : {};
  return numOr(e.excessKg) ?? numOr(e.boundKg);
}

/**
 * How the expected avoided kg was bounded, in words (null when the record says nothing about it), e.g.
 * "capped at the 830 kg of the excess attributed to more activity and heavier payloads (the published 70–90 % would
 * give 821 kg–1.1 t)".
 */
export function boundText(r: RecommendationFacts): string | null {
  const e = isObj(r.evidence) ? r.evidence : {};
  const d = readDiagnosis(r.diagnosis ?? e.diagnosis);
  const boundKg = numOr(e.boundKg);
  const attributed = numOr(e.attributedExcessKg);
  const range =
    Array.isArray(e.rangeKg) && e.rangeKg.length === 3 && e.rangeKg.every((x) => numOr(x) != null)
      ? (e.rangeKg as number[])
      : null;
  const pctRange =
    isObj(e.reductionPct) && numOr(e.reductionPct.min) != null && numOr(e.reductionPct.max) != null
      ? `${num(e.reductionPct.min as number, 1)}–${num(e.reductionPct.max as number, 1)} %`
      : null;
  const published = range && pctRange ? `the published ${pctRange} would give ${kg(range[0])}–${kg(range[2])}` : null;
  // the causes the measure answers that the diagnosis found, else the card's own cause
  const addressed = (Array.isArray(e.addresses) ? e.addresses : []).filter((c): c is string => typeof c === 'string');
  const found = d ? addressed.filter((c) => d.findings.some((f) => f.cause === c && f.attributedKg > 0)) : [];
  const causes = listText((found.length ? found : r.cause ? [r.cause] : []).map((c) => causeText(c, d)!));
  const fraction = numOr(e.excessFraction);
  switch (r.impactBound) {
    case 'attributed-excess': {
      if (fraction != null) {
        // rule-based fallback: a rule-of-thumb share of the attributed excess
        if (fraction === 0)
          return `none: it explains the excess attributed to ${causes || 'its cause'}, it does not remove it`;
        return `${Math.round(fraction * 100)} % of the ${kg(attributed ?? boundKg)} of the excess attributed to ${causes || 'its cause'} (rule of thumb)`;
      }
      return `capped at the ${kg(boundKg ?? attributed)} of the excess attributed to ${causes || 'its cause'}${published ? ` (${published})` : ''}`;
    }
    case 'hotspot-excess': {
      const rag = isObj(e.rag) ? numOr(e.rag.co2_reduction) : null;
      const said = rag != null ? `the RAG service said ${kg(rag)}` : published;
      return `capped at the hotspot's ${kg(boundKg)} excess${said ? ` (${said})` : ''}`;
    }
    case 'published-range': {
      const mid = range ? ` (${kg(range[0])}–${kg(range[2])})` : '';
      const within =
        boundKg != null && boundKg > 0
          ? `, within the ${kg(boundKg)} ${attributed && attributed > 0 ? `attributed to ${causes || 'its cause'}` : 'excess'}`
          : '';
      return `the middle of the published ${pctRange ? `${pctRange} ` : ''}range${mid}${within}`;
    }
    case 'correction':
      return `a record correction of the ${kg(boundKg ?? attributed)} attributed to ${causes || 'its cause'}, not a physical saving`;
    case 'none':
      return "the source's own estimate (within the hotspot's excess, so not capped)";
    default:
      return null;
  }
}

export interface SimulationPrefill {
  hotspotId?: string;
  supplierId?: string;
  activity?: 'TRANSPORT' | 'DELIVERY' | 'FACTORY' | 'WAREHOUSE';
  vehicleType?: string;
  fuelType?: string;
  loadChange?: number;
  distanceChange?: number;
  loadFactor?: number;
  modalShiftPct?: number;
}

const ACTIVITIES = ['TRANSPORT', 'DELIVERY', 'FACTORY', 'WAREHOUSE'] as const;

/** The recommendation's `simulation` (a ready `simulate` input) as the what-if form reads it; null when unusable. */
export function readSimulation(json: unknown): SimulationPrefill | null {
  if (!isObj(json)) return null;
  const out: SimulationPrefill = {};
  if (strOr(json.hotspotId)) out.hotspotId = json.hotspotId as string;
  if (strOr(json.supplierId)) out.supplierId = json.supplierId as string;
  const act = strOr(json.activity)?.toUpperCase();
  if (act && (ACTIVITIES as readonly string[]).includes(act)) out.activity = act as SimulationPrefill['activity'];
  if (strOr(json.vehicleType)) out.vehicleType = json.vehicleType as string;
  if (strOr(json.fuelType)) out.fuelType = json.fuelType as string;
  for (const k of ['loadChange', 'distanceChange', 'loadFactor'] as const)
    if (numOr(json[k]) != null) out[k] = json[k] as number;
  if (isObj(json.modalShift) && numOr(json.modalShift.sharePct) != null)
    out.modalShiftPct = json.modalShift.sharePct as number;
  return out.hotspotId || out.supplierId ? out : null;
}

export interface HotspotFacts {
  eventCount?: number | null;
  predictedKg: number;
  baselineKg: number;
  baselineSpreadKg?: number | null;
  excessSigmas?: number | null;
  windowStart: string;
  windowEnd: string;
}

/** "3.1×" (one decimal below 10, whole numbers above). */
export function timesText(ratio: number): string {
  return `${ratio >= 10 ? num(ratio, 0) : num(ratio, 1)}×`;
}

/** "Tuesday 10:00–11:00" in the given time zone (the browser's by default). */
export function windowText(startIso: string, endIso: string, timeZone?: string): string {
  const day = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone }).format(new Date(startIso));
  const hm = (iso: string) =>
    new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(
      new Date(iso),
    );
  return `${day} ${hm(startIso)}–${hm(endIso)}`;
}

/**
 * A hotspot's evidence in one sentence: "14 events, 3.1× the usual for Tuesday 10:00–11:00 (±12 %)". The ± is the
 * baseline's robust standard deviation relative to the baseline (how much such windows normally vary).
 */
export function hotspotEvidenceText(h: HotspotFacts, timeZone?: string): string {
  const parts: string[] = [];
  if (h.eventCount != null) parts.push(`${num(h.eventCount, 0)} ${h.eventCount === 1 ? 'event' : 'events'}`);
  const when = windowText(h.windowStart, h.windowEnd, timeZone);
  if (h.baselineKg > 0) {
    const spread =
      h.baselineSpreadKg != null && h.baselineSpreadKg > 0
        ? ` (±${num((h.baselineSpreadKg / h.baselineKg) * 100, 0)} %)`
        : '';
    parts.push(`${timesText(h.predictedKg / h.baselineKg)} the usual for ${when}${spread}`);
  } else {
    parts.push(`${kg(h.predictedKg)} CO2e where ${when} usually has none`);
  }
  return parts.join(', ');
}

/** "25 σ beyond its usual variation" (null without a spread). */
export function sigmaText(h: HotspotFacts): string | null {
  if (h.excessSigmas == null || !Number.isFinite(h.excessSigmas)) return null;
  return `${num(h.excessSigmas, h.excessSigmas >= 10 ? 0 : 1)} σ beyond its usual variation`;
}

export interface BaselineRow {
  hourOfWeek?: number | null;
  valueKgPerHour: number;
  spreadKgPerHour?: number | null;
  samples: number;
  eventsPerHour?: number | null;
  method: string;
  isOverride: boolean;
}

/** Monday 00:00 UTC = 0 (orchestration's hour of week). */
export const hourOfWeek = (ms: number) => ((new Date(ms).getUTCDay() + 6) % 7) * 24 + new Date(ms).getUTCHours();

export interface BaselineExplanation {
  /** how the usual level of the window's main hour was measured, in words */
  how: string;
  /** usual events in a window like this one (Σ overlap × events per hour), when known */
  usualEvents: number | null;
  method: string;
}

/**
 * How the usual level of a window was measured, from the entity's baseline rows — the row orchestration uses for
 * each hour the window overlaps (hour override > all-hours override > per-hour > flat).
 */
export function explainBaseline(
  rows: BaselineRow[],
  windowStart: string,
  windowEnd: string,
): BaselineExplanation | null {
  const start = Date.parse(windowStart);
  const end = Date.parse(windowEnd);
  if (!rows.length || !(end > start)) return null;
  const pick = (how: number) =>
    rows.find((r) => r.isOverride && r.hourOfWeek === how) ??
    rows.find((r) => r.isOverride && r.hourOfWeek == null) ??
    rows.find((r) => !r.isOverride && r.hourOfWeek === how) ??
    rows.find((r) => !r.isOverride && r.hourOfWeek == null);
  let main: { row: BaselineRow; hourMs: number; overlap: number } | null = null;
  let usual = 0;
  let known = true;
  for (let h = Math.floor(start / 3_600_000) * 3_600_000; h < end; h += 3_600_000) {
    const overlap = (Math.min(end, h + 3_600_000) - Math.max(start, h)) / 3_600_000;
    const row = pick(hourOfWeek(h));
    if (!row) continue;
    if (row.eventsPerHour == null) known = false;
    else usual += overlap * row.eventsPerHour;
    if (!main || overlap > main.overlap) main = { row, hourMs: h, overlap };
  }
  if (!main) return null;
  const { row, hourMs } = main;
  const d = new Date(hourMs);
  const hh = `${String(d.getUTCHours()).padStart(2, '0')}:00 UTC`;
  const weekday = d.getUTCDay() >= 1 && d.getUTCDay() <= 5;
  const dayName = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: 'UTC' }).format(d);
  const how = (() => {
    switch (row.method) {
      case 'hour_of_week_median':
        return `the median of ${row.samples} ${dayName}s at ${hh}`;
      case 'hour_of_day_median':
        return `the median of ${row.samples} ${weekday ? 'weekdays (Mon–Fri)' : 'weekend days'} at ${hh}`;
      case 'hour_of_day_all_days_median':
        return `the median of ${row.samples} days at ${hh}`;
      case 'flat_median':
        return `the median of all ${row.samples} hours of its history`;
      case 'override':
        return 'a manual baseline';
      default:
        return `${row.method.replace(/_/g, ' ')} (${row.samples} samples)`;
    }
  })();
  return { how, usualEvents: known ? usual : null, method: row.method };
}
