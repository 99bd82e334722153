// Grid electricity per kWh consumed, by region. UK: DESNZ 2025 generation + T&D losses + upstream of both (the full
// well-to-wheel figure). Other regions: generation-only factors (no T&D, no upstream published in the set), which
// the event states in its boundary. Electricity has no tank-to-wheel part (ISO 14083): it is all energy provision.
import { factor, type Factor } from './factors/index.ts';

export const GRID_REGIONS = ['UK', 'EU', 'US', 'IN', 'CN'] as const;
export type GridRegion = (typeof GRID_REGIONS)[number];

const EU27 = new Set('AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE'.split(' '));

/** Grid region for an ISO alpha-2 country, null when the set has no factor for it. */
export function regionForCountry(country: string | null | undefined): { region: GridRegion; note?: string } | null {
  if (!country) return null;
  const c = country.trim().toUpperCase();
  if (c === 'GB' || c === 'UK') return { region: 'UK' };
  if (EU27.has(c)) return { region: 'EU', note: `no country grid factor for ${c} in the set: EU-27 average used` };
  if (c === 'US' || c === 'IN' || c === 'CN') return { region: c };
  return null;
}

export interface GridFactor {
  region: GridRegion;
  /** kg CO2e per kWh, all parts. */
  perKwh: number;
  parts: Factor[];
  /** true when T&D and upstream are included (UK). */
  complete: boolean;
}

export function gridFactor(region: GridRegion): GridFactor {
  if (region === 'UK') {
    const parts = [
      'desnz.electricity.uk.generation',
      'desnz.electricity.uk.td',
      'desnz.electricity.uk.wtt-generation',
      'desnz.electricity.uk.wtt-td',
    ].map(factor);
    return { region, perKwh: parts.reduce((s, f) => s + f.value, 0), parts, complete: true };
  }
  const f = factor(`grid.${region.toLowerCase()}.generation`);
  return { region, perKwh: f.value, parts: [f], complete: false };
}

/** The region an event's electricity comes from: its own `region`, else its supplier's country, else UK (noted). */
export function resolveRegion(
  eventRegion: string | null | undefined,
  supplierCountry: string | null | undefined,
): { region: GridRegion; note?: string } {
  if (eventRegion && (GRID_REGIONS as readonly string[]).includes(eventRegion))
    return { region: eventRegion as GridRegion };
  const byCountry = regionForCountry(supplierCountry);
  if (byCountry) return byCountry;
  return {
    region: 'UK',
    note: supplierCountry
      ? `no grid factor for supplier country ${supplierCountry}: UK grid used`
      : 'grid region unknown: UK grid used',
  };
}
