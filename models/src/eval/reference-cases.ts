/**
 * Real-world reference cases: published consumption figures, each turned into the inputs our models take (the
 * operating conditions the publication implies; our assumptions are stated per case) and into kg CO2e on the
 * models' boundary with the same factors the synthetic world uses. `npm run eval` predicts every case with the
 * committed ONNX models and reports the error and whether the 80 % interval covers the published value.
 *
 * role "calibration": the synthetic world's class parameters were tuned on this figure (so it is not a test);
 * role "check": held out — nothing was tuned on it.
 */
import {
  DIESEL_TTW_KG_PER_L,
  DIESEL_WTW_KG_PER_L,
  EV_CHARGING_EFF,
  GRID_KG_PER_KWH,
  NATURAL_GAS_KG_PER_M3,
  NATURAL_GAS_KWH_PER_M3,
} from '../synth/constants.js';
import { VEHICLES } from '../synth/logistics.js';
import type { Sample } from '../synth/types.js';

export type ReferenceModel = 'logistics' | 'warehouse' | 'factory';

export interface ReferenceCase {
  id: string;
  group: 'truck' | 'van' | 'warehouse' | 'factory';
  label: string;
  model: ReferenceModel;
  role: 'calibration' | 'check';
  /** The published figure as published. */
  published: string;
  /** Published figure on the model's boundary and unit (kg CO2e over the rows below). */
  publishedKg: number;
  /** How the published figure was converted to kg CO2e. */
  conversion: string;
  source: string;
  /** Operating conditions we assumed to turn the publication into model inputs. */
  conditions: string;
  /** Model input rows; the case's estimate is the sum of their predictions (one row = one leg / one day). */
  rows: Sample[];
}

/** BEIS 2021 diesel (average biofuel blend), kg CO2e/L TTW — the factor the 2021 per-km HGV/van figures were built with. */
const BEIS_2021_DIESEL_TTW = 2.51;
const WTW = DIESEL_WTW_KG_PER_L;
const fmt = (x: number, d = 1) => x.toFixed(d);

function leg(cls: number, o: Partial<Sample> & { load_kg: number; speed_kmh: number }): Sample {
  return {
    distance_km: 100,
    gradient_pct: 0,
    stops_per_100km: 0,
    idle_min: 0,
    refrigerated: 0,
    empty_share: 0,
    vehicle_class: cls,
    grid_factor_kg_per_kwh: GRID_KG_PER_KWH.UK,
    ...o,
  };
}

/** UK-average duty per class (ASSUMPTION): moving speed, stops and idling per 100 km. */
const UK_DUTY: Record<number, { speed_kmh: number; stops_per_100km: number; idle_min: number; text: string }> = {
  6: { speed_kmh: 65, stops_per_100km: 4, idle_min: 15, text: '65 km/h, 4 stops and 15 min idling per 100 km' },
  0: { speed_kmh: 50, stops_per_100km: 15, idle_min: 20, text: '50 km/h, 15 stops and 20 min idling per 100 km' },
  5: { speed_kmh: 45, stops_per_100km: 20, idle_min: 20, text: '45 km/h, 20 stops and 20 min idling per 100 km' },
  4: { speed_kmh: 40, stops_per_100km: 25, idle_min: 20, text: '40 km/h, 25 stops and 20 min idling per 100 km' },
  2: { speed_kmh: 45, stops_per_100km: 30, idle_min: 10, text: '45 km/h, 30 stops and 10 min idling per 100 km' },
};

