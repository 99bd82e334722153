// A hotspot's evidence in detail: what the window held against what is usual for it (orchestration's baseline rows
// for the hours it overlaps: how the usual level was measured, usual events), the spread, the excess in standard
// deviations and the evidence bar the detector applied (hotspotSettings).
import { useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Skeleton } from '../ui/ui.tsx';
import { hourLabel, kg, num, time } from '../lib/format.ts';
import { explainBaseline, sigmaText, timesText, type HotspotFacts } from '../lib/evidence.ts';

const HotspotBaselines = graphql(`
  query HotspotBaselines($entityType: String!, $entityIds: [String!]) {
    baselines(entityType: $entityType, entityIds: $entityIds, hourly: true, first: 400) {
      nodes { id hourOfWeek valueKgPerHour spreadKgPerHour samples eventsPerHour method isOverride }
    }
    hotspotSettings { thresholds { entityType minEvents noiseSigmas } }
  }
`);

export function HotspotEvidence({ h }: { h: HotspotFacts & { id: string; entityType: string; entityId: string } }) {
  // errorPolicy all: a caller without access to the settings still sees the baselines.
  const q = useQuery(HotspotBaselines, {
    variables: { entityType: h.entityType, entityIds: [h.entityId] },
    errorPolicy: 'all',
  });
  const rows = q.data?.baselines.nodes ?? [];
  const base = explainBaseline(rows, h.windowStart, h.windowEnd);
  const thresholds = q.data?.hotspotSettings?.thresholds ?? [];
  const bar =
    thresholds.find((t) => t.entityType === h.entityType) ?? thresholds.find((t) => t.entityType === 'default');
  const excess = h.predictedKg - h.baselineKg;
  const sigma = sigmaText(h);
  return (
    <div className="hotspot-evidence" data-testid="hotspot-evidence-detail">
      <dl className="facts">
        <div>
          <dt>Window</dt>
          <dd>
            {time(h.windowStart)}–{hourLabel(h.windowEnd)}
          </dd>
        </div>
        <div>
          <dt>Events in the window</dt>
          <dd data-testid="hotspot-events">
            {h.eventCount != null ? num(h.eventCount, 0) : '—'}
            {base?.usualEvents != null && <span className="muted"> (usually {num(base.usualEvents, 1)})</span>}
          </dd>
        </div>
        <div>
          <dt>Emitted vs usual</dt>
          <dd>
            {kg(h.predictedKg)} vs {kg(h.baselineKg)} CO2e
            {h.baselineKg > 0 ? ` · ${timesText(h.predictedKg / h.baselineKg)}` : ''}
          </dd>
        </div>
        <div>
          <dt>Usual variation (robust σ)</dt>
          <dd>
            {h.baselineSpreadKg != null
              ? `±${kg(h.baselineSpreadKg)}${h.baselineKg > 0 ? ` (±${num((h.baselineSpreadKg / h.baselineKg) * 100, 0)} %)` : ''}`
              : '—'}
          </dd>
        </div>
        <div>
          <dt>Excess</dt>
          <dd data-testid="hotspot-sigma">
            {excess > 0 ? '+' : ''}
            {kg(excess)}
            {sigma ? ` · ${sigma}` : ''}
          </dd>
        </div>
      </dl>
      {q.loading && !rows.length ? (
        <Skeleton lines={1} />
      ) : (
        <p className="small" data-testid="hotspot-baseline-how">
          {base ? (
            <>
              The usual level is {base.how} (<code>{base.method}</code>).
            </>
          ) : (
            'No baseline rows are stored for this entity any more.'
          )}
          {bar && (
            <>
              {' '}
              The detector raises a hotspot only with at least {bar.minEvents} events and an excess beyond{' '}
              {num(bar.noiseSigmas, 1)} σ of this variation (or one sustained over the last hours).
            </>
          )}
        </p>
      )}
    </div>
  );
}
