// Ephemeral dashboard UI state shared by widgets: the category filter (donut -> timeline) and the what-if modal.
import { createContext, useContext } from 'react';

export interface WhatIfPrefill {
  supplierId?: string | null;
  supplierName?: string | null;
  hotspotId?: string;
}

export interface DashboardUi {
  category: string | null;
  setCategory(c: string | null): void;
  openWhatIf(prefill?: WhatIfPrefill): void;
}

export const DashboardContext = createContext<DashboardUi>({
  category: null,
  setCategory: () => {},
  openWhatIf: () => {},
});
export const useDashboard = () => useContext(DashboardContext);
