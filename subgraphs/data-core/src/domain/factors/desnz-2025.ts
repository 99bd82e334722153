// UK DESNZ (Department for Energy Security and Net Zero) greenhouse gas conversion factors for company reporting,
// 2025 edition, flat file ("GHG Conversion Factor 2025" column). Each value below was read from the flat file row
// whose ID is quoted in its source. Freighting-goods rows are the vehicle's combustion (TTW); the matching
// "WTT- delivery vehs & freight" rows are the fuel supply chain (WTT). AR5 GWP-100, as DESNZ publishes them.
import type { Factor } from './types.ts';

const V = 'DESNZ-2025';
const PUB = 'UK DESNZ GHG conversion factors 2025, flat file';
const row = (path: string, id: string) => `${PUB}: ${path} [row ${id}]`;

/** DESNZ % laden columns of the HGV tables, in flat-file order (row id suffix 0..3). */
export const LADEN = ['0', '50', '100', 'avg'] as const;
export type Laden = (typeof LADEN)[number];
const LADEN_LABEL: Record<Laden, string> = {
  '0': '0% Laden',
  '50': '50% Laden',
  '100': '100% Laden',
  avg: 'Average laden',
};

/** DESNZ HGV bands (diesel): per-km TTW and WTT at 0 / 50 / 100 % / average laden, and the 100 %-laden t·km TTW
 * factor (per-km ÷ per-t·km at 100 % laden = the payload DESNZ assumes for a full vehicle of the band). */
interface HgvBand {
  key: string;
  label: string;
  firstRow: number;
  ttw: [number, number, number, number];
  wtt: [number, number, number, number];
  tkm100: number;
}

const HGV: HgvBand[] = [
  {
    key: 'rigid-3.5-7.5t',
    label: 'Rigid (>3.5 - 7.5 tonnes)',
    firstRow: 3109,
    ttw: [0.46138, 0.50103, 0.54068, 0.49548],
    wtt: [0.11027, 0.11985, 0.12944, 0.11851],
    tkm100: 0.24776,
  },
  {
    key: 'rigid-7.5-17t',
    label: 'Rigid (>7.5 tonnes-17 tonnes)',
    firstRow: 3113,
    ttw: [0.55061, 0.62832, 0.70603, 0.60501],
    wtt: [0.13207, 0.15094, 0.16981, 0.14453],
    tkm100: 0.14849,
  },
  {
    key: 'rigid-gt17t',
    label: 'Rigid (>17 tonnes)',
    firstRow: 3117,
    ttw: [0.774, 0.94152, 1.10905, 0.99156],
    wtt: [0.18172, 0.2216, 0.26149, 0.23756],
    tkm100: 0.12436,
  },
  {
    key: 'rigid-all',
    label: 'All rigids',
    firstRow: 3121,
    ttw: [0.67912, 0.80803, 0.93695, 0.83751],
    wtt: [0.16044, 0.19131, 0.22218, 0.20099],
    tkm100: 0.13155,
  },
  {
    key: 'artic-3.5-33t',
    label: 'Articulated (>3.5 - 33t)',
    firstRow: 3125,
    ttw: [0.62775, 0.78163, 0.93552, 0.78471],
    wtt: [0.14831, 0.18538, 0.22246, 0.18538],
    tkm100: 0.07674,
  },
  {
    key: 'artic-gt33t',
    label: 'Articulated (>33t)',
    firstRow: 3129,
    ttw: [0.64734, 0.85827, 1.06921, 0.93421],
    wtt: [0.15178, 0.20237, 0.25296, 0.22058],
    tkm100: 0.05988,
  },
  {
    key: 'artic-all',
    label: 'All artics',
    firstRow: 3133,
    ttw: [0.64659, 0.85536, 1.06414, 0.92854],
    wtt: [0.15162, 0.20159, 0.25157, 0.21898],
    tkm100: 0.06021,
  },
  {
    key: 'hgv-all',
    label: 'All HGVs',
    firstRow: 3137,
    ttw: [0.65975, 0.83589, 1.01203, 0.89121],
    wtt: [0.15527, 0.19734, 0.23942, 0.21154],
    tkm100: 0.07431,
  },
];

