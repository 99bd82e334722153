import { useMemo, useState } from 'react';
import { DashboardContext, type SimulatedOutcome, type WhatIfPrefill } from '../lib/dashboard.ts';
import { EmissionPulseCard } from '../widgets/EmissionPulseCard.tsx';
import { DonutCategoryCard } from '../widgets/DonutCategoryCard.tsx';
import { GaugeSavedCard } from '../widgets/GaugeSavedCard.tsx';
import { Heatmap } from '../widgets/Heatmap.tsx';
import { HotspotList } from '../widgets/HotspotList.tsx';
import { RecommendationQueue } from '../widgets/RecommendationQueue.tsx';
import { ActivityFeed } from '../widgets/ActivityFeed.tsx';
import { ForecastChart } from '../widgets/ForecastChart.tsx';
import { EmissionsTimeline } from '../widgets/EmissionsTimeline.tsx';
import { WhatIfSimulatorModal } from '../widgets/WhatIfSimulatorModal.tsx';
import { DataQualityBadge } from '../widgets/DataQualityBadge.tsx';
import { Icon } from '../ui/ui.tsx';

export function Dashboard() {
  const [category, setCategory] = useState<string | null>(null);
  const [whatIf, setWhatIf] = useState<WhatIfPrefill | null>(null);
  const [simulated, setSimulated] = useState<Record<string, SimulatedOutcome>>({});
  const ui = useMemo(
    () => ({
      category,
      setCategory,
      openWhatIf: (p?: WhatIfPrefill) => setWhatIf(p ?? {}),
      simulated,
      recordSimulation: (id: string, o: SimulatedOutcome) => setSimulated((s) => ({ ...s, [id]: o })),
    }),
    [category, simulated],
  );
  return (
    <DashboardContext.Provider value={ui}>
      <div className="page-head">
        <div>
          <h1>Carbon overview</h1>
          <p className="page-head__sub">Live emissions, hotspots and actions across your supply chain</p>
        </div>
        <div className="page-head__tools">
          <DataQualityBadge />
          <button type="button" className="btn btn--light" onClick={() => setWhatIf({})} data-testid="open-whatif">
            <Icon name="flask" size={16} /> What-if
          </button>
        </div>
      </div>
      <div className="grid">
        <EmissionPulseCard />
        <DonutCategoryCard />
        <GaugeSavedCard />
        <HotspotList />
        <Heatmap />
        <EmissionsTimeline />
        <RecommendationQueue />
        <ActivityFeed first={6} className="feed-card" />
        <ForecastChart />
      </div>
      {whatIf && (
        <WhatIfSimulatorModal
          prefill={whatIf}
          onClose={() => setWhatIf(null)}
          onRecommendationResult={ui.recordSimulation}
        />
      )}
    </DashboardContext.Provider>
  );
}
