// Current kg CO2e per hour from data-core's emissionPulse (query + live subscription), trend arrow,
// change vs the previous hour and delta vs the dashboard goal's kg per hour (orchestration `goals`).
import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from '@apollo/client';
import Chart from 'react-apexcharts';
import { graphql } from '../../gql';
import { Card, Icon, Skeleton, ErrorState, Chip } from '../ui/ui.tsx';
import { kg, num, pct, ago } from '../lib/format.ts';
import { useDashboardGoal } from '../lib/goals.ts';
import { navigate } from '../lib/router.ts';
import { useLive } from '../lib/live.ts';

export const PulseQuery = graphql(`
  query Pulse {
    emissionPulse { kgPerHour previousKgPerHour trend at pendingCount byCategory { category co2eKg } }
  }
`);

export const PulseHistoryQuery = graphql(`
  query PulseHistory($from: String!, $to: String!) {
    emissionsSeries(from: $from, to: $to, bucket: HOUR, groupBy: NONE) { bucketStart co2eKg }
  }
`);

const HOUR = 3_600_000;

export function EmissionPulseCard() {
  // Sparkline: the last 24 complete hours (kg CO2e per hour) and the live rate as the newest point.
  const [hourNow, setHourNow] = useState(() => Math.floor(Date.now() / HOUR) * HOUR);
  const hist = useQuery(PulseHistoryQuery, {
    variables: { from: new Date(hourNow - 24 * HOUR).toISOString(), to: new Date(hourNow).toISOString() },
  });
  useLive(['pulse'], () => setHourNow(Math.floor(Date.now() / HOUR) * HOUR), 10_000);
  // The live bridge (LiveBridge.tsx) writes each emissionPulse subscription event into this query's cache entry.
  const { data, loading, error, refetch } = useQuery(PulseQuery);
  const { goal } = useDashboardGoal();
  const [flash, setFlash] = useState(0);
  const last = useRef<string | null>(null);

  const pulse = data?.emissionPulse;
  useEffect(() => {
    if (!pulse) return;
    const key = `${pulse.at}|${pulse.kgPerHour}`;
    if (key === last.current) return;
    if (last.current !== null) setFlash((f) => f + 1);
    last.current = key;
  }, [pulse]);

  const history = useMemo(() => {
    const pts = (hist.data?.emissionsSeries ?? []).map((p) => ({
      x: Date.parse(p.bucketStart) + HOUR,
      y: Math.round(p.co2eKg * 10) / 10,
    }));
    if (pulse) pts.push({ x: Date.parse(pulse.at) || Date.now(), y: Math.round(pulse.kgPerHour * 10) / 10 });
    return pts.sort((a, b) => a.x - b.x);
  }, [hist.data, pulse]);
  const change =
    pulse && pulse.previousKgPerHour > 0
      ? ((pulse.kgPerHour - pulse.previousKgPerHour) / pulse.previousKgPerHour) * 100
      : null;
  const target = goal?.targetKgPerHour ?? null;
  const vsTarget = pulse && target ? ((pulse.kgPerHour - target) / target) * 100 : null;
  const trendIcon = pulse?.trend === 'UP' ? 'up' : pulse?.trend === 'DOWN' ? 'down' : 'flat';

  return (
    <Card title="Emission pulse" subtitle="kg CO2e over the last hour" live testId="pulse-card" className="card--pulse">
      {error && !pulse ? (
        <ErrorState error={error} retry={() => refetch()} />
      ) : !pulse ? (
        loading ? (
          <Skeleton lines={3} />
        ) : null
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
            {pulse.pendingCount > 0 && (
              <span
                className="muted small"
                data-testid="pulse-pending"
                title="Events whose figure waits for ml-engine's estimate (not yet in kg/h)"
              >
                {pulse.pendingCount} pending
              </span>
            )}
            {vsTarget !== null ? (
              <Chip tone={vsTarget > 0 ? 'critical' : 'ok'} title={`Target ${kg(target)} CO2e/h: ${goal!.name}`}>
                {vsTarget > 0 ? '+' : ''}
                {pct(vsTarget)} vs target
              </Chip>
            ) : goal ? (
              <span className="muted small" title={goal.name}>
                Goal set; its baseline is not computed yet
              </span>
            ) : (
              <button type="button" className="link-btn" onClick={() => navigate('/goals')}>
                Set a target
              </button>
            )}
          </div>
          {history.length > 1 ? (
            <div
              className="pulse__spark"
              role="img"
              aria-label={`Hourly emissions over the last 24 hours and the current rate, ${history.length} points`}
            >
              <Chart
                type="area"
                height={70}
                series={[{ name: 'kg CO2e per hour', data: history }]}
                options={{
                  chart: { sparkline: { enabled: true }, animations: { enabled: true }, toolbar: { show: false } },
                  stroke: { curve: 'smooth', width: 2 },
                  colors: ['#0f766e'],
                  fill: { type: 'gradient', gradient: { opacityFrom: 0.35, opacityTo: 0.02 } },
                  tooltip: { x: { format: 'dd MMM HH:mm' }, y: { formatter: (v: number) => `${num(v)} kg CO2e/h` } },
                  xaxis: { type: 'datetime' },
                }}
              />
            </div>
          ) : (
            <p className="muted small">Updated {ago(pulse.at)}</p>
          )}
        </div>
      )}
    </Card>
  );
}
