// 7-day forecast (ml-engine) with 80 % / 95 % bands as range areas, the last 48 h of actuals, a "now" line and the
// open hotspots' detection windows as annotations.
import { useMemo } from 'react';
import { useQuery } from '@apollo/client';
import Chart from 'react-apexcharts';
import { graphql } from '../../gql';
import { Card, Async, Skeleton, Chip } from '../ui/ui.tsx';
import { kg, num, pct, time } from '../lib/format.ts';
import { hourCeil } from '../lib/range.tsx';
import { HotspotsQuery } from './HotspotList.tsx';

export const ForecastQuery = graphql(`
  query TotalForecast($from: String!, $to: String!) {
    forecast(entityType: "total", entityId: "all", horizonHours: 168) {
      id model createdAt historyHours historySource
      series { t mean lo80 hi80 lo95 hi95 }
      backtest { coverage80 coverage95 cvRmseHourly }
    }
    emissionsSeries(from: $from, to: $to, bucket: HOUR, groupBy: NONE) { bucketStart co2eKg }
  }
`);

export function ForecastChart() {
  const to = useMemo(() => new Date(hourCeil()).toISOString(), []);
  const from = useMemo(() => new Date(Date.parse(to) - 48 * 3_600_000).toISOString(), [to]);
  const { data, loading, error, refetch } = useQuery(ForecastQuery, { variables: { from, to } });
  const hotspots = useQuery(HotspotsQuery, { fetchPolicy: 'cache-first' });
  const f = data?.forecast;

  const chart = useMemo(() => {
    if (!f) return null;
    const pts = f.series.map((p) => ({ x: Date.parse(p.t), ...p }));
    const r = (v: number) => Math.round(v * 10) / 10;
    return {
      series: [
        { type: 'rangeArea', name: '95 % band', data: pts.map((p) => ({ x: p.x, y: [r(p.lo95), r(p.hi95)] })) },
        { type: 'rangeArea', name: '80 % band', data: pts.map((p) => ({ x: p.x, y: [r(p.lo80), r(p.hi80)] })) },
        { type: 'line', name: 'Forecast', data: pts.map((p) => ({ x: p.x, y: r(p.mean) })) },
        {
          type: 'line',
          name: 'Actual',
          data: (data?.emissionsSeries ?? []).map((p) => ({ x: Date.parse(p.bucketStart), y: r(p.co2eKg) })),
        },
      ],
      total: pts.reduce((s, p) => s + p.mean, 0),
    };
  }, [f, data]);

  const annotations = useMemo(() => {
    const xs: any[] = [
      {
        x: Date.now(),
        borderColor: '#0f172a',
        strokeDashArray: 4,
        label: {
          text: 'now',
          orientation: 'horizontal',
          textAnchor: 'start',
          offsetX: 4,
          style: { background: '#0f172a', color: '#fff' },
        },
      },
    ];
    for (const h of hotspots.data?.hotspots.nodes ?? []) {
      const t = Date.parse(h.detectedAt);
      if (t > Date.now() - 48 * 3_600_000)
        xs.push({
          x: t,
          borderColor: h.severity === 'CRITICAL' ? '#dc2626' : '#f59e0b',
          label: {
            text: `${h.entityName ?? 'hotspot'} +${pct(h.percentAbove)}`,
            orientation: 'horizontal',
            textAnchor: 'end',
            offsetX: -4,
            offsetY: 22,
            style: { background: h.severity === 'CRITICAL' ? '#dc2626' : '#f59e0b', color: '#fff' },
          },
        });
    }
    return xs;
  }, [hotspots.data]);

  return (
    <Card
      title="7-day forecast"
      subtitle={
        f
          ? `kg CO2e per hour · ${f.model} · ${kg(chart?.total)} expected over 7 days`
          : 'kg CO2e per hour with 80 % and 95 % bands'
      }
      testId="forecast-card"
      className="span-full"
      actions={
        f?.backtest && (
          <Chip tone="neutral" title={`Backtest over ${f.historyHours} h of ${f.historySource}`}>
            80 % band coverage {pct(f.backtest.coverage80 * 100)}
          </Chip>
        )
      }
    >
      <Async
        loading={loading}
        error={error}
        empty={!f?.series.length}
        emptyTitle="No forecast yet"
        emptyHint="The forecast needs some emission history."
        retry={() => refetch()}
        skeleton={<Skeleton height={260} />}
      >
        {() => (
          <div
            role="img"
            aria-label={`Forecast chart: ${f!.series.length} hourly points from ${time(f!.series[0].t)}, with 80 and 95 percent bands`}
          >
            <Chart
              type="rangeArea"
              height={270}
              series={chart!.series as any}
              options={{
                chart: { toolbar: { show: false }, zoom: { enabled: false }, animations: { enabled: false } },
                colors: ['#99e0d5', '#2dd4bf', '#0f766e', '#f59e0b'],
                fill: { opacity: [0.3, 0.45, 1, 1] },
                stroke: { curve: 'smooth', width: [0, 0, 2.5, 2], dashArray: [0, 0, 0, 0] },
                dataLabels: { enabled: false },
                legend: { position: 'top', horizontalAlign: 'right', fontSize: '12px' },
                grid: { borderColor: '#eef2f5', strokeDashArray: 4 },
                xaxis: { type: 'datetime', labels: { datetimeUTC: false, style: { colors: '#64748b' } } },
                yaxis: {
                  labels: { formatter: (v: number) => num(v, 0), style: { colors: '#64748b' } },
                  title: { text: 'kg CO2e/h', style: { color: '#64748b', fontWeight: 500 } },
                },
                tooltip: { shared: true, x: { format: 'dd MMM HH:mm' } },
                annotations: { xaxis: annotations },
              }}
            />
          </div>
        )}
      </Async>
    </Card>
  );
}