/** A BEIS 2021 "Delivery vehicles" per-km factor (TTW kg CO2e/km) at a given % laden, as a 100 km leg. */
function beisHgv(
  id: string,
  label: string,
  cls: number,
  laden: number,
  kgPerKm: number,
  table: string,
  role: ReferenceCase['role'] = 'check',
): ReferenceCase {
  const duty = UK_DUTY[cls]!;
  const litres = (kgPerKm / BEIS_2021_DIESEL_TTW) * 100;
  const load = Math.max(50, VEHICLES[cls]!.maxLoadKg * laden);
  return {
    id,
    group: cls === 2 ? 'van' : 'truck',
    label,
    model: 'logistics',
    role,
    published: `${kgPerKm} kg CO2e/km TTW`,
    publishedKg: litres * WTW,
    conversion: `÷ ${BEIS_2021_DIESEL_TTW} kg/L (BEIS 2021 diesel) = ${fmt(litres)} L/100 km; × ${fmt(WTW, 3)} kg/L WTW`,
    source: `UK BEIS GHG conversion factors 2021, ${table}`,
    conditions: `100 km, ${Math.round(laden * 100)} % of a ${VEHICLES[cls]!.maxLoadKg / 1000} t payload (${fmt(load / 1000, 2)} t), ${duty.text}, flat (UK-average duty: our assumption)`,
    rows: [
      leg(cls, {
        load_kg: load,
        speed_kmh: duty.speed_kmh,
        stops_per_100km: duty.stops_per_100km,
        idle_min: duty.idle_min,
      }),
    ],
  };
}

/** A warehouse year: 365 daily rows with a sinusoidal outdoor temperature (mean ± amplitude, °C). */
function warehouseYear(o: {
  area: number;
  refrigerated: number;
  throughputT: number;
  hours: number;
  tMean: number;
  tAmp: number;
  grid: number;
}): Sample[] {
  return Array.from({ length: 365 }, (_, d) => ({
    area_m2: o.area,
    refrigerated_share: o.refrigerated,
    throughput_t: o.throughputT,
    hours: o.hours,
    ambient_temp_c: o.tMean + o.tAmp * Math.sin((2 * Math.PI * (d - 105)) / 365),
    grid_factor_kg_per_kwh: o.grid,
  }));
}

const FT2_PER_M2 = 10.7639;

