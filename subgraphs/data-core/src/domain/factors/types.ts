// One emission factor with its provenance. Every figure data-core stores names the factors it used (id + version),
// so a number can always be traced back to a publication and table.

/** TTW = tank-to-wheel (combustion / use), WTT = well-to-tank (supply chain), WTW = both; `generation` = a grid
 * factor that covers power-station emissions only (no T&D losses, no upstream); `energy` = not an emission factor
 * (e.g. kWh per km) but an activity intensity used to reach one. */
export type Boundary = 'TTW' | 'WTT' | 'WTW' | 'generation' | 'energy';

export interface Factor {
  /** Stable key, e.g. `desnz.hgv.artic-gt33t.laden-100.ttw`. */
  id: string;
  /** Publication edition, e.g. `DESNZ-2025`, `GLEC-v3.2`. */
  version: string;
  /** Human label, e.g. "HGV articulated >33 t, diesel, 100 % laden". */
  activity: string;
  /** e.g. `kg CO2e / km`, `kg CO2e / t·km`, `kg CO2e / L`, `kWh / km`. */
  unit: string;
  value: number;
  boundary: Boundary;
  /** Publication + table (+ row id where the publisher has one); says so when a value could not be verified. */
  source: string;
  /** Year the value applies to. */
  year: number;
  /** Grid region (UK, EU, US, IN, CN) for electricity factors. */
  region?: string;
}

/** One factor as applied to one activity quantity (stored on the event, returned by estimates). */
export interface FactorUse {
  id: string;
  version: string;
  activity: string;
  unit: string;
  value: number;
  boundary: Boundary;
  source: string;
  /** Activity quantity the factor was multiplied by, in the factor's denominator unit (km, t·km, L, kg, kWh). */
  quantity: number;
  /** quantity × value (kg CO2e; kWh for `energy` factors). */
  result: number;
  /** `emission`: part of the figure; `basis`: how the activity quantity of another factor was reached (e.g. the
   * diesel a truck class burns per km, re-expressed as HVO). */
  role: 'emission' | 'basis';
}
