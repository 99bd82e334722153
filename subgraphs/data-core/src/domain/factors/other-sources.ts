// Factors from publications other than DESNZ: GLEC Framework v3.2 air intensities, battery-electric truck energy use,
// and grid electricity outside the UK. Each source says how it was verified.
import type { Factor } from './types.ts';
import { DESNZ_2025, DIESEL_KWH_PER_L } from './desnz-2025.ts';

const GLEC =
  'Smart Freight Centre, GLEC Framework v3.2 (Oct 2025) default intensities, §8.1 air — values as republished (TTW/WTT/WTW in g CO2e/t·km) in the EcoFreight GLEC v3.2 factor file (CC BY 4.0)';

const glecAir = (key: string, label: string, ttw: number, wtt: number): Factor[] => [
  {
    id: `glec.air.${key}.ttw`,
    version: 'GLEC-v3.2',
    activity: `Air freight, ${label}`,
    unit: 'kg CO2e / t·km',
    value: ttw,
    boundary: 'TTW',
    source: GLEC,
    year: 2025,
  },
  {
    id: `glec.air.${key}.wtt`,
    version: 'GLEC-v3.2',
    activity: `Air freight, ${label} (well-to-tank)`,
    unit: 'kg CO2e / t·km',
    value: wtt,
    boundary: 'WTT',
    source: GLEC,
    year: 2025,
  },
];

/** ICCT (2025, 91 battery-electric tractor-trailers >30 t in ECTA fleets): 65 % less energy than comparable diesel. */
export const BEV_ENERGY_SHARE_OF_DIESEL = 0.35;

const perKmTtw = (id: string) => DESNZ_2025.find((f) => f.id === id)!.value;
/** Battery-electric truck kWh/km derived from the DESNZ average-laden diesel factor of the same band:
 * litres/km (÷ 2.57082 kg/L) × DIESEL_KWH_PER_L × 0.35 (ICCT: −65 % energy). */
const derivedBev = (band: string) =>
  Math.round(
    (perKmTtw(`desnz.hgv.${band}.laden-avg.ttw`) / 2.57082) * DIESEL_KWH_PER_L * BEV_ENERGY_SHARE_OF_DIESEL * 1000,
  ) / 1000;
const DERIVED = `derived: DESNZ 2025 average-laden diesel factor of the band ÷ 2.57082 kg CO2e/L × ${DIESEL_KWH_PER_L} kWh/L (DESNZ 2025 net CV) × ${BEV_ENERGY_SHARE_OF_DIESEL} (ICCT 2025 fleet study of battery-electric tractor-trailers: 65 % less energy than diesel) — an estimate, not a measured value`;

const bevTruck = (key: string, label: string, value: number, source: string): Factor => ({
  id: `bev.truck.${key}.kwh-per-km`,
  version: 'CN-2025.1',
  activity: `Battery-electric truck, ${label}: electricity use`,
  unit: 'kWh / km',
  value,
  boundary: 'energy',
  source,
  year: 2025,
});

const REF =
  'Carbon Nexus project reference (carbon-domain.md); not re-verified against the publication in this release';
const grid = (region: string, label: string, value: number, version: string, source: string, year: number): Factor => ({
  id: `grid.${region.toLowerCase()}.generation`,
  version,
  activity: `Grid electricity ${label}, generation`,
  unit: 'kg CO2e / kWh',
  value,
  boundary: 'generation',
  source,
  year,
  region,
});

export const OTHER_SOURCES: Factor[] = [
  ...glecAir('belly-short-haul', 'belly freight, short haul (<1500 km)', 0.675, 0.155),
  ...glecAir('belly-long-haul', 'belly freight, long haul (>4000 km)', 0.495, 0.113),
  ...glecAir('freighter-long-haul', 'dedicated freighter, long haul (>4000 km)', 0.72, 0.16),
  ...glecAir('freighter-average', 'dedicated freighter, fleet average (mixed haul)', 0.65, 0.139),
  bevTruck('rigid-3.5-7.5t', 'rigid 3.5–7.5 t', derivedBev('rigid-3.5-7.5t'), DERIVED),
  bevTruck('rigid-7.5-17t', 'rigid 7.5–17 t', derivedBev('rigid-7.5-17t'), DERIVED),
  bevTruck(
    'rigid-12-20t',
    'rigid 12–20 t (19 t DAF LF Electric)',
    1.08,
    'Cenex / DAF Battery Electric Truck Trial (BETT, Innovate UK), final report 2023: 20 × 19 t rigid DAF LF Electric, 287,000 km, average 1.08 kWh/km (as reported by Fleet News)',
  ),
  bevTruck('rigid-gt17t', 'rigid >17 t', derivedBev('rigid-gt17t'), DERIVED),
  bevTruck('rigid-all', 'rigid (all)', derivedBev('rigid-all'), DERIVED),
  bevTruck('artic-3.5-33t', 'articulated 3.5–33 t', derivedBev('artic-3.5-33t'), DERIVED),
  bevTruck(
    'artic-gt33t',
    'articulated >33 t',
    derivedBev('artic-gt33t'),
    `${DERIVED}; within the ICCT (Aug 2025) measured range of 0.92–1.50 kWh/km for 91 battery-electric tractor-trailers >30 t`,
  ),
  bevTruck('artic-all', 'articulated (all)', derivedBev('artic-all'), DERIVED),
  bevTruck('hgv-all', 'HGV (all)', derivedBev('hgv-all'), DERIVED),
  grid(
    'EU',
    'EU-27 average',
    0.281,
    'EEA-2018',
    `European Environment Agency, EU-27 average CO2 intensity of electricity generation, 2018 (≈ 0.281) — ${REF}`,
    2018,
  ),
  grid(
    'US',
    'United States average',
    0.39,
    'eGRID',
    `US EPA eGRID national average output emission rate (≈ 0.39) — ${REF}`,
    2022,
  ),
  grid(
    'IN',
    'India',
    0.727,
    'CEA-FY2023-24',
    `Central Electricity Authority (India), CO2 Baseline Database, FY 2023-24 weighted average (0.727) — ${REF}`,
    2024,
  ),
  grid(
    'CN',
    'China',
    0.5366,
    'MEE-2022',
    `Ministry of Ecology and Environment (China), national grid average emission factor (0.5366) — ${REF}`,
    2022,
  ),
];
