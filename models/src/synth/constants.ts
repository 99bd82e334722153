/**
 * Emission factors and physical constants used by the synthetic generators and the factor-only baselines.
 * Every number carries its source (see /work/shared/reference/carbon-domain.md). "ASSUMPTION" marks engineering
 * values chosen for the synthetic world that are not published factors; "verify" marks a published figure that
 * should be checked against the publication before being shipped as a product default.
 */

// ---- fuels -------------------------------------------------------------------------------------------------
/** Diesel (B7 retail blend), tank-to-wheel. UK DESNZ GHG conversion factors 2025. */
export const DIESEL_TTW_KG_PER_L = 2.57082;
/** Diesel (B7 retail blend), well-to-tank. UK DESNZ GHG conversion factors 2025. */
export const DIESEL_WTT_KG_PER_L = 0.62665;
/** Well-to-wheel = TTW + WTT (ISO 14083 / GLEC reference boundary). */
export const DIESEL_WTW_KG_PER_L = DIESEL_TTW_KG_PER_L + DIESEL_WTT_KG_PER_L;
/** Ratio used to lift TTW-only published intensities to the WTW boundary for a like-for-like baseline. */
export const DIESEL_WTW_OVER_TTW = DIESEL_WTW_KG_PER_L / DIESEL_TTW_KG_PER_L;
/** Natural gas, gross CV basis, ≈ 2.04 kg CO2e / m3. UK DESNZ GHG conversion factors: the per-m3 value quoted for
 *  2024–2025 ranges 2.03–2.07 depending on the edition (0.1829 kg CO2e/kWh gross CV, DESNZ 2024); 2.04 kept. */
export const NATURAL_GAS_KG_PER_M3 = 2.04;
/** 1 m3 natural gas ≈ 10.55 kWh (gross CV) — the conversion ml-engine's factory mapper uses for gasKwh. */
export const NATURAL_GAS_KWH_PER_M3 = 10.55;

// ---- diesel energy content (turns CMEM work into litres) -----------------------------------------------------
/** Gas/diesel oil net calorific value 43.0 MJ/kg: IPCC 2006 Guidelines, Vol. 2, Table 1.2. */
export const DIESEL_NCV_MJ_PER_KG = 43.0;
/** Diesel density 0.835 kg/L (EN 590 allows 0.820–0.845 kg/L at 15 °C). */
export const DIESEL_DENSITY_KG_PER_L = 0.835;
/** MJ per litre of diesel (≈ 35.9). */
export const DIESEL_MJ_PER_L = DIESEL_NCV_MJ_PER_KG * DIESEL_DENSITY_KG_PER_L;

// ---- published transport intensities (factor-only baselines) --------------------------------------------
/** Rigid truck 26–32 t, diesel: 0.09516 kg CO2e / t·km, TTW. GLEC Framework v2 default. */
export const GLEC_V2_TRUCK_KG_PER_TKM = 0.09516;
/** Van (average, diesel): 0.25023 kg CO2e / km, TTW. UK DESNZ 2025. */
export const DESNZ_VAN_DIESEL_KG_PER_KM = 0.25023;
/** ASSUMPTION: typical battery-electric van consumption used by a factor-only calculator (0.20 kWh/km). */
export const TYPICAL_EV_VAN_KWH_PER_KM = 0.2;

// ---- grid electricity (generation-based) --------------------------------------------------------------------
/** kg CO2e / kWh by region. Sources: UK DESNZ 2025 (0.177); EEA EU-27 2018 (≈0.281); US EPA eGRID (≈0.39);
 *  India CEA CO2 Baseline Database FY2023-24 (0.727); China MEE national grid factor (0.5366). */
export const GRID_KG_PER_KWH = {
  UK: 0.177,
  EU: 0.281,
  US: 0.39,
  IN: 0.727,
  CN: 0.5366,
} as const;
export const GRID_FACTORS: readonly number[] = Object.values(GRID_KG_PER_KWH);
export const GRID_MIN = Math.min(...GRID_FACTORS);
export const GRID_MAX = Math.max(...GRID_FACTORS);

// ---- physics shared by the vehicle classes (class parameters live in logistics.ts) ---------------------------
/** Gravity (m/s2) and air density (kg/m3, 20 °C sea level). */
export const G = 9.81;
export const AIR_DENSITY = 1.2041;

// ---- battery-electric vehicles (ASSUMPTIONS for the synthetic world; typical values) ------------------------
/** Share of braking / descent energy recovered by regenerative braking. */
export const EV_REGEN_EFF = 0.6;
/** Grid-to-battery charging efficiency (AC/DC conversion and battery losses, 85–95 % reported). The models' EV
 *  output is grid kWh × grid factor, comparable with metered charger energy and WLTP consumption figures. */
export const EV_CHARGING_EFF = 0.9;
/** Typical battery-electric truck consumption used by a factor-only calculator (1.1 kWh/km, ASSUMPTION). */
export const TYPICAL_EV_TRUCK_KWH_PER_KM = 1.1;
