// Accepted `vehicleType` values and the factor class each maps to. The mapping is explicit: a value not listed here
// is an error naming the field (never a silent fallback). Generic values without a weight class map to a named
// DESNZ average class and say so in the event's methodNote.

export type Mode = 'hgv' | 'van' | 'rail' | 'sea' | 'air';

export interface VehicleClass {
  id: string;
  label: string;
  mode: Mode;
  /** DESNZ HGV band (hgv) or van class (van). */
  band?: string;
  /** Battery-electric truck energy factor key (hgv). */
  bevBand?: string;
  /** Sea / air factor family key. */
  key?: string;
  /** The class is battery-electric whatever fuelType says. */
  electric?: boolean;
  /** Why a default class was used (generic values). */
  note?: string;
}

const hgv = (id: string, label: string, band: string, bevBand: string, note?: string): VehicleClass => ({
  id,
  label,
  mode: 'hgv',
  band,
  bevBand,
  note,
});

export const VEHICLE_CLASSES: VehicleClass[] = [
  hgv('rigid_3_5_7_5t', 'Rigid truck 3.5–7.5 t', 'rigid-3.5-7.5t', 'rigid-3.5-7.5t'),
  hgv(
    'rigid_7_5_12t',
    'Rigid truck 7.5–12 t',
    'rigid-7.5-17t',
    'rigid-7.5-17t',
    'rigid 7.5–12 t uses DESNZ band Rigid (>7.5 - 17 tonnes)',
  ),
  hgv(
    'rigid_12_20t',
    'Rigid truck 12–20 t',
    'rigid-gt17t',
    'rigid-12-20t',
    'rigid 12–20 t uses DESNZ band Rigid (>17 tonnes)',
  ),
  hgv(
    'rigid_20_26t',
    'Rigid truck 20–26 t',
    'rigid-gt17t',
    'rigid-gt17t',
    'rigid 20–26 t uses DESNZ band Rigid (>17 tonnes)',
  ),
  hgv(
    'rigid_26_32t',
    'Rigid truck 26–32 t',
    'rigid-gt17t',
    'rigid-gt17t',
    'rigid 26–32 t uses DESNZ band Rigid (>17 tonnes)',
  ),
  hgv('articulated_3_5_33t', 'Articulated truck 3.5–33 t', 'artic-3.5-33t', 'artic-3.5-33t'),
  hgv(
    'articulated_34_40t',
    'Articulated truck 34–40 t',
    'artic-gt33t',
    'artic-gt33t',
    'articulated 34–40 t uses DESNZ band Articulated (>33t)',
  ),
  hgv(
    'articulated_40_44t',
    'Articulated truck 40–44 t',
    'artic-gt33t',
    'artic-gt33t',
    'articulated 40–44 t uses DESNZ band Articulated (>33t)',
  ),
  hgv(
    'rigid_truck',
    'Rigid truck (weight class not given)',
    'rigid-all',
    'rigid-all',
    'rigid_truck has no weight class: DESNZ "All rigids" average used',
  ),
  hgv(
    'articulated_truck',
    'Articulated truck (weight class not given)',
    'artic-all',
    'artic-all',
    'articulated_truck has no weight class: DESNZ "All artics" average used',
  ),
  hgv(
    'truck',
    'Truck (type and weight not given)',
    'hgv-all',
    'hgv-all',
    'truck has no type or weight class: DESNZ "All HGVs" average used',
  ),
  hgv(
    'hgv',
    'HGV (type and weight not given)',
    'hgv-all',
    'hgv-all',
    'hgv has no type or weight class: DESNZ "All HGVs" average used',
  ),
  {
    ...hgv(
      'ev_truck',
      'Battery-electric truck (weight class not given)',
      'rigid-gt17t',
      'rigid-12-20t',
      'ev_truck has no weight class: a 19 t battery-electric rigid (BETT trial) is used',
    ),
    electric: true,
  },
  {
    id: 'van',
    label: 'Van (class not given)',
    mode: 'van',
    band: 'average',
    note: 'van has no class: DESNZ "Average (up to 3.5 tonnes)" van used',
  },
  { id: 'van_class_i', label: 'Van class I (up to 1.305 t)', mode: 'van', band: 'class-i' },
  { id: 'van_class_ii', label: 'Van class II (1.305–1.74 t)', mode: 'van', band: 'class-ii' },
  { id: 'van_class_iii', label: 'Van class III (1.74–3.5 t)', mode: 'van', band: 'class-iii' },
  {
    id: 'ev_van',
    label: 'Battery-electric van (class not given)',
    mode: 'van',
    band: 'average',
    electric: true,
    note: 'ev_van has no class: DESNZ average battery-electric van used',
  },
  { id: 'rail', label: 'Rail freight', mode: 'rail', key: 'freight' },
  {
    id: 'ferry',
    label: 'Ferry (RoRo)',
    mode: 'sea',
    key: 'ro-ro',
    note: 'ferry: DESNZ RoRo-Ferry average used (use ro_pax for passenger ferries)',
  },
  { id: 'ro_ro', label: 'RoRo ferry', mode: 'sea', key: 'ro-ro' },
  { id: 'ro_pax', label: 'RoPax ferry (large)', mode: 'sea', key: 'ro-pax' },
  { id: 'container_ship', label: 'Container ship', mode: 'sea', key: 'container' },
  { id: 'bulk_carrier', label: 'Bulk carrier', mode: 'sea', key: 'bulk' },
  {
    id: 'air',
    label: 'Air freight (type not given)',
    mode: 'air',
    note: 'air has no aircraft type: DESNZ freight-flight factor by distance band used',
  },
  { id: 'air_belly_short_haul', label: 'Air freight, belly, short haul', mode: 'air', key: 'belly-short-haul' },
  { id: 'air_belly_long_haul', label: 'Air freight, belly, long haul', mode: 'air', key: 'belly-long-haul' },
  {
    id: 'air_freighter',
    label: 'Air freight, dedicated freighter (fleet average)',
    mode: 'air',
    key: 'freighter-average',
  },
  {
    id: 'air_freighter_long_haul',
    label: 'Air freight, dedicated freighter, long haul',
    mode: 'air',
    key: 'freighter-long-haul',
  },
];

export const VEHICLE_TYPES = VEHICLE_CLASSES.map((c) => c.id);

/** kg of load at DESNZ's "100 % laden" for an HGV class (per-km ÷ per-t·km factor at 100 %), else null. */
export function payloadKg(
  c: VehicleClass,
  perKm100: (band: string) => number,
  perTkm100: (band: string) => number,
): number | null {
  if (c.mode !== 'hgv' || !c.band) return null;
  return Math.round((perKm100(c.band) / perTkm100(c.band)) * 1000);
}
const BY_ID = new Map(VEHICLE_CLASSES.map((c) => [c.id, c]));

/** Normalizes a sent value ("Rigid-Truck 12-20t" → rigid_truck_12_20t is NOT accepted; only listed ids, case and
 * separators aside). */
export const normalizeVehicleType = (v: string) =>
  v
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_')
    .replace(/\./g, '_');

export function vehicleClass(id: string): VehicleClass | undefined {
  return BY_ID.get(normalizeVehicleType(id));
}

export const FUEL_TYPES = ['diesel', 'diesel_b7', 'diesel_mineral', 'petrol', 'hvo', 'cng', 'lng', 'electric'] as const;
export type FuelTypeName = (typeof FUEL_TYPES)[number];