export function referenceCases(): ReferenceCase[] {
  const cases: ReferenceCase[] = [];

  // ---- trucks ------------------------------------------------------------------------------------------------
  cases.push({
    id: 'icct-2018-tractor-trailer',
    group: 'truck',
    label: 'Articulated 34–40 t (EU 4x2 tractor + trailer), 19.3 t payload, long haul',
    model: 'logistics',
    role: 'calibration',
    published: '32.6 L/100 km (typical EU tractor-trailer; best-in-class 29.9)',
    publishedKg: 32.6 * WTW,
    conversion: `32.6 L × ${fmt(WTW, 3)} kg/L WTW`,
    source:
      'ICCT (Rodríguez, Delgado, Muncrief), "Fuel consumption testing of tractor-trailers in the European Union and the United States", May 2018 — TU Graz tests over the EU regulatory long-haul cycle and payload',
    conditions: '100 km, 19.3 t payload, 78 km/h average, 1 stop, flat',
    rows: [leg(1, { load_kg: 19300, speed_kmh: 78, stops_per_100km: 1 })],
  });
  cases.push({
    id: 'reference-trip-40t',
    group: 'truck',
    label: 'Reference trip: 40 t articulated, 100 km, 20 t payload',
    model: 'logistics',
    role: 'check',
    published: '30–35 L diesel → 95–110 kg CO2e WTW (midpoint 32.5 L)',
    publishedKg: 32.5 * WTW,
    conversion: `32.5 L × ${fmt(WTW, 3)} kg/L WTW`,
    source:
      'Carbon Nexus reference trips (shared/reference/carbon-domain.md: CMEM physics, ≈ 30–35 L/100 km at ~80 % load)',
    conditions: '100 km, 20 t payload, 75 km/h, 2 stops, 10 min idling, flat',
    rows: [leg(1, { load_kg: 20000, speed_kmh: 75, stops_per_100km: 2, idle_min: 10 })],
  });
  const artic = 'HGV (all diesel), Articulated (>33t)';
  cases.push(
    beisHgv('beis-2021-artic-33t-0', 'Articulated >33 t, empty (0 % laden)', 6, 0, 0.65, `${artic}, 0% Laden`),
  );
  cases.push(beisHgv('beis-2021-artic-33t-50', 'Articulated >33 t, 50 % laden', 6, 0.5, 0.86, `${artic}, 50% Laden`));
  cases.push(beisHgv('beis-2021-artic-33t-100', 'Articulated >33 t, 100 % laden', 6, 1, 1.07, `${artic}, 100% Laden`));
  const rigid17 = 'HGV (all diesel), Rigid (>17 tonnes)';
  const rigid7 = 'HGV (all diesel), Rigid (>7.5 tonnes-17 tonnes)';
  const rigid3 = 'HGV (all diesel), Rigid (>3.5 - 7.5 tonnes)';
  cases.push(beisHgv('beis-2021-rigid-17t-0', 'Rigid >17 t, empty', 0, 0, 0.77, `${rigid17}, 0% Laden`, 'calibration'));
  cases.push(beisHgv('beis-2021-rigid-17t-50', 'Rigid >17 t, 50 % laden', 0, 0.5, 0.93, `${rigid17}, 50% Laden`));
  cases.push(
    beisHgv('beis-2021-rigid-17t-100', 'Rigid >17 t, 100 % laden', 0, 1, 1.1, `${rigid17}, 100% Laden`, 'calibration'),
  );
  cases.push(
    beisHgv('beis-2021-rigid-7.5-17t-0', 'Rigid 7.5–17 t, empty', 5, 0, 0.54, `${rigid7}, 0% Laden`, 'calibration'),
  );
  cases.push(beisHgv('beis-2021-rigid-7.5-17t-50', 'Rigid 7.5–17 t, 50 % laden', 5, 0.5, 0.61, `${rigid7}, 50% Laden`));
  cases.push(
    beisHgv(
      'beis-2021-rigid-7.5-17t-100',
      'Rigid 7.5–17 t, 100 % laden',
      5,
      1,
      0.69,
      `${rigid7}, 100% Laden`,
      'calibration',
    ),
  );
  cases.push(
    beisHgv('beis-2021-rigid-3.5-7.5t-0', 'Rigid 3.5–7.5 t, empty', 4, 0, 0.45, `${rigid3}, 0% Laden`, 'calibration'),
  );
  cases.push(
    beisHgv('beis-2021-rigid-3.5-7.5t-50', 'Rigid 3.5–7.5 t, 50 % laden', 4, 0.5, 0.48, `${rigid3}, 50% Laden`),
  );
  cases.push(
    beisHgv(
      'beis-2021-rigid-3.5-7.5t-100',
      'Rigid 3.5–7.5 t, 100 % laden',
      4,
      1,
      0.52,
      `${rigid3}, 100% Laden`,
      'calibration',
    ),
  );
  cases.push({
    id: 'bett-2023-daf-lf-electric-19t',
    group: 'truck',
    label: 'Battery-electric rigid 19 t (DAF LF Electric), UK public-sector fleets',
    model: 'logistics',
    role: 'check',
    published: '1.08 km/kWh (0.93 kWh/km; 270 km on 250 kWh) over 287,000 km',
    publishedKg: (0.926 / EV_CHARGING_EFF) * 100 * GRID_KG_PER_KWH.UK,
    conversion: `0.926 kWh/km at the battery ÷ ${EV_CHARGING_EFF} charging efficiency × 100 km × ${GRID_KG_PER_KWH.UK} kg/kWh (UK grid 2025)`,
    source:
      'Cenex / DAF Trucks, Battery Electric Truck Trial (BETT) final report, 2023 (as reported by Fleet News, "Four key takeaways from the battery electric truck trial")',
    conditions:
      '100 km, 3 t payload, 35 km/h, 30 stops and 30 min with auxiliaries on (urban/rural mix: our assumption)',
    rows: [leg(7, { load_kg: 3000, speed_kmh: 35, stops_per_100km: 30, idle_min: 30 })],
  });
  cases.push({
    id: 'eactros-600-tour-2024',
    group: 'truck',
    label: 'Battery-electric tractor-trailer 40 t GCM (Mercedes eActros 600), European tour',
    model: 'logistics',
    role: 'check',
    published: '103 kWh/100 km average driving consumption over ~15,000 km (daily 85–140)',
    publishedKg: (1.03 / EV_CHARGING_EFF) * 100 * GRID_KG_PER_KWH.EU,
    conversion: `1.03 kWh/km at the vehicle ÷ ${EV_CHARGING_EFF} charging efficiency × 100 km × ${GRID_KG_PER_KWH.EU} kg/kWh (EU-27 grid)`,
    source: 'Daimler Truck newsroom, "eActros 600 European Testing Tour 2024" (July 2024)',
    conditions: '100 km, 22 t payload (40 t GCM), 75 km/h, 2 stops, flat',
    rows: [leg(8, { load_kg: 22000, speed_kmh: 75, stops_per_100km: 2, grid_factor_kg_per_kwh: GRID_KG_PER_KWH.EU })],
  });

  // ---- vans --------------------------------------------------------------------------------------------------
  const vanLoad = VEHICLES[2]!.maxLoadKg * 0.4;
  cases.push({
    id: 'desnz-2025-van-average-diesel',
    group: 'van',
    label: 'Diesel van, average (up to 3.5 t)',
    model: 'logistics',
    role: 'calibration',
    published: '0.25023 kg CO2e/km TTW',
    publishedKg: (0.25023 / DIESEL_TTW_KG_PER_L) * 100 * WTW,
    conversion: `÷ ${DIESEL_TTW_KG_PER_L} kg/L (DESNZ 2025 diesel) = ${fmt((0.25023 / DIESEL_TTW_KG_PER_L) * 100, 2)} L/100 km; × ${fmt(WTW, 3)} kg/L WTW`,
    source: 'UK DESNZ GHG conversion factors 2025, Delivery vehicles, Vans, Average (up to 3.5 tonnes), Diesel',
    conditions: `100 km, 40 % of a 1.3 t payload (DfT average van load factor), ${UK_DUTY[2]!.text}, flat`,
    rows: [
      leg(2, {
        load_kg: vanLoad,
        speed_kmh: UK_DUTY[2]!.speed_kmh,
        stops_per_100km: UK_DUTY[2]!.stops_per_100km,
        idle_min: UK_DUTY[2]!.idle_min,
      }),
    ],
  });
  cases.push(
    beisHgv(
      'beis-2021-van-class-iii',
      'Diesel van Class III (1.74–3.5 t)',
      2,
      0.4,
      0.27,
      'Vans, Class III (1.74 to 3.5 tonnes), Diesel',
    ),
  );
  cases.push({
    id: 'e-transit-wltp',
    group: 'van',
    label: 'Battery-electric large van (Ford E-Transit, 68 kWh)',
    model: 'logistics',
    role: 'calibration',
    published: '21.5 kWh/100 km (68 kWh usable / 317 km WLTP)',
    publishedKg: (21.5 / EV_CHARGING_EFF) * GRID_KG_PER_KWH.UK,
    conversion: `21.5 kWh at the battery ÷ ${EV_CHARGING_EFF} charging efficiency × ${GRID_KG_PER_KWH.UK} kg/kWh (UK grid 2025)`,
    source:
      'Vision Mobility test report "Ford E-Transit: electric vehicle outshines combustion engine" (2022), from Ford\'s WLTP range',
    conditions: '100 km WLTP-like: 300 kg payload, 46 km/h, 40 stops, 15 min standing with auxiliaries on',
    rows: [leg(3, { load_kg: 300, speed_kmh: 46, stops_per_100km: 40, idle_min: 15 })],
  });

  // ---- warehouses (one year of daily rows; US grid because the benchmark is US) ------------------------------
  const nonRef = 6.1 * FT2_PER_M2;
  cases.push({
    id: 'esource-warehouse-nonrefrigerated',
    group: 'warehouse',
    label: 'Non-refrigerated warehouse, 20,000 m², one year',
    model: 'warehouse',
    role: 'check',
    published: `6.1 kWh/ft²/yr electricity (${fmt(nonRef)} kWh/m²/yr)`,
    publishedKg: nonRef * 20000 * GRID_KG_PER_KWH.US,
    conversion: `× 10.764 ft²/m² × 20,000 m² × ${GRID_KG_PER_KWH.US} kg/kWh (US grid)`,
    source:
      'E Source, US commercial building averages (via Business Energy Advisor, "Managing energy costs in warehouses")',
    conditions: '20,000 m², 150 t handled per day, 12 operating hours, outdoor 13 ± 10 °C over the year',
    rows: warehouseYear({
      area: 20000,
      refrigerated: 0,
      throughputT: 150,
      hours: 12,
      tMean: 13,
      tAmp: 10,
      grid: GRID_KG_PER_KWH.US,
    }),
  });
  const ref = 24.9 * FT2_PER_M2;
  cases.push({
    id: 'esource-warehouse-refrigerated',
    group: 'warehouse',
    label: 'Refrigerated warehouse, 10,000 m² (90 % chilled), one year',
    model: 'warehouse',
    role: 'calibration',
    published: `24.9 kWh/ft²/yr electricity (${fmt(ref)} kWh/m²/yr)`,
    publishedKg: ref * 10000 * GRID_KG_PER_KWH.US,
    conversion: `× 10.764 ft²/m² × 10,000 m² × ${GRID_KG_PER_KWH.US} kg/kWh (US grid)`,
    source:
      'E Source, US commercial building averages (via Business Energy Advisor, "Managing energy costs in warehouses")',
    conditions: '10,000 m², 90 % chilled floor, 200 t handled per day, 16 operating hours, outdoor 13 ± 10 °C',
    rows: warehouseYear({
      area: 10000,
      refrigerated: 0.9,
      throughputT: 200,
      hours: 16,
      tMean: 13,
      tAmp: 10,
      grid: GRID_KG_PER_KWH.US,
    }),
  });

  // ---- factories (one production day) ------------------------------------------------------------------------
  const hl = 6000;
  const gasPerHl = 87.6 / (NATURAL_GAS_KWH_PER_M3 * 3.6);
  cases.push({
    id: 'heineken-2010-brewery',
    group: 'factory',
    label: `Brewery, ${hl.toLocaleString('en')} hl/day, 24 h`,
    model: 'factory',
    role: 'check',
    published: '8.7 kWh/hl electricity + 87.6 MJ/hl thermal energy',
    publishedKg: hl * (8.7 * GRID_KG_PER_KWH.EU + gasPerHl * NATURAL_GAS_KG_PER_M3),
    conversion: `thermal as natural gas: 87.6 MJ ÷ ${fmt(NATURAL_GAS_KWH_PER_M3 * 3.6, 2)} MJ/m³ = ${fmt(gasPerHl, 3)} m³/hl × ${NATURAL_GAS_KG_PER_M3} kg/m³; electricity × ${GRID_KG_PER_KWH.EU} kg/kWh (EU-27)`,
    source:
      'HEINEKEN Sustainability Report 2010 ("Brewing a Better Future"), specific energy consumption of its breweries',
    conditions: `${hl} hl/day, 24 h production (no off-shift), base load 300 kW, 10 °C outdoors, EU-27 grid`,
    rows: [
      {
        production_units: hl,
        kwh_per_unit: 8.7,
        base_load_kw: 300,
        shift_hours: 24,
        gas_m3: gasPerHl * hl,
        ambient_temp_c: 10,
        grid_factor_kg_per_kwh: GRID_KG_PER_KWH.EU,
      },
    ],
  });
  const mmbtuKwh = 293.07107;
  const elec = 4.71 * mmbtuKwh;
  const gas = (6.45 * mmbtuKwh) / NATURAL_GAS_KWH_PER_M3;
  cases.push({
    id: 'ford-2009-assembly',
    group: 'factory',
    label: 'Vehicle assembly, 1,000 vehicles/day, two shifts',
    model: 'factory',
    role: 'check',
    published: '11.16 million BTU per vehicle (4.71 indirect/electricity + 6.45 direct/fuel)',
    publishedKg: 1000 * (elec * GRID_KG_PER_KWH.US + gas * NATURAL_GAS_KG_PER_M3),
    conversion: `electricity 4.71 MMBtu = ${Math.round(elec)} kWh × ${GRID_KG_PER_KWH.US} kg/kWh (US grid); direct fuel as natural gas 6.45 MMBtu = ${Math.round(gas)} m³ × ${NATURAL_GAS_KG_PER_M3} kg/m³`,
    source:
      'Ford Motor Company Sustainability Report 2009/10, energy consumption per vehicle produced (worldwide facilities, 2009)',
    conditions: '1,000 vehicles/day over 16 h, 5 MW base load off-shift, 15 °C outdoors, US grid',
    rows: [
      {
        production_units: 1000,
        kwh_per_unit: elec,
        base_load_kw: 5000,
        shift_hours: 16,
        gas_m3: gas * 1000,
        ambient_temp_c: 15,
        grid_factor_kg_per_kwh: GRID_KG_PER_KWH.US,
      },
    ],
  });
  return cases;
}
