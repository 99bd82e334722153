// Current kg CO2e per hour from data-core's emissionPulse (query + live subscription), trend arrow,
// change vs the previous hour and delta vs the target set on the goals page.
import { useEffect, useRef, useState } from 'react';
import { useQuery } from '@apollo/client';
import Chart from 'react-apexcharts';
import { graphql } from '../../gql';
import { Card, Icon, Skeleton, ErrorState, Chip } from '../ui/ui.tsx';
import { kg, num, pct, ago } from '../lib/format.ts';
import { useGoals } from '../lib/goals.ts';
import { navigate } from '../lib/router.ts';

export const PulseQuery = graphql(`
  query Pulse {
    emissionPulse { kgPerHour previousKgPerHour trend at byCategory { category co2eKg } }
  }
`);

export function EmissionPulseCard() {
  // The live bridge (LiveBridge.tsx) writes each emissionPulse subscription event into this query's cache entry.
  const { data, loading, error, refetch } = useQuery(PulseQuery);
  const goals = useGoals();
  const [history, setHistory] = useState<{ x: number; y: number }[]>([]);
  const [flash, setFlash] = useState(0);
  const last = useRef<string | null>(null);

  const pulse = data?.emissionPulse;
  useEffect(() => {
    if (!pulse) return;
    const key = `${pulse.at}|${pulse.kgPerHour}`;
    if (key === last.current) return;
    if (last.current !== null) setFlash((f) => f + 1);
    last.current = key;
    setHistory((h) => [...h.slice(-29), { x: Date.parse(pulse.at) || Date.now(), y: Math.round(pulse.kgPerHour * 10) / 10 }]);
  }, [pulse]);

  const change = pulse && pulse.previousKgPerHour > 0 ? ((pulse.kgPerHour - pulse.previousKgPerHour) / pulse.previousKgPerHour) * 100 : null;
  const target = goals.targetKgPerHour;
  const vsTarget = pulse && target ? ((pulse.kgPerHour - target) / target) * 100 : null;
  const trendIcon = pulse?.trend === 'UP' ? 'up' : pulse?.trend === 'DOWN' ? 'down' : 'flat';

  return (
    <Card title="Emission pulse" subtitle="kg CO2e over the last hour" live testId="pulse-card" className="card--pulse">
      {error && !pulse ? (
        <ErrorState error={error} retry={() => refetch()} />
      ) : !pulse ? (
        loading ? <Skeleton lines={3} /> : null
      ) : (
        <div className="pulse">
          <div className="pulse__main">
            <span key={flash} className="pulse__value flash" data-testid="pulse-value" aria-live="polite">
              {num(pulse.kgPerHour, pulse.kgPerHour >= 100 ? 0 : 1)}
            </span>
            <span className="pulse__unit">kg CO2e/h</span>
            <span
              className={`trend trend--${pulse.trend.toLowerCase()}`}
              aria-label={`Trend ${pulse.trend.toLowerCase()}${change !== null ? `, ${pct(change)} vs previous hour` : ''}`}
              data-testid="pulse-trend"
            >
              <Icon name={trendIcon} size={16} />
              {change !== null ? pct(Math.abs(change)) : pulse.trend.toLowerCase()}
            </span>
          </div>
          <div className="pulse__meta">
            <span>Previous hour {kg(pulse.previousKgPerHour)}</span>
            {vsTarget !== null ? (
              <Chip tone={vsTarget > 0 ? 'critical' : 'ok'} title={`Target ${kg(target)} CO2e/h (goals page)`}>
                {vsTarget > 0 ? '+' : ''}
                {pct(vsTarget)} vs target
              </Chip>
            ) : (
              <button className="link-btn" onClick={() => navigate('/goals')}>
                Set a target
              </button>
            )}
          </div>
          {history.length > 1 ? (
            <div className="pulse__spark" role="img" aria-label={`Pulse history, ${history.length} updates`}>
              <Chart
                type="area"
                height={70}
                series={[{ name: 'kg CO2e/h', data: history }]}
                options={{
                  chart: { sparkline: { enabled: true }, animations: { enabled: true }, toolbar: { show: false } },
                  stroke: { curve: 'smooth', width: 2 },
                  colors: ['#0f766e'],
                  fill: { type: 'gradient', gradient: { opacityFrom: 0.35, opacityTo: 0.02 } },
                  tooltip: { x: { format: 'HH:mm:ss' }, y: { formatter: (v: number) => `${num(v)} kg CO2e/h` } },
                  xaxis: { type: 'datetime' },
                }}
              />
            </div>
          ) : (
            <p className="muted small">Updated {ago(pulse.at)} · live updates draw a sparkline here</p>
          )}
        </div>
      )}
    </Card>
  );
}