/** The same bands with a refrigeration unit ("HGV refrigerated (all diesel)"). */
const HGV_REEFER: HgvBand[] = [
  {
    key: 'rigid-3.5-7.5t',
    label: 'Rigid (>3.5 - 7.5 tonnes)',
    firstRow: 3109,
    ttw: [0.54937, 0.59667, 0.64397, 0.59005],
    wtt: [0.13155, 0.14299, 0.15442, 0.14138],
    tkm100: 0.29508,
  },
  {
    key: 'rigid-7.5-17t',
    label: 'Rigid (>7.5 tonnes-17 tonnes)',
    firstRow: 3113,
    ttw: [0.65559, 0.7483, 0.84101, 0.72049],
    wtt: [0.15756, 0.18007, 0.20258, 0.17242],
    tkm100: 0.17689,
  },
  {
    key: 'rigid-gt17t',
    label: 'Rigid (>17 tonnes)',
    firstRow: 3117,
    ttw: [0.92128, 1.12114, 1.321, 1.18083],
    wtt: [0.21678, 0.26437, 0.31196, 0.2834],
    tkm100: 0.14814,
  },
  {
    key: 'rigid-all',
    label: 'All rigids',
    firstRow: 3121,
    ttw: [0.80843, 0.96223, 1.11603, 0.99739],
    wtt: [0.1914, 0.22823, 0.26506, 0.23978],
    tkm100: 0.15669,
  },
  {
    key: 'artic-3.5-33t',
    label: 'Articulated (>3.5 - 33t)',
    firstRow: 3125,
    ttw: [0.72566, 0.90403, 1.08239, 0.90759],
    wtt: [0.17199, 0.21499, 0.25799, 0.21499],
    tkm100: 0.0888,
  },
  {
    key: 'artic-gt33t',
    label: 'Articulated (>33t)',
    firstRow: 3129,
    ttw: [0.748, 0.99249, 1.23699, 1.08051],
    wtt: [0.17602, 0.23469, 0.29336, 0.25581],
    tkm100: 0.06928,
  },
  {
    key: 'artic-all',
    label: 'All artics',
    firstRow: 3133,
    ttw: [0.74715, 0.98913, 1.23112, 1.07395],
    wtt: [0.17583, 0.23379, 0.29175, 0.25395],
    tkm100: 0.06966,
  },
  {
    key: 'hgv-all',
    label: 'All HGVs',
    firstRow: 3137,
    ttw: [0.77175, 0.97835, 1.18495, 1.04323],
    wtt: [0.1822, 0.23157, 0.28095, 0.24824],
    tkm100: 0.08701,
  },
];

function hgvFactors(
  bands: HgvBand[],
  table: string,
  wttTable: string,
  fam: string,
  ttwCode: string,
  wttCode: string,
): Factor[] {
  const out: Factor[] = [];
  for (const b of bands) {
    LADEN.forEach((l, i) => {
      const r = b.firstRow + i;
      const what = `${table} › ${b.label} › ${LADEN_LABEL[l]}, km`;
      out.push({
        id: `desnz.${fam}.${b.key}.laden-${l}.ttw`,
        version: V,
        activity: `${table}, ${b.label}, ${LADEN_LABEL[l]}`,
        unit: 'kg CO2e / km',
        value: b.ttw[i],
        boundary: 'TTW',
        source: row(`Freighting goods › ${what}`, `27_${ttwCode}_${r}_4_1`),
        year: 2025,
      });
      out.push({
        id: `desnz.${fam}.${b.key}.laden-${l}.wtt`,
        version: V,
        activity: `${table}, ${b.label}, ${LADEN_LABEL[l]} (well-to-tank)`,
        unit: 'kg CO2e / km',
        value: b.wtt[i],
        boundary: 'WTT',
        source: row(
          `WTT- delivery vehs & freight › ${wttTable} › ${b.label} › ${LADEN_LABEL[l]}, km`,
          `28_${wttCode}_${r}_4_1`,
        ),
        year: 2025,
      });
    });
    out.push({
      id: `desnz.${fam}.${b.key}.tkm-100.ttw`,
      version: V,
      activity: `${table}, ${b.label}, 100% Laden (per t·km)`,
      unit: 'kg CO2e / t·km',
      value: b.tkm100,
      boundary: 'TTW',
      source: row(
        `Freighting goods › ${table} › ${b.label} › 100% Laden, tonne.km`,
        `27_${ttwCode}_${b.firstRow + 2}_14_1`,
      ),
      year: 2025,
    });
  }
  return out;
}

