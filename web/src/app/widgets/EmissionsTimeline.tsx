// kg CO2e per hour (or day for long windows) stacked by category; filtered by the donut's selected category.
import { useMemo } from 'react';
import { useQuery } from '@apollo/client';
import Chart from 'react-apexcharts';
import { graphql } from '../../gql';
import { Card, Async, Skeleton } from '../ui/ui.tsx';
import { categoryColor, kg, titleCase } from '../lib/format.ts';
import { useRange } from '../lib/range.tsx';
import { useLive } from '../lib/live.ts';
import { useDashboard } from '../lib/dashboard.ts';

export const TimelineQuery = graphql(`
  query EmissionsTimeline($from: String!, $to: String!, $bucket: TimeBucket!) {
    emissionsSeries(from: $from, to: $to, bucket: $bucket, groupBy: CATEGORY) { bucketStart key co2eKg realCount predictedCount }
  }
`);

export function EmissionsTimeline() {
  const range = useRange();
  const { category } = useDashboard();
  const bucket = range.hours > 24 * 8 ? 'DAY' : 'HOUR';
  const { data, loading, error, refetch } = useQuery(TimelineQuery, {
    variables: { from: range.from, to: range.to, bucket },
  });
  useLive(['pulse'], () => void refetch(), 3000);

  const series = useMemo(() => {
    const byKey = new Map<string, { x: number; y: number }[]>();
    for (const p of data?.emissionsSeries ?? []) {
      if (category && p.key !== category) continue;
      if (!byKey.has(p.key)) byKey.set(p.key, []);
      byKey.get(p.key)!.push({ x: Date.parse(p.bucketStart), y: Math.round(p.co2eKg * 10) / 10 });
    }
    return [...byKey.entries()].map(([k, pts]) => ({
      name: titleCase(k),
      key: k,
      data: pts.sort((a, b) => a.x - b.x),
    }));
  }, [data, category]);

  return (
    <Card
      title="Emissions timeline"
      subtitle={`kg CO2e per ${bucket === 'DAY' ? 'day' : 'hour'}${category ? ` · ${titleCase(category)} only` : ' · by category'}`}
      live
      testId="timeline-card"
      className="span-2"
    >
      <Async
        loading={loading}
        error={error}
        empty={!series.length}
        emptyTitle="No emissions to chart"
        emptyHint="Nothing recorded in this window."
        retry={() => refetch()}
        skeleton={<Skeleton height={240} />}
      >
        {() => (
          <div
            role="img"
            aria-label={`Stacked emissions per ${bucket.toLowerCase()}: ${series.map((s) => s.name).join(', ')}`}
          >
            <Chart
              type="bar"
              height={250}
              series={series.map(({ name, data }) => ({ name, data }))}
              options={{
                chart: {
                  stacked: true,
                  toolbar: { show: false },
                  animations: { enabled: true },
                  zoom: { enabled: false },
                },
                colors: series.map((s) => categoryColor(s.key)),
                plotOptions: { bar: { columnWidth: '70%', borderRadius: 3, borderRadiusWhenStacked: 'last' } },
                dataLabels: { enabled: false },
                legend: { position: 'top', horizontalAlign: 'right', fontSize: '12px' },
                grid: { borderColor: '#eef2f5', strokeDashArray: 4 },
                xaxis: { type: 'datetime', labels: { datetimeUTC: false, style: { colors: '#64748b' } } },
                yaxis: { labels: { formatter: (v: number) => kg(v, 0), style: { colors: '#64748b' } } },
                tooltip: {
                  x: { format: bucket === 'DAY' ? 'dd MMM' : 'dd MMM HH:mm' },
                  y: { formatter: (v: number) => `${kg(v)} CO2e` },
                },
              }}
            />
          </div>
        )}
      </Async>
    </Card>
  );
}
