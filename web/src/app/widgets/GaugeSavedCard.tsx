// Saved vs goal: the sum of approved recommendations' expected kg CO2e avoided against the savings goal.
import { useQuery } from '@apollo/client';
import Chart from 'react-apexcharts';
import { graphql } from '../../gql';
import { Card, Async, Skeleton } from '../ui/ui.tsx';
import { kg, pct } from '../lib/format.ts';
import { useGoals } from '../lib/goals.ts';
import { useLive } from '../lib/live.ts';
import { navigate } from '../lib/router.ts';

export const ApprovedSavingsQuery = graphql(`
  query ApprovedSavings {
    recommendations(status: APPROVED, first: 200) { totalCount nodes { id co2ImpactKg } }
  }
`);

export function GaugeSavedCard() {
  const goals = useGoals();
  const { data, loading, error, refetch } = useQuery(ApprovedSavingsQuery);
  useLive(['recommendation'], () => void refetch(), 1000);
  const nodes = data?.recommendations.nodes ?? [];
  const saved = nodes.reduce((s, r) => s + r.co2ImpactKg, 0);
  const goal = goals.savingsGoalKg;
  const ratio = goal ? Math.min(100, (saved / goal) * 100) : null;

  return (
    <Card title="Saved vs goal" subtitle="kg CO2e avoided by approved recommendations" live testId="gauge-card">
      <Async loading={loading} error={error} empty={!data} emptyTitle="No data" retry={() => refetch()} skeleton={<Skeleton height={180} />}>
        {() => (
          <div className="gauge">
            <div role="img" aria-label={goal ? `Gauge: ${kg(saved)} of ${kg(goal)} CO2e saved, ${pct(ratio)}` : `${kg(saved)} CO2e saved; no goal set`}>
              <Chart
                type="radialBar"
                height={210}
                series={[Math.round((ratio ?? 0) * 10) / 10]}
                options={{
                  chart: { sparkline: { enabled: true } },
                  colors: ['#14b8a6'],
                  fill: { type: 'gradient', gradient: { shade: 'light', type: 'horizontal', gradientToColors: ['#0f766e'], stops: [0, 100] } },
                  plotOptions: {
                    radialBar: {
                      startAngle: -110,
                      endAngle: 110,
                      hollow: { size: '62%' },
                      track: { background: '#e6f4f1', strokeWidth: '100%' },
                      dataLabels: {
                        name: { show: true, offsetY: 24, color: '#64748b', fontSize: '12px' },
                        value: { show: true, offsetY: -12, fontSize: '24px', fontWeight: 700, color: '#0f172a', formatter: () => kg(saved) },
                      },
                    },
                  },
                  labels: [goal ? `${pct(ratio)} of ${kg(goal)}` : 'no goal set'],
                  stroke: { lineCap: 'round' },
                }}
              />
            </div>
            <div className="gauge__foot">
              <span data-testid="gauge-approved">{data!.recommendations.totalCount} approved</span>
              {!goal && (
                <button className="link-btn" onClick={() => navigate('/goals')}>
                  Set a savings goal
                </button>
              )}
            </div>
          </div>
        )}
      </Async>
    </Card>
  );
}