/** DESNZ van classes; columns in flat-file order: diesel, petrol, CNG, LPG, unknown, plug-in hybrid, battery electric. */
export const VAN_FUELS = ['diesel', 'petrol', 'cng', 'lpg', 'unknown', 'phev', 'bev'] as const;
export type VanFuel = (typeof VAN_FUELS)[number];
interface VanClass {
  key: string;
  label: string;
  firstRow: number;
  ttw: (number | null)[];
  wtt: (number | null)[];
  /** "UK electricity T&D for EVs" per km of the battery-electric van (kg CO2e / km): ÷ the T&D factor per kWh = kWh/km. */
  bevTdPerKm: number;
}
const VANS: VanClass[] = [
  {
    key: 'class-i',
    label: 'Class I (up to 1.305 tonnes)',
    firstRow: 3081,
    ttw: [0.15738, 0.20188, null, null, null, null, 0.03798],
    wtt: [0.03746, 0.05614, null, null, null, null, 0.00943],
    bevTdPerKm: 0.0036,
  },
  {
    key: 'class-ii',
    label: 'Class II (1.305 to 1.74 tonnes)',
    firstRow: 3088,
    ttw: [0.1926, 0.20874, null, null, null, null, 0.05777],
    wtt: [0.04602, 0.06074, null, null, null, null, 0.01454],
    bevTdPerKm: 0.00548,
  },
  {
    key: 'class-iii',
    label: 'Class III (1.74 to 3.5 tonnes)',
    firstRow: 3095,
    ttw: [0.27878, 0.33845, null, null, null, 0.14592, 0.07609],
    wtt: [0.06706, 0.09783, null, null, null, 0.03758, 0.01979],
    bevTdPerKm: 0.00721,
  },
  {
    key: 'average',
    label: 'Average (up to 3.5 tonnes)',
    firstRow: 3102,
    ttw: [0.25561, 0.21335, 0.25113, 0.2761, 0.2543, 0.14592, 0.06976],
    wtt: [0.06128, 0.06183, 0.05176, 0.03279, 0.0613, 0.03758, 0.01759],
    bevTdPerKm: 0.00662,
  },
];
const VAN_FUEL_LABEL: Record<VanFuel, string> = {
  diesel: 'Diesel',
  petrol: 'Petrol',
  cng: 'CNG',
  lpg: 'LPG',
  unknown: 'Unknown fuel',
  phev: 'Plug-in hybrid',
  bev: 'Battery electric',
};

/** UK electricity, per kWh consumed (2025). */
export const UK_GRID = { generation: 0.177, td: 0.01853, wttGeneration: 0.0459, wttTd: 0.00397 };

function vanFactors(): Factor[] {
  const out: Factor[] = [];
  for (const c of VANS) {
    VAN_FUELS.forEach((f, i) => {
      const ttw = c.ttw[i];
      const wtt = c.wtt[i];
      if (ttw == null || wtt == null || f === 'bev') return; // battery-electric vans go through kWh × grid (below)
      const r = c.firstRow + i;
      out.push({
        id: `desnz.van.${c.key}.${f}.ttw`,
        version: V,
        activity: `Van ${c.label}, ${VAN_FUEL_LABEL[f]}`,
        unit: 'kg CO2e / km',
        value: ttw,
        boundary: 'TTW',
        source: row(`Freighting goods › Vans › ${c.label} › ${VAN_FUEL_LABEL[f]}, km`, `27_303_${r}_4_1`),
        year: 2025,
      });
      out.push({
        id: `desnz.van.${c.key}.${f}.wtt`,
        version: V,
        activity: `Van ${c.label}, ${VAN_FUEL_LABEL[f]} (well-to-tank)`,
        unit: 'kg CO2e / km',
        value: wtt,
        boundary: 'WTT',
        source: row(
          `WTT- delivery vehs & freight › WTT- vans › ${c.label} › ${VAN_FUEL_LABEL[f]}, km`,
          `28_906_${r}_4_1`,
        ),
        year: 2025,
      });
    });
    const bevRow = c.firstRow + 6;
    out.push({
      id: `desnz.van.${c.key}.bev.kwh-per-km`,
      version: V,
      activity: `Van ${c.label}, battery electric: electricity use`,
      unit: 'kWh / km',
      value: Math.round((c.bevTdPerKm / UK_GRID.td) * 1000) / 1000,
      boundary: 'energy',
      source: `${PUB}: derived as "UK electricity T&D for EVs › Vans › ${c.label} › Battery Electric Vehicle, km" [row 14_303_${bevRow}_4_1] = ${c.bevTdPerKm} kg/km ÷ T&D- UK electricity ${UK_GRID.td} kg/kWh [row 13_402_4000_5_1]`,
      year: 2025,
    });
  }
  return out;
}

