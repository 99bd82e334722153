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
/** Natural gas, gross CV basis, ≈ 2.04 kg CO2e / m3. UK DESNZ GHG conversion factors (verify the year's value). */
export const NATURAL_GAS_KG_PER_M3 = 2.04;

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

// ---- Comprehensive Modal Emissions Model (Bektaş & Laporte 2011; Demir et al. 2011) --------------------------
/** λ = ξ/(κ·ψ): fuel-to-air mass ratio 1, heating value 44 kJ/g, conversion 737 g/L. */
export const CMEM_LAMBDA = 1 / (44 * 737);
/** k: engine friction factor (kJ/rev/L). */
export const CMEM_K = 0.2;
/** N: engine speed (rev/s). */
export const CMEM_N = 33;
/** V: engine displacement (L) for the reference medium-duty truck. */
export const CMEM_V = 5;
/** γ = 1/(1000·η_tf·η): drivetrain efficiency 0.4, engine efficiency 0.9 (as tabulated in the PRP papers). */
export const CMEM_GAMMA = 1 / (1000 * 0.4 * 0.9);
/** β = 0.5·Cd·ρ·A with Cd 0.7, air density 1.2041 kg/m3, frontal area 3.912 m2. */
export const CMEM_BETA = 0.5 * 0.7 * 1.2041 * 3.912;
/** Curb weight of the reference truck (kg). */
export const CMEM_CURB_KG = 6350;
/** Gravity (m/s2) and rolling resistance coefficient Cr = 0.01 (CMEM). */
export const G = 9.81;
export const ROLLING_CR = 0.01;
export const AIR_DENSITY = 1.2041;

// ---- auxiliary consumption (ASSUMPTIONS for the synthetic world; typical values, verify per fleet) ---------
/** Diesel engine idling, heavy vehicle: ≈ 2.5 L/h (ASSUMPTION; US DOE/ANL idling studies report 2–4 L/h). */
export const IDLE_L_PER_H = 2.5;
/** Diesel transport refrigeration unit: ≈ 2.5 L/h while refrigerated (ASSUMPTION; TRU studies report 1.5–3.5 L/h). */
export const REEFER_L_PER_H = 2.5;
/** Electric TRU on an EV van: ≈ 2.5 kW average draw (ASSUMPTION). */
export const EV_REEFER_KW = 2.5;
/** EV auxiliary load (HVAC, electronics): ≈ 1 kW (ASSUMPTION). */
export const EV_AUX_KW = 1.0;
/** EV battery-to-wheel efficiency ≈ 0.85 and regenerative braking recovery ≈ 0.6 (ASSUMPTIONS). */
export const EV_DRIVETRAIN_EFF = 0.85;
export const EV_REGEN_EFF = 0.6;
