// Fuel factors (TTW + WTT) per unit of fuel, and the energy content used to express one fuel as another
// (e.g. the diesel a truck class burns per km, expressed as HVO or CNG). Energy contents are DESNZ 2025's own:
// WTT per unit ÷ WTT per kWh (net CV) of the same fuel.
import { factor, DIESEL_KWH_PER_L, type Factor } from './factors/index.ts';
import type { FuelTypeName } from './vehicle-classes.ts';

export interface FuelFactors {
  fuel: FuelTypeName;
  label: string;
  /** 'L' or 'kg' */
  unit: 'L' | 'kg';
  ttw: Factor;
  wtt: Factor;
  /** kWh (net CV) per unit. */
  kwhPerUnit: number;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

const FUELS: Record<Exclude<FuelTypeName, 'electric'>, () => FuelFactors> = {
  diesel: () => ({
    fuel: 'diesel',
    label: 'diesel (average biofuel blend)',
    unit: 'L',
    ttw: factor('desnz.fuel.diesel.ttw'),
    wtt: factor('desnz.fuel.diesel.wtt'),
    kwhPerUnit: DIESEL_KWH_PER_L,
  }),
  diesel_b7: () => ({ ...FUELS.diesel(), fuel: 'diesel_b7' }),
  diesel_mineral: () => ({
    fuel: 'diesel_mineral',
    label: 'diesel (100 % mineral)',
    unit: 'L',
    ttw: factor('desnz.fuel.diesel-mineral.ttw'),
    wtt: factor('desnz.fuel.diesel-mineral.wtt'),
    kwhPerUnit: round3(0.62409 / 0.06291),
  }),
  petrol: () => ({
    fuel: 'petrol',
    label: 'petrol (average biofuel blend)',
    unit: 'L',
    ttw: factor('desnz.fuel.petrol.ttw'),
    wtt: factor('desnz.fuel.petrol.wtt'),
    kwhPerUnit: round3(0.58094 / 0.0648),
  }),
  // HVO: DESNZ gives 44 MJ/kg at 780 kg/m³ → 9.533 kWh/L.
  hvo: () => ({
    fuel: 'hvo',
    label: 'HVO',
    unit: 'L',
    ttw: factor('desnz.fuel.hvo.ttw'),
    wtt: factor('desnz.fuel.hvo.wtt'),
    kwhPerUnit: round3((44 * 0.78) / 3.6),
  }),
  cng: () => ({
    fuel: 'cng',
    label: 'CNG',
    unit: 'kg',
    ttw: factor('desnz.fuel.cng.ttw'),
    wtt: factor('desnz.fuel.cng.wtt'),
    kwhPerUnit: round3(0.53078 / 0.04198),
  }),
  lng: () => ({
    fuel: 'lng',
    label: 'LNG',
    unit: 'kg',
    ttw: factor('desnz.fuel.lng.ttw'),
    wtt: factor('desnz.fuel.lng.wtt'),
    kwhPerUnit: round3(0.91223 / 0.07214),
  }),
};

export function fuelFactors(fuel: Exclude<FuelTypeName, 'electric'>): FuelFactors {
  return FUELS[fuel]();
}