const GRID_UK: Factor[] = [
  {
    id: 'desnz.electricity.uk.generation',
    version: V,
    activity: 'UK grid electricity, generation',
    unit: 'kg CO2e / kWh',
    value: UK_GRID.generation,
    boundary: 'generation',
    source: row('Electricity generated › Electricity: UK, kWh', '30_400_4000_5_1'),
    year: 2025,
    region: 'UK',
  },
  {
    id: 'desnz.electricity.uk.td',
    version: V,
    activity: 'UK grid electricity, transmission & distribution losses',
    unit: 'kg CO2e / kWh',
    value: UK_GRID.td,
    boundary: 'WTT',
    source: row('Transmission and distribution › T&D- UK electricity, kWh', '13_402_4000_5_1'),
    year: 2025,
    region: 'UK',
  },
  {
    id: 'desnz.electricity.uk.wtt-generation',
    version: V,
    activity: 'UK grid electricity, well-to-tank of generation',
    unit: 'kg CO2e / kWh',
    value: UK_GRID.wttGeneration,
    boundary: 'WTT',
    source: row('WTT- UK electricity › WTT- UK electricity (generation), kWh', '15_917_4000_5_1'),
    year: 2025,
    region: 'UK',
  },
  {
    id: 'desnz.electricity.uk.wtt-td',
    version: V,
    activity: 'UK grid electricity, well-to-tank of T&D losses',
    unit: 'kg CO2e / kWh',
    value: UK_GRID.wttTd,
    boundary: 'WTT',
    source: row('WTT- UK electricity › WTT- UK electricity (T&D), kWh', '15_918_4000_5_1'),
    year: 2025,
    region: 'UK',
  },
];

