// Ephemeral dashboard UI state shared by widgets: the category filter (donut -> timeline), the what-if modal, and the
// what-if results of recommendations (shown on their cards beside the recommendation's own estimate).
import { createContext, useContext } from 'react';
import type { SimulationPrefill } from './evidence.ts';

export interface WhatIfPrefill {
  supplierId?: string | null;
  supplierName?: string | null;
  hotspotId?: string;
  /** A recommendation's ready `simulate` input: the form starts from it and runs it at once. */
  simulation?: SimulationPrefill;
  /** The recommendation the simulation models (its estimate is shown beside the simulated delta). */
  recommendation?: { id: string; title: string; co2ImpactKg: number };
}

/** A what-if run of a recommendation's own simulation input: its result, or why it could not run. */
export type SimulatedOutcome =
  | {
      scenarioId: string;
      delta: number;
      deltaPct: number;
      baselineValue: number;
      newValue: number;
      basisEvents: number;
      error?: undefined;
    }
  | { error: string };

export interface DashboardUi {
  category: string | null;
  setCategory(c: string | null): void;
  openWhatIf(prefill?: WhatIfPrefill): void;
  simulated: Record<string, SimulatedOutcome>;
  recordSimulation(recommendationId: string, outcome: SimulatedOutcome): void;
}

export const DashboardContext = createContext<DashboardUi>({
  category: null,
  setCategory: () => {},
  openWhatIf: () => {},
  simulated: {},
  recordSimulation: () => {},
});
export const useDashboard = () => useContext(DashboardContext);
