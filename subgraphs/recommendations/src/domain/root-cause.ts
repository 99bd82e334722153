// A root-cause statement derived from the payload (used when RAG does not provide one).
import type { HotspotContext, PeriodStats } from './types.ts';
import { round } from './payload.ts';

export function entityLabel(ctx: HotspotContext): string {
  return ctx.supplier?.name ?? ctx.hotspot.entityName ?? `${ctx.hotspot.entityType} ${ctx.hotspot.entityId}`;
}

export function deriveRootCause(ctx: HotspotContext): string {
  const h = ctx.hotspot;
  const parts = [
    `${entityLabel(ctx)} is ${round(h.percentAbove, 1)} % above its baseline (${round(h.predictedKg, 1)} kg CO2e vs ${round(h.baselineKg, 1)} kg CO2e in the window).`,
  ];
  if (ctx.diagnosis?.basis === 'own-history') parts.push(`Diagnosis: ${ctx.diagnosis.statement}`);
  const hist = ctx.history;
  if (hist) {
    if (hist.peakHour && hist.peakHour.co2eKg > 0)
      parts.push(
        `Over the last ${hoursOf(hist)} h it emitted ${hist.totalKg} kg CO2e, peaking at ${hist.peakHour.co2eKg} kg CO2e in the hour from ${hist.peakHour.bucketStart}.`,
      );
    const v = hist.vehicleTypes[0];
    if (v && v.share >= 0.4) parts.push(`${pct(v.share)} of the sampled emissions come from ${v.value}.`);
    const f = hist.fuelTypes[0];
    if (f && f.share >= 0.4) parts.push(`${pct(f.share)} of them are from ${f.value}.`);
    const changes = whatChanged(hist.inWindow, hist.beforeWindow);
    if (changes.length) parts.push(`In the hotspot window compared with the hours before: ${changes.join('; ')}.`);
    const drivers: string[] = [];
    if (ctx.signals.includes('idling')) drivers.push(`long idling (average ${hist.avgIdleMin} min per event)`);
    if (ctx.signals.includes('high speed')) drivers.push(`high average speed (${hist.avgSpeedKmh} km/h)`);
    if (ctx.signals.includes('low load'))
      drivers.push(`a low average payload (${hist.avgLoadKg} kg), i.e. a poor load factor`);
    if (ctx.signals.includes('long haul')) drivers.push(`long legs (average ${hist.avgDistanceKm} km)`);
    if (ctx.signals.includes('refrigerated'))
      drivers.push(`refrigerated operation (${pct(hist.refrigeratedShare)} of events)`);
    if (drivers.length) parts.push(`Likely drivers: ${drivers.join('; ')}.`);
    if (hist.predictedCount > 0 && hist.eventCount > 0)
      parts.push(
        `${pct(hist.predictedCount / hist.eventCount)} of the underlying events are gap-filled predictions, not measured data.`,
      );
  } else {
    parts.push('No recent event history was available, so the cause is inferred from the category only.');
  }
  return parts.join(' ');
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

const FIELDS: [keyof PeriodStats, string, string][] = [
  ['kgPerEvent', 'emissions per event', 'kg CO2e'],
  ['avgLoadKg', 'average payload', 'kg'],
  ['avgIdleMin', 'average idling', 'min'],
  ['avgSpeedKmh', 'average speed', 'km/h'],
  ['avgDistanceKm', 'average distance', 'km'],
  ['avgStops', 'average stops', ''],
];

/** Measures that moved by ≥ 25 % between the hours before the window and the window itself. */
export function whatChanged(inW: PeriodStats | null, before: PeriodStats | null): string[] {
  if (!inW || !before) return [];
  const out: string[] = [];
  for (const [k, label, unit] of FIELDS) {
    const a = before[k] as number | null;
    const b = inW[k] as number | null;
    if (a === null || b === null || a <= 0) continue;
    const ratio = b / a;
    if (ratio >= 1.25 || ratio <= 0.75)
      out.push(
        `${label} ${ratio >= 1 ? 'up' : 'down'} from ${a} to ${b}${unit ? ' ' + unit : ''} (${ratio >= 1 ? '+' : ''}${Math.round((ratio - 1) * 100)} %)`,
      );
  }
  return out;
}
const hoursOf = (h: { from: string; to: string }) => Math.round((Date.parse(h.to) - Date.parse(h.from)) / 3_600_000);