const FREIGHT_TKM: Factor[] = [
  {
    id: 'desnz.rail.freight.ttw',
    version: V,
    activity: 'Rail freight train (UK average traction mix)',
    unit: 'kg CO2e / t·km',
    value: 0.02779,
    boundary: 'TTW',
    source: row('Freighting goods › Rail › Freight train, tonne.km', '27_315_3151_14_1'),
    year: 2025,
  },
  {
    id: 'desnz.rail.freight.wtt',
    version: V,
    activity: 'Rail freight train (well-to-tank)',
    unit: 'kg CO2e / t·km',
    value: 0.00691,
    boundary: 'WTT',
    source: row('WTT- delivery vehs & freight › WTT- rail › Freight train, tonne.km', '28_911_3151_14_1'),
    year: 2025,
  },
  {
    id: 'desnz.sea.container.ttw',
    version: V,
    activity: 'Container ship, average',
    unit: 'kg CO2e / t·km',
    value: 0.01612,
    boundary: 'TTW',
    source: row('Freighting goods › Cargo ship › Container ship › Average, tonne.km', '27_320_3235_14_1'),
    year: 2025,
  },
  {
    id: 'desnz.sea.container.wtt',
    version: V,
    activity: 'Container ship, average (well-to-tank)',
    unit: 'kg CO2e / t·km',
    value: 0.00365,
    boundary: 'WTT',
    source: row(
      'WTT- delivery vehs & freight › WTT- cargo ship › Container ship › Average, tonne.km',
      '28_916_3235_14_1',
    ),
    year: 2025,
  },
  {
    id: 'desnz.sea.bulk.ttw',
    version: V,
    activity: 'Bulk carrier, average',
    unit: 'kg CO2e / t·km',
    value: 0.00353,
    boundary: 'TTW',
    source: row('Freighting goods › Cargo ship › Bulk carrier › Average, tonne.km', '27_320_3221_14_1'),
    year: 2025,
  },
  {
    id: 'desnz.sea.bulk.wtt',
    version: V,
    activity: 'Bulk carrier, average (well-to-tank)',
    unit: 'kg CO2e / t·km',
    value: 0.0008,
    boundary: 'WTT',
    source: row(
      'WTT- delivery vehs & freight › WTT- cargo ship › Bulk carrier › Average, tonne.km',
      '28_916_3221_14_1',
    ),
    year: 2025,
  },
  {
    id: 'desnz.sea.ro-ro.ttw',
    version: V,
    activity: 'RoRo ferry, average',
    unit: 'kg CO2e / t·km',
    value: 0.05158,
    boundary: 'TTW',
    source: row('Freighting goods › Cargo ship › RoRo-Ferry › Average, tonne.km', '27_320_3241_14_1'),
    year: 2025,
  },
  {
    id: 'desnz.sea.ro-ro.wtt',
    version: V,
    activity: 'RoRo ferry, average (well-to-tank)',
    unit: 'kg CO2e / t·km',
    value: 0.0117,
    boundary: 'WTT',
    source: row('WTT- delivery vehs & freight › WTT- cargo ship › RoRo-Ferry › Average, tonne.km', '28_916_3241_14_1'),
    year: 2025,
  },
  {
    id: 'desnz.sea.ro-pax.ttw',
    version: V,
    activity: 'Large RoPax ferry, average',
    unit: 'kg CO2e / t·km',
    value: 0.37612,
    boundary: 'TTW',
    source: row('Freighting goods › Cargo ship › Large RoPax ferry › Average, tonne.km', '27_320_3242_14_1'),
    year: 2025,
  },
  {
    id: 'desnz.sea.ro-pax.wtt',
    version: V,
    activity: 'Large RoPax ferry, average (well-to-tank)',
    unit: 'kg CO2e / t·km',
    value: 0.08528,
    boundary: 'WTT',
    source: row(
      'WTT- delivery vehs & freight › WTT- cargo ship › Large RoPax ferry › Average, tonne.km',
      '28_916_3242_14_1',
    ),
    year: 2025,
  },
  // Freight flights: the "without RF" column (radiative forcing is not a GHG emission under ISO 14083 / GLEC).
  {
    id: 'desnz.air.domestic.ttw',
    version: V,
    activity: 'Freight flight, domestic (to/from UK), without RF',
    unit: 'kg CO2e / t·km',
    value: 2.71931,
    boundary: 'TTW',
    source: row('Freighting goods › Freight flights › Domestic, to/from UK › without RF, tonne.km', '27_317_3153_14_1'),
    year: 2025,
  },
  {
    id: 'desnz.air.domestic.wtt',
    version: V,
    activity: 'Freight flight, domestic (well-to-tank)',
    unit: 'kg CO2e / t·km',
    value: 0.57429,
    boundary: 'WTT',
    source: row(
      'WTT- delivery vehs & freight › WTT- freight flights › Domestic, to/from UK, tonne.km',
      '28_913_3153_14_1',
    ),
    year: 2025,
  },
  {
    id: 'desnz.air.short-haul.ttw',
    version: V,
    activity: 'Freight flight, short-haul, without RF',
    unit: 'kg CO2e / t·km',
    value: 0.75539,
    boundary: 'TTW',
    source: row(
      'Freighting goods › Freight flights › Short-haul, to/from UK › without RF, tonne.km',
      '27_317_3155_14_1',
    ),
    year: 2025,
  },
  {
    id: 'desnz.air.short-haul.wtt',
    version: V,
    activity: 'Freight flight, short-haul (well-to-tank)',
    unit: 'kg CO2e / t·km',
    value: 0.20515,
    boundary: 'WTT',
    source: row(
      'WTT- delivery vehs & freight › WTT- freight flights › Short-haul, to/from UK, tonne.km',
      '28_913_3155_14_1',
    ),
    year: 2025,
  },
  {
    id: 'desnz.air.long-haul.ttw',
    version: V,
    activity: 'Freight flight, long-haul, without RF',
    unit: 'kg CO2e / t·km',
    value: 0.5313,
    boundary: 'TTW',
    source: row(
      'Freighting goods › Freight flights › Long-haul, to/from UK › without RF, tonne.km',
      '27_317_3157_14_1',
    ),
    year: 2025,
  },
  {
    id: 'desnz.air.long-haul.wtt',
    version: V,
    activity: 'Freight flight, long-haul (well-to-tank)',
    unit: 'kg CO2e / t·km',
    value: 0.13516,
    boundary: 'WTT',
    source: row(
      'WTT- delivery vehs & freight › WTT- freight flights › Long-haul, to/from UK, tonne.km',
      '28_913_3157_14_1',
    ),
    year: 2025,
  },
];

