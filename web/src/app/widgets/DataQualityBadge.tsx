// "X% Real | Y% Predicted" (data-quality dataQualityBadge) opening the data-quality panel: gaps, outliers, fills.
import { useState } from 'react';
import { useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Async, Chip, Modal, Skeleton } from '../ui/ui.tsx';
import { kg, num, pct, time } from '../lib/format.ts';
import { useRange } from '../lib/range.tsx';
import { useLive } from '../lib/live.ts';

export const BadgeQuery = graphql(`
  query DataQualityBadge($from: String!, $to: String!) {
    dataQualityBadge(from: $from, to: $to) { realPct predictedPct primaryDataShare realCount predictedCount suspectCount totalCount label }
  }
`);

export const PanelQuery = graphql(`
  query DataQualityPanel($from: String!, $to: String!) {
    dataQualityPanel(from: $from, to: $to, first: 25) {
      gaps { totalCount nodes { id hourStart status expectedCount co2eKg confidence predictedBy supplier { id name } } }
      outliers { totalCount nodes { id timestamp metric value method reason lowerFence upperFence supplier { id name } } }
      fills { totalCount nodes { id hourStart co2eKg confidence predictedBy supplier { id name } } }
    }
  }
`);

export function DataQualityBadge() {
  const range = useRange();
  const [open, setOpen] = useState(false);
  const { data, loading, error, refetch } = useQuery(BadgeQuery, { variables: { from: range.from, to: range.to } });
  useLive(['pulse'], () => void refetch(), 5000);
  const b = data?.dataQualityBadge;
  return (
    <>
      <button
        type="button"
        className="dq-badge"
        onClick={() => setOpen(true)}
        aria-label={
          b
            ? `Data quality: ${pct(b.realPct, 1)} real, ${pct(b.predictedPct, 1)} predicted. Open the data-quality panel`
            : 'Data quality'
        }
        data-testid="dq-badge"
        aria-haspopup="dialog"
      >
        {b ? (
          b.totalCount ? (
            <>
              <span className="dq-badge__bar" aria-hidden="true">
                <span style={{ width: `${b.realPct}%` }} />
              </span>
              <span>
                <strong data-testid="dq-real">{num(b.realPct, 1)}%</strong> Real
              </span>
              <span className="dq-badge__sep">|</span>
              <span>
                <strong data-testid="dq-predicted">{num(b.predictedPct, 1)}%</strong> Predicted
              </span>
            </>
          ) : (
            <span>Data quality: no data</span>
          )
        ) : error ? (
          <span>Data quality unavailable</span>
        ) : (
          <span className="skeleton skeleton--inline" aria-label="Loading" />
        )}
      </button>
      {open && <DataQualityPanel onClose={() => setOpen(false)} badge={b ?? null} />}
    </>
  );
}

type Tab = 'gaps' | 'outliers' | 'fills';

function DataQualityPanel({
  onClose,
  badge,
}: {
  onClose: () => void;
  badge: {
    realCount: number;
    predictedCount: number;
    suspectCount: number;
    primaryDataShare: number;
    label: string;
  } | null;
}) {
  const range = useRange();
  const [tab, setTab] = useState<Tab>('gaps');
  const { data, loading, error, refetch } = useQuery(PanelQuery, { variables: { from: range.from, to: range.to } });
  const p = data?.dataQualityPanel;
  return (
    <Modal title="Data quality" onClose={onClose} wide testId="dq-panel">
      {badge && (
        <div className="kpis">
          <div className="kpi">
            <span>Real events</span>
            <strong>{badge.realCount}</strong>
          </div>
          <div className="kpi">
            <span>Predicted (gap fills)</span>
            <strong>{badge.predictedCount}</strong>
          </div>
          <div className="kpi">
            <span>Suspect</span>
            <strong>{badge.suspectCount}</strong>
          </div>
          <div className="kpi">
            <span>Primary data share (kg CO2e)</span>
            <strong>{pct(badge.primaryDataShare, 1)}</strong>
          </div>
        </div>
      )}
      <div className="tabs" role="tablist" aria-label="Data-quality lists">
        {(['gaps', 'outliers', 'fills'] as Tab[]).map((t) => (
          <button
            type="button"
            key={t}
            role="tab"
            aria-selected={tab === t}
            className={`tab ${tab === t ? 'is-active' : ''}`}
            onClick={() => setTab(t)}
          >
            {t[0].toUpperCase() + t.slice(1)} {p ? <span className="tab__count">{p[t].totalCount}</span> : null}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        <Async
          loading={loading}
          error={error}
          empty={!p}
          emptyTitle="No data"
          retry={() => refetch()}
          skeleton={<Skeleton lines={5} />}
        >
          {() =>
            tab === 'outliers' ? (
              p!.outliers.nodes.length ? (
                <table className="table">
                  <thead>
                    <tr>
                      <th>Time</th>
                      <th>Supplier</th>
                      <th>Metric</th>
                      <th>Value</th>
                      <th>Method</th>
                      <th>Reason</th>
                    </tr>
                  </thead>
                  <tbody>
                    {p!.outliers.nodes.map((o) => (
                      <tr key={o.id}>
                        <td>{time(o.timestamp)}</td>
                        <td>{o.supplier?.name ?? '—'}</td>
                        <td>{o.metric}</td>
                        <td>{num(o.value, 2)}</td>
                        <td>{o.method}</td>
                        <td>{o.reason}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p className="muted pad">No outliers flagged in this window.</p>
              )
            ) : (tab === 'gaps' ? p!.gaps.nodes : p!.fills.nodes).length ? (
              <table className="table">
                <thead>
                  <tr>
                    <th>Hour</th>
                    <th>Supplier</th>
                    <th>Status</th>
                    <th>Filled value</th>
                    <th>Confidence</th>
                    <th>Predicted by</th>
                  </tr>
                </thead>
                <tbody>
                  {(tab === 'gaps' ? p!.gaps.nodes : p!.fills.nodes).map((g) => (
                    <tr key={g.id}>
                      <td>{time(g.hourStart)}</td>
                      <td>{g.supplier?.name ?? '—'}</td>
                      <td>
                        {'status' in g ? (
                          <Chip tone={g.status === 'FILLED' ? 'accent' : 'neutral'}>
                            {String(g.status).toLowerCase()}
                          </Chip>
                        ) : (
                          <Chip tone="accent">filled</Chip>
                        )}
                      </td>
                      <td>{g.co2eKg !== null && g.co2eKg !== undefined ? kg(g.co2eKg) : '—'}</td>
                      <td>{g.confidence !== null && g.confidence !== undefined ? pct(g.confidence * 100) : '—'}</td>
                      <td>{g.predictedBy ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted pad">No {tab} in this window.</p>
            )
          }
        </Async>
      </div>
    </Modal>
  );
}
