// Supplier × hour grid (emissionsSeries grouped by SUPPLIER, hourly). Cells that change when a live event arrives
// pulse briefly. Colour = kg CO2e relative to the busiest cell of the window.
import { useMemo, useRef } from 'react';
import { useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Card, Async, Skeleton } from '../ui/ui.tsx';
import { hourLabel, kg } from '../lib/format.ts';
import { useRange } from '../lib/range.tsx';
import { useLive } from '../lib/live.ts';
import { useSuppliers } from '../lib/suppliers.ts';

export const HeatmapQuery = graphql(`
  query SupplierHeatmap($from: String!, $to: String!, $bucket: TimeBucket!) {
    emissionsSeries(from: $from, to: $to, bucket: $bucket, groupBy: SUPPLIER) { bucketStart key co2eKg eventCount }
  }
`);

const HOUR = 3_600_000;
const MAX_ROWS = 8;

function shade(v: number, max: number): string {
  if (v <= 0 || max <= 0) return '#f1f5f4';
  const t = Math.min(1, Math.sqrt(v / max));
  // teal-50 -> teal-400 -> amber -> red for the hottest cells
  const stops = [
    [0, [204, 240, 234]],
    [0.5, [45, 185, 165]],
    [0.8, [245, 158, 11]],
    [1, [220, 38, 38]],
  ] as const;
  let i = 0;
  while (i < stops.length - 2 && t > stops[i + 1][0]) i++;
  const [t0, c0] = stops[i];
  const [t1, c1] = stops[i + 1];
  const f = (t - t0) / (t1 - t0);
  const c = c0.map((x, k) => Math.round(x + (c1[k] - x) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

export function Heatmap() {
  const range = useRange();
  const suppliers = useSuppliers();
  const hours = Math.min(range.hours, 24 * 7);
  const useDays = hours > 48;
  const to = range.to;
  const from = useDays ? range.from : new Date(Date.parse(to) - Math.min(hours, 24) * HOUR).toISOString();
  const bucket = useDays ? 'DAY' : 'HOUR';
  const { data, loading, error, refetch } = useQuery(HeatmapQuery, { variables: { from, to, bucket } });
  useLive(['pulse'], () => void refetch(), 2000);
  const prev = useRef(new Map<string, number>());
  const generation = useRef(0);

  const grid = useMemo(() => {
    const step = useDays ? 24 * HOUR : HOUR;
    const start = Math.floor(Date.parse(from) / step) * step;
    const cols: number[] = [];
    for (let t = start; t < Date.parse(to); t += step) cols.push(t);
    const rows = new Map<string, Map<number, number>>();
    const totals = new Map<string, number>();
    let max = 0;
    for (const p of data?.emissionsSeries ?? []) {
      const t = Math.floor(Date.parse(p.bucketStart) / step) * step;
      if (!rows.has(p.key)) rows.set(p.key, new Map());
      const r = rows.get(p.key)!;
      r.set(t, (r.get(t) ?? 0) + p.co2eKg);
      totals.set(p.key, (totals.get(p.key) ?? 0) + p.co2eKg);
      max = Math.max(max, r.get(t)!);
    }
    const top = [...totals.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_ROWS)
      .map(([k]) => k);
    const changed = new Set<string>();
    const next = new Map<string, number>();
    for (const k of top)
      for (const [t, v] of rows.get(k)!) {
        const id = `${k}|${t}`;
        next.set(id, v);
        if (prev.current.size && prev.current.get(id) !== v) changed.add(id);
      }
    prev.current = next;
    if (changed.size) generation.current += 1;
    return { cols, top, rows, max, changed, totals, hidden: Math.max(0, totals.size - MAX_ROWS) };
  }, [data, from, to, useDays]);

  const labelEvery = grid.cols.length > 16 ? Math.ceil(grid.cols.length / 8) : 1;

  return (
    <Card
      title="Supplier heatmap"
      subtitle={`kg CO2e per supplier and ${useDays ? 'day' : 'hour'}${grid.hidden ? ` · top ${MAX_ROWS} of ${grid.totals.size}` : ''}`}
      live
      testId="heatmap-card"
      className="span-2"
    >
      <Async
        loading={loading}
        error={error}
        empty={!grid.top.length}
        emptyTitle="No supplier activity"
        emptyHint="The grid fills as events arrive."
        retry={() => refetch()}
        skeleton={<Skeleton height={240} />}
      >
        {() => (
          <div
            className="heatmap"
            role="table"
            aria-label={`Heatmap of kg CO2e by supplier and ${useDays ? 'day' : 'hour'}`}
            data-generation={generation.current}
          >
            <div
              className="heatmap__grid"
              style={{ gridTemplateColumns: `minmax(110px, 160px) repeat(${grid.cols.length}, minmax(10px, 1fr))` }}
            >
              <div role="rowgroup" className="contents">
                <div role="row" className="contents">
                  <div role="columnheader" className="heatmap__corner">
                    Supplier
                  </div>
                  {grid.cols.map((t, i) => (
                    <div role="columnheader" key={t} className="heatmap__col" aria-label={new Date(t).toISOString()}>
                      {i % labelEvery === 0
                        ? useDays
                          ? new Date(t).toLocaleDateString('en-GB', { day: '2-digit', month: 'short' })
                          : hourLabel(new Date(t).toISOString()).slice(0, 2)
                        : ''}
                    </div>
                  ))}
                </div>
              </div>
              <div role="rowgroup" className="contents">
                {grid.top.map((k) => {
                  const name = suppliers.byId.get(k)?.name ?? `Supplier ${k.slice(0, 6)}`;
                  return (
                    <div role="row" className="contents" key={k} data-testid="heatmap-row">
                      <div
                        role="rowheader"
                        className="heatmap__row"
                        title={`${name}: ${kg(grid.totals.get(k))} CO2e in the window`}
                      >
                        {name}
                      </div>
                      {grid.cols.map((t) => {
                        const v = grid.rows.get(k)!.get(t) ?? 0;
                        const id = `${k}|${t}`;
                        const hot = grid.changed.has(id);
                        return (
                          <div
                            role="cell"
                            key={hot ? `${t}-${generation.current}` : t}
                            className={`heatmap__cell ${hot ? 'heatmap__cell--pulse' : ''}`}
                            style={{ background: shade(v, grid.max) }}
                            title={`${name} · ${new Date(t).toLocaleString('en-GB')} · ${kg(v)} CO2e`}
                            aria-label={`${name}, ${new Date(t).toLocaleString('en-GB')}: ${kg(v)} CO2e`}
                            data-value={v}
                          />
                        );
                      })}
                    </div>
                  );
                })}
              </div>
            </div>
            <div className="heatmap__scale" aria-hidden="true">
              <span>0</span>
              <span className="heatmap__ramp" />
              <span>{kg(grid.max)}</span>
            </div>
          </div>
        )}
      </Async>
    </Card>
  );
}