const FUEL_WTT: Factor[] = [
  {
    id: 'desnz.fuel.diesel.wtt',
    version: V,
    activity: 'Diesel (average biofuel blend), well-to-tank',
    unit: 'kg CO2e / L',
    value: 0.61101,
    boundary: 'WTT',
    source: row('WTT- fuels › Liquid fuels › Diesel (average biofuel blend), litres', '11_101_1011_8_1'),
    year: 2025,
  },
  {
    id: 'desnz.fuel.diesel-mineral.wtt',
    version: V,
    activity: 'Diesel (100% mineral), well-to-tank',
    unit: 'kg CO2e / L',
    value: 0.62409,
    boundary: 'WTT',
    source: row('WTT- fuels › Liquid fuels › Diesel (100% mineral diesel), litres', '11_101_1012_8_1'),
    year: 2025,
  },
  {
    id: 'desnz.fuel.petrol.wtt',
    version: V,
    activity: 'Petrol (average biofuel blend), well-to-tank',
    unit: 'kg CO2e / L',
    value: 0.58094,
    boundary: 'WTT',
    source: row('WTT- fuels › Liquid fuels › Petrol (average biofuel blend), litres', '11_101_1017_8_1'),
    year: 2025,
  },
  {
    id: 'desnz.fuel.hvo.wtt',
    version: V,
    activity: 'HVO (hydrotreated vegetable oil), well-to-tank',
    unit: 'kg CO2e / L',
    value: 0.56439,
    boundary: 'WTT',
    source: row('WTT- bioenergy › WTT- biofuel › Biodiesel HVO, litres', '12_900_1036_8_1'),
    year: 2025,
  },
  {
    id: 'desnz.fuel.cng.wtt',
    version: V,
    activity: 'CNG, well-to-tank',
    unit: 'kg CO2e / kg',
    value: 0.53078,
    boundary: 'WTT',
    source: row('WTT- fuels › Gaseous fuels › CNG, tonnes (530.77887 kg/t)', '11_100_1001_15_1'),
    year: 2025,
  },
  {
    id: 'desnz.fuel.lng.wtt',
    version: V,
    activity: 'LNG, well-to-tank',
    unit: 'kg CO2e / kg',
    value: 0.91223,
    boundary: 'WTT',
    source: row('WTT- fuels › Gaseous fuels › LNG, tonnes (912.22817 kg/t)', '11_100_1002_15_1'),
    year: 2025,
  },
  {
    id: 'desnz.fuel.natural-gas.wtt',
    version: V,
    activity: 'Natural gas, well-to-tank (kWh, gross CV)',
    unit: 'kg CO2e / kWh',
    value: 0.03021,
    boundary: 'WTT',
    source: row('WTT- fuels › Gaseous fuels › Natural gas, kWh (Gross CV)', '11_100_1004_6_1'),
    year: 2025,
  },
];

/** Combustion (scope 1) fuel factors. The 2025 scope-1 sheet was not available to read here row by row; values are
 * quoted from secondary copies of it as stated per factor. */
