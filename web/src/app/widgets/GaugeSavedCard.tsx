// Saved vs goal: the sum of approved recommendations' expected kg CO2e avoided against the reduction the dashboard
// goal asks for per period (Goal.requiredSavingsKg = baseline − target, from orchestration).
import { useQuery } from '@apollo/client';
import Chart from 'react-apexcharts';
import { graphql } from '../../gql';
import { Card, Async, Skeleton } from '../ui/ui.tsx';
import { kg, pct } from '../lib/format.ts';
import { periodLabel, useDashboardGoal } from '../lib/goals.ts';
import { useLive } from '../lib/live.ts';
import { navigate } from '../lib/router.ts';

export const ApprovedSavingsQuery = graphql(`
  query ApprovedSavings {
    recommendations(status: APPROVED, first: 200) { totalCount nodes { id co2ImpactKg } }
  }
`);

export function GaugeSavedCard() {
  const dash = useDashboardGoal();
  const { data, loading, error, refetch } = useQuery(ApprovedSavingsQuery);
  useLive(['recommendation'], () => void refetch(), 1000);
  const nodes = data?.recommendations.nodes ?? [];
  const saved = nodes.reduce((s, r) => s + r.co2ImpactKg, 0);
  const goal = dash.goal?.requiredSavingsKg ?? null;
  // A target at or above the baseline asks for no reduction: the goal is met.
  const ratio = goal === null ? null : goal === 0 ? 100 : Math.min(100, (saved / goal) * 100);

  return (
    <Card
      title="Saved vs goal"
      subtitle={
        dash.goal
          ? `kg CO2e avoided by approved recommendations vs the goal's reduction per ${dash.goal.period.toLowerCase()}`
          : 'kg CO2e avoided by approved recommendations'
      }
      live
      testId="gauge-card"
    >
      <Async
        loading={loading}
        error={error}
        empty={!data}
        emptyTitle="No data"
        retry={() => refetch()}
        skeleton={<Skeleton height={180} />}
      >
        {() => (
          <div className="gauge">
            <div
              role="img"
              aria-label={
                goal !== null
                  ? `Gauge: ${kg(saved)} of ${kg(goal)} CO2e saved, ${pct(ratio)}`
                  : `${kg(saved)} CO2e saved; no goal set`
              }
            >
              <Chart
                type="radialBar"
                height={210}
                series={[Math.round((ratio ?? 0) * 10) / 10]}
                options={{
                  chart: { sparkline: { enabled: true } },
                  colors: ['#14b8a6'],
                  fill: {
                    type: 'gradient',
                    gradient: { shade: 'light', type: 'horizontal', gradientToColors: ['#0f766e'], stops: [0, 100] },
                  },
                  plotOptions: {
                    radialBar: {
                      startAngle: -110,
                      endAngle: 110,
                      hollow: { size: '62%' },
                      track: { background: '#e6f4f1', strokeWidth: '100%' },
                      dataLabels: {
                        name: { show: true, offsetY: 24, color: '#64748b', fontSize: '12px' },
                        value: {
                          show: true,
                          offsetY: -12,
                          fontSize: '24px',
                          fontWeight: 700,
                          color: '#0f172a',
                          formatter: () => kg(saved),
                        },
                      },
                    },
                  },
                  labels: [
                    goal !== null
                      ? `${pct(ratio)} of ${kg(goal)}`
                      : dash.goal
                        ? 'goal has no baseline yet'
                        : 'no goal set',
                  ],
                  stroke: { lineCap: 'round' },
                }}
              />
            </div>
            <div className="gauge__foot">
              <span data-testid="gauge-approved">{data!.recommendations.totalCount} approved</span>
              {dash.goal ? (
                <span
                  className="muted small"
                  data-testid="gauge-goal"
                  title={`${dash.goal.name} (per ${periodLabel(dash.goal.period)})`}
                >
                  goal: {kg(goal)} less per {dash.goal.period.toLowerCase()}
                </span>
              ) : (
                <button type="button" className="link-btn" onClick={() => navigate('/goals')}>
                  Set a goal
                </button>
              )}
            </div>
          </div>
        )}
      </Async>
    </Card>
  );
}
