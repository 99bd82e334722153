// Settings: partner webhook endpoints, hotspot severity thresholds (editable by admins), outlier thresholds and baselines.
import { useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Card, Async, Chip } from '../ui/ui.tsx';
import { WebhooksCard } from './Webhooks.tsx';
import { HotspotThresholdsCard } from './HotspotThresholds.tsx';
import { kg, num, time } from '../lib/format.ts';
import { useSuppliers } from '../lib/suppliers.ts';

export const ThresholdsQuery = graphql(`
  query Thresholds {
    outlierThresholds { iqrK dbscanEps dbscanMinPts minSamples updatedAt updatedBy }
    baselines(entityType: "supplier", first: 20) {
      nodes { id entityType entityId valueKgPerHour method isOverride updatedAt }
    }
  }
`);

export function SettingsPage() {
  const t = useQuery(ThresholdsQuery);
  const suppliers = useSuppliers();
  const o = t.data?.outlierThresholds;
  const baselines = t.data?.baselines.nodes ?? [];

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Settings</h1>
          <p className="page-head__sub">Partner endpoints and detection thresholds</p>
        </div>
      </div>
      <div className="grid grid--wide">
        <WebhooksCard />
        <HotspotThresholdsCard />
        <Card
          title="Outlier thresholds"
          subtitle="Data-quality checks (IQR fences and DBSCAN)"
          testId="thresholds-card"
        >
          <Async loading={t.loading} error={t.error} empty={!o} emptyTitle="Not available" retry={() => t.refetch()}>
            {() => (
              <dl className="facts">
                <div>
                  <dt>IQR fence multiplier k</dt>
                  <dd>{num(o!.iqrK, 2)}</dd>
                </div>
                <div>
                  <dt>DBSCAN radius (robust z)</dt>
                  <dd>{num(o!.dbscanEps, 2)}</dd>
                </div>
                <div>
                  <dt>DBSCAN min points</dt>
                  <dd>{o!.dbscanMinPts}</dd>
                </div>
                <div>
                  <dt>Minimum events per supplier</dt>
                  <dd>{o!.minSamples}</dd>
                </div>
                <div>
                  <dt>Last changed</dt>
                  <dd>{o!.updatedAt ? `${time(o!.updatedAt)} by ${o!.updatedBy ?? 'unknown'}` : 'defaults'}</dd>
                </div>
              </dl>
            )}
          </Async>
        </Card>
        <Card
          title="Hotspot baselines"
          subtitle="kg CO2e per hour a supplier is expected to emit; hotspots fire above these"
          testId="baselines-card"
        >
          <Async
            loading={t.loading}
            error={t.error}
            empty={!baselines.length}
            emptyTitle="No baselines computed yet"
            emptyHint="Baselines are recalculated hourly from predictions."
            retry={() => t.refetch()}
          >
            {() => (
              <table className="table">
                <thead>
                  <tr>
                    <th>Supplier</th>
                    <th>Baseline</th>
                    <th>Method</th>
                    <th>Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {baselines.map((b) => (
                    <tr key={b.id}>
                      <td>{suppliers.byId.get(b.entityId)?.name ?? b.entityId}</td>
                      <td>{kg(b.valueKgPerHour)} CO2e/h</td>
                      <td>{b.isOverride ? <Chip tone="accent">override</Chip> : b.method.replace(/_/g, ' ')}</td>
                      <td>{time(b.updatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Async>
        </Card>
      </div>
    </>
  );
}