const FUEL_TTW: Factor[] = [
  {
    id: 'desnz.fuel.diesel.ttw',
    version: V,
    activity: 'Diesel (average biofuel blend), combustion',
    unit: 'kg CO2e / L',
    value: 2.57082,
    boundary: 'TTW',
    source: `${PUB}, Fuels › Liquid fuels › Diesel (average biofuel blend), litres — value as quoted for DEFRA/DESNZ 2025 by greencalculus.com (diesel methodology) and the project reference; scope-1 sheet not read row by row`,
    year: 2025,
  },
  {
    id: 'desnz.fuel.diesel-mineral.ttw',
    version: V,
    activity: 'Diesel (100% mineral), combustion',
    unit: 'kg CO2e / L',
    value: 2.66155,
    boundary: 'TTW',
    source: `${PUB}, Fuels › Liquid fuels › Diesel (100% mineral diesel), litres — as quoted by greencalculus.com for DEFRA 2025; scope-1 sheet not read row by row`,
    year: 2025,
  },
  {
    id: 'desnz.fuel.petrol.ttw',
    version: V,
    activity: 'Petrol (average biofuel blend), combustion',
    unit: 'kg CO2e / L',
    value: 2.1,
    boundary: 'TTW',
    source: `${PUB}, Fuels › Petrol (average biofuel blend), litres — ≈ 2.10 as quoted by the Energy Saving Trust fleet toolkit and the project reference; precision beyond 2 decimals NOT verified`,
    year: 2025,
  },
  {
    id: 'desnz.fuel.hvo.ttw',
    version: V,
    activity: 'HVO, combustion (CH4 + N2O; biogenic CO2 reported outside scopes)',
    unit: 'kg CO2e / L',
    value: 0.03558,
    boundary: 'TTW',
    source: `${PUB}, Bioenergy › Biofuel › Biodiesel (BtL or HVO), litres — as quoted for DESNZ 2025 by greencalculus.com and universal-converter.org; biogenic CO2 (≈2.43 kg/L) is outside scopes per GHG Protocol`,
    year: 2025,
  },
  {
    id: 'desnz.fuel.cng.ttw',
    version: V,
    activity: 'CNG, combustion',
    unit: 'kg CO2e / kg',
    value: 2.5625,
    boundary: 'TTW',
    source: `UK DESNZ GHG conversion factors (Fuels › Gaseous fuels › CNG, kg) — as tabulated by the Energy Saving Trust fleet decarbonisation toolkit and the project reference (stated there as DESNZ 2025); edition year not verified row by row`,
    year: 2025,
  },
  {
    id: 'desnz.fuel.lng.ttw',
    version: V,
    activity: 'LNG, combustion',
    unit: 'kg CO2e / kg',
    value: 2.5819,
    boundary: 'TTW',
    source: `UK DESNZ GHG conversion factors (Fuels › Gaseous fuels › LNG, kg) — as tabulated by the Energy Saving Trust fleet decarbonisation toolkit and the project reference (stated there as DESNZ 2025); edition year not verified row by row`,
    year: 2025,
  },
  {
    id: 'desnz.fuel.natural-gas.ttw',
    version: V,
    activity: 'Natural gas, combustion (kWh, gross CV)',
    unit: 'kg CO2e / kWh',
    value: 0.18231,
    boundary: 'TTW',
    source: `${PUB}, Fuels › Gaseous fuels › Natural gas, kWh (Gross CV) — 0.18231 as quoted for DEFRA 2025 by greencalculus.com (natural gas glossary)`,
    year: 2025,
  },
];

/** Net calorific value of diesel (average blend) implied by DESNZ 2025: WTT per litre ÷ WTT per kWh (net CV). */
export const DIESEL_KWH_PER_L = Math.round((0.61101 / 0.06181) * 1000) / 1000;

export const DESNZ_2025: Factor[] = [
  ...hgvFactors(HGV, 'HGV (all diesel)', 'WTT- HGV (all diesel)', 'hgv', '304', '907'),
  ...hgvFactors(
    HGV_REEFER,
    'HGV refrigerated (all diesel)',
    'WTT- HGV refrigerated (all diesel)',
    'hgv-reefer',
    '306',
    '908',
  ),
  ...vanFactors(),
  ...GRID_UK,
  ...FREIGHT_TKM,
  ...FUEL_WTT,
  ...FUEL_TTW,
];
