// CO2e by category (data-core emissionsSeries grouped by CATEGORY) with the total in the centre.
// Hover highlights a slice; a click filters the emissions timeline to that category.
import { useMemo } from 'react';
import { useQuery } from '@apollo/client';
import Chart from 'react-apexcharts';
import { graphql } from '../../gql';
import { Card, Async, Skeleton, Icon, categoryIcon } from '../ui/ui.tsx';
import { categoryColor, kg, pct, titleCase } from '../lib/format.ts';
import { useRange } from '../lib/range.tsx';
import { useLive } from '../lib/live.ts';
import { useDashboard } from '../lib/dashboard.ts';

export const CategoryTotalsQuery = graphql(`
  query CategoryTotals($from: String!, $to: String!) {
    emissionsSeries(from: $from, to: $to, bucket: DAY, groupBy: CATEGORY) { bucketStart key co2eKg eventCount }
  }
`);

export function DonutCategoryCard() {
  const range = useRange();
  const { category, setCategory } = useDashboard();
  const { data, loading, error, refetch } = useQuery(CategoryTotalsQuery, {
    variables: { from: range.from, to: range.to },
  });
  useLive(['pulse'], () => void refetch(), 3000);

  const slices = useMemo(() => {
    const m = new Map<string, number>();
    for (const p of data?.emissionsSeries ?? []) m.set(p.key, (m.get(p.key) ?? 0) + p.co2eKg);
    return [...m.entries()].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  }, [data]);
  const total = slices.reduce((s, [, v]) => s + v, 0);

  return (
    <Card
      title="CO2e by category"
      subtitle={`kg CO2e, ${range.preset === 'custom' ? 'selected window' : `last ${range.preset}`}`}
      live
      testId="donut-card"
      actions={
        category && (
          <button
            type="button"
            className="chip chip--accent chip--button"
            onClick={() => setCategory(null)}
            aria-label={`Clear category filter ${category}`}
          >
            {titleCase(category)} <Icon name="x" size={12} />
          </button>
        )
      }
    >
      <Async
        loading={loading}
        error={error}
        empty={!slices.length}
        emptyTitle="No emissions in this window"
        emptyHint="Ingest events or widen the date range."
        retry={() => refetch()}
        skeleton={<Skeleton height={220} />}
      >
        {() => (
          <div className="donut">
            <div
              className="donut__chart"
              role="img"
              aria-label={`Donut chart: ${slices.map(([k, v]) => `${k} ${kg(v)}`).join(', ')}; total ${kg(total)} CO2e`}
            >
              <Chart
                type="donut"
                height={230}
                series={slices.map(([, v]) => Math.round(v * 10) / 10)}
                options={{
                  labels: slices.map(([k]) => titleCase(k)),
                  colors: slices.map(([k]) => categoryColor(k)),
                  legend: { show: false },
                  dataLabels: { enabled: false },
                  stroke: { width: 3, colors: ['#fff'] },
                  states: { hover: { filter: { type: 'darken' } }, active: { filter: { type: 'none' } } },
                  tooltip: { y: { formatter: (v: number) => `${kg(v)} CO2e` } },
                  plotOptions: {
                    pie: {
                      expandOnClick: true,
                      donut: {
                        size: '72%',
                        labels: {
                          show: true,
                          name: { show: true, offsetY: 18, color: '#64748b', fontSize: '12px' },
                          value: {
                            show: true,
                            offsetY: -14,
                            fontSize: '24px',
                            fontWeight: 700,
                            color: '#0f172a',
                            formatter: (v: string) => kg(Number(v)),
                          },
                          total: {
                            show: true,
                            showAlways: true,
                            label: 'kg CO2e total',
                            color: '#64748b',
                            fontSize: '12px',
                            formatter: () => kg(total),
                          },
                        },
                      },
                    },
                  },
                  chart: {
                    events: {
                      dataPointSelection: (_e, _c, cfg) => {
                        const k = slices[cfg?.dataPointIndex ?? -1]?.[0];
                        if (k) setCategory(category === k ? null : k);
                      },
                    },
                  },
                }}
              />
            </div>
            <ul className="legend" aria-label="Categories (select to filter the timeline)">
              {slices.map(([k, v]) => (
                <li key={k}>
                  <button
                    type="button"
                    className={`legend__item ${category === k ? 'is-active' : ''}`}
                    aria-pressed={category === k}
                    onClick={() => setCategory(category === k ? null : k)}
                  >
                    <span className="legend__swatch" style={{ background: categoryColor(k) }} />
                    <Icon name={categoryIcon(k)} size={14} />
                    <span className="legend__label">{titleCase(k)}</span>
                    <span className="legend__value">{pct((v / total) * 100)}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
      </Async>
    </Card>
  );
}
