// Supplier comparison: kg CO2e per t·km (transport/delivery), per event and per production unit, ranked, with the
// trend against the previous period of equal length. Totals from data-core emissionsSeries (SQL aggregation);
// t·km and production units from data-core events (paged, capped).
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import { emissionsSeries, eventMeasures } from '../datacore.ts';

export interface ComparisonRow {
  supplierId: string;
  co2eKg: number;
  tonneKm: number;
  eventCount: number;
  units: number;
  intensityKgPerTonneKm: number | null;
  kgPerEvent: number | null;
  kgPerUnit: number | null;
}

const MAX_EVENTS = 20_000;

async function period(
  services: PluginServices,
  from: Date,
  to: Date,
  supplierIds: string[] | null,
): Promise<Map<string, ComparisonRow>> {
  const series = await emissionsSeries(services, from, to, 'DAY', 'SUPPLIER', supplierIds);
  const rows = new Map<string, ComparisonRow>();
  const get = (id: string) => {
    let r = rows.get(id);
    if (!r)
      rows.set(
        id,
        (r = {
          supplierId: id,
          co2eKg: 0,
          tonneKm: 0,
          eventCount: 0,
          units: 0,
          intensityKgPerTonneKm: null,
          kgPerEvent: null,
          kgPerUnit: null,
        }),
      );
    return r;
  };
  for (const s of series) {
    const r = get(s.key);
    r.co2eKg += s.co2eKg;
    r.eventCount += s.eventCount;
  }
  // t·km and units need event detail: only the measures are fetched.
  const filter = { from: from.toISOString(), to: to.toISOString(), ...(supplierIds ? { supplierIds } : {}) };
  const events = await eventMeasures(services, filter, MAX_EVENTS);
  const tkmKg = new Map<string, number>();
  const unitKg = new Map<string, number>();
  for (const e of events) {
    const id = e.supplierId;
    if (!id) continue;
    const r = get(id);
    if (e.tonneKm) {
      r.tonneKm += e.tonneKm;
      tkmKg.set(id, (tkmKg.get(id) ?? 0) + (e.co2eKg ?? 0));
    }
    if (e.productionUnits) {
      r.units += e.productionUnits;
      unitKg.set(id, (unitKg.get(id) ?? 0) + (e.co2eKg ?? 0));
    }
  }
  for (const r of rows.values()) {
    // Intensity uses only the emissions of events that carry t·km (so factory energy does not inflate it).
    r.intensityKgPerTonneKm = r.tonneKm > 0 ? (tkmKg.get(r.supplierId) ?? 0) / r.tonneKm : null;
    r.kgPerEvent = r.eventCount > 0 ? r.co2eKg / r.eventCount : null;
    r.kgPerUnit = r.units > 0 ? (unitKg.get(r.supplierId) ?? 0) / r.units : null;
  }
  return rows;
}

export type Metric = 'INTENSITY' | 'TOTAL' | 'PER_EVENT';

export async function compareSuppliers(
  services: PluginServices,
  from: Date,
  to: Date,
  supplierIds: string[] | null,
  metric: Metric,
  first: number,
) {
  const len = to.getTime() - from.getTime();
  const prevFrom = new Date(from.getTime() - len);
  const [cur, prev] = await Promise.all([
    period(services, from, to, supplierIds),
    period(services, prevFrom, from, supplierIds),
  ]);
  const value = (r: ComparisonRow | undefined): number | null =>
    !r
      ? null
      : metric === 'TOTAL'
        ? r.co2eKg
        : metric === 'PER_EVENT'
          ? r.kgPerEvent
          : (r.intensityKgPerTonneKm ?? null);
  const rows = [...cur.values()].filter((r) => r.eventCount > 0 || r.co2eKg > 0);
  // Worst (highest) first; suppliers without the metric (e.g. no t·km) rank after, by kg per event.
  rows.sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va !== null && vb !== null) return vb - va;
    if (va !== null) return -1;
    if (vb !== null) return 1;
    return (b.kgPerEvent ?? 0) - (a.kgPerEvent ?? 0);
  });
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    previousFrom: prevFrom.toISOString(),
    previousTo: from.toISOString(),
    rankedBy: metric === 'TOTAL' ? 'kg CO2e' : metric === 'PER_EVENT' ? 'kg CO2e per event' : 'kg CO2e per t·km',
    rows: rows.slice(0, first).map((r, i) => {
      const p = prev.get(r.supplierId);
      const v = value(r);
      const pv = value(p);
      const changePct = v !== null && pv !== null && pv > 0 ? ((v - pv) / pv) * 100 : null;
      return {
        rank: i + 1,
        supplier: { id: r.supplierId },
        co2eKg: r.co2eKg,
        tonneKm: r.tonneKm,
        intensityKgPerTonneKm: r.intensityKgPerTonneKm,
        eventCount: r.eventCount,
        kgPerEvent: r.kgPerEvent,
        kgPerUnit: r.kgPerUnit,
        previousIntensityKgPerTonneKm: p?.intensityKgPerTonneKm ?? null,
        previousCo2eKg: p?.co2eKg ?? 0,
        changePct,
        trend:
          changePct === null || Math.abs(changePct) < 2
            ? ('FLAT' as const)
            : changePct > 0
              ? ('UP' as const)
              : ('DOWN' as const),
      };
    }),
  };
}
