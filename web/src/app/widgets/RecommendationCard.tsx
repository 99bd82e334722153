// One recommendation: the diagnosed cause in plain words, the diagnosis (statement, findings with their share of the
// excess and evidence), the expected avoided kg with how it was bounded, and — when the what-if can model the measure —
// a Simulate action whose result is shown beside the card's own estimate.
import { useState } from 'react';
import type { OpenRecommendationsQuery } from '../../gql/graphql';
import { Chip, GuardedButton, Icon } from '../ui/ui.tsx';
import { kg, pct, titleCase } from '../lib/format.ts';
import {
  boundText,
  causeShareText,
  causeText,
  excessOf,
  readDiagnosis,
  readSimulation,
  shareText,
} from '../lib/evidence.ts';
import { useDashboard } from '../lib/dashboard.ts';

export type Rec = OpenRecommendationsQuery['recommendations']['nodes'][number];

function Meter({ value, label }: { value: number | null | undefined; label: string }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  return (
    <span
      className="meter"
      role="meter"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(value * 100)}
      aria-label={label}
    >
      <span className="meter__bar" style={{ width: `${Math.round(value * 100)}%` }} />
    </span>
  );
}

const signedKg = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${kg(Math.abs(v))}`;

export function RecommendationCard(props: {
  r: Rec;
  canDecide: boolean;
  busy: boolean;
  onApprove: () => void;
  onDismiss: (reason: string) => void;
}) {
  const { r } = props;
  const { openWhatIf, simulated } = useDashboard();
  const [dismissing, setDismissing] = useState(false);
  const [reason, setReason] = useState('');
  const why = 'Approving and dismissing need the approver role (sign in as approver)';
  const diagnosis = readDiagnosis(r.diagnosis);
  const cause = causeText(r.cause, diagnosis);
  const excess = excessOf(r);
  const share = causeShareText(r.cause, diagnosis, excess);
  const bound = boundText(r);
  const sim = readSimulation(r.simulation);
  const outcome = simulated[r.id];
  const diagnosed = diagnosis && diagnosis.basis !== 'none' && diagnosis.findings.length > 0;

  return (
    <li className="rec" data-testid="recommendation-card" data-rec-id={r.id}>
      <div className="rec__head">
        <h3 className="rec__title">{r.title}</h3>
        <Chip tone="accent" title={r.sourceRef ?? undefined}>
          {r.source.toLowerCase()}
        </Chip>
      </div>
      <p className="rec__for">
        {/* hotspot is null while orchestration is unreachable: the recommendation still shows */}
        {r.hotspot?.entityName ?? r.supplier?.name ?? 'Hotspot'}
        {r.hotspot ? ` · +${pct(r.hotspot.percentAbove)} above baseline` : ''}
      </p>
      {cause ? (
        <p className="rec__cause" data-testid="rec-cause">
          <span className="rec__label">Cause</span> {cause}
          {share && <span className="muted"> · {share}</span>}
        </p>
      ) : (
        <p className="rec__body">{r.rootCause ?? r.body}</p>
      )}
      {diagnosis && (
        <details className="rec__diag" data-testid="rec-diagnosis">
          <summary>{diagnosed ? 'Diagnosis: why it is above baseline' : 'Why no cause was diagnosed'}</summary>
          {diagnosis.statement && <p data-testid="rec-diagnosis-statement">{diagnosis.statement}</p>}
          {diagnosis.findings.length > 0 && (
            <ul className="findings" aria-label="Findings: share of the excess per cause">
              {diagnosis.findings.map((f) => (
                <li key={f.cause} data-testid="rec-finding" data-cause={f.cause}>
                  <div className="finding__head">
                    <strong>{f.label}</strong>
                    <span data-testid="rec-finding-share">
                      {f.share > 0 ? `${shareText(f.share)} · ${kg(f.attributedKg)}` : 'contributing'}
                    </span>
                  </div>
                  {f.share > 0 && (
                    <span
                      className="finding__bar"
                      role="meter"
                      aria-valuemin={0}
                      aria-valuemax={100}
                      aria-valuenow={Math.round(f.share * 100)}
                      aria-label={`${f.label}: ${shareText(f.share)} of the excess`}
                    >
                      <span style={{ width: `${Math.min(100, f.share * 100)}%` }} />
                    </span>
                  )}
                  {f.evidence && <span className="muted small">{f.evidence}</span>}
                </li>
              ))}
            </ul>
          )}
          <details className="rec__why small">
            <summary>Why this measure</summary>
            <p>{r.body}</p>
          </details>
        </details>
      )}
      <dl className="rec__facts">
        <div className="rec__impact-cell">
          <dt>Expected avoided</dt>
          <dd className="rec__impact">−{kg(r.co2ImpactKg)} CO2e</dd>
          {bound && (
            <dd className="rec__bound" data-testid="rec-bound">
              {bound}
            </dd>
          )}
          {outcome?.error != null && (
            <dd className="rec__sim is-bad" data-testid="rec-simulated">
              What-if could not run: {outcome.error}
            </dd>
          )}
          {outcome && outcome.error == null && (
            <dd className={`rec__sim ${outcome.delta <= 0 ? 'is-good' : 'is-bad'}`} data-testid="rec-simulated">
              What-if: <strong>{signedKg(outcome.delta)}</strong> ({outcome.deltaPct > 0 ? '+' : ''}
              {pct(outcome.deltaPct, 1)}) on the hotspot&apos;s {outcome.basisEvents}{' '}
              {outcome.basisEvents === 1 ? 'event' : 'events'}
            </dd>
          )}
        </div>
        <div>
          <dt>Cost</dt>
          <dd>
            {r.costLevel
              ? titleCase(r.costLevel)
              : r.costEstimate !== null && r.costEstimate !== undefined
                ? `${r.costEstimate}/10`
                : '—'}
          </dd>
        </div>
        <div>
          <dt>Feasibility</dt>
          <dd>
            <Meter value={r.feasibilityScore} label={`Feasibility ${pct((r.feasibilityScore ?? 0) * 100)}`} />
          </dd>
        </div>
        <div>
          <dt>Confidence</dt>
          <dd>{r.confidence !== null && r.confidence !== undefined ? pct(r.confidence * 100) : '—'}</dd>
        </div>
      </dl>
      {dismissing ? (
        <form
          className="rec__dismiss"
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim()) props.onDismiss(reason.trim());
          }}
        >
          <label className="sr-only" htmlFor={`reason-${r.id}`}>
            Reason for dismissing
          </label>
          <input
            id={`reason-${r.id}`}
            className="input"
            placeholder="Why dismiss? (required)"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            autoFocus
          />
          <button className="btn btn--danger btn--sm" type="submit" disabled={!reason.trim() || props.busy}>
            Dismiss
          </button>
          <button className="btn btn--ghost btn--sm" type="button" onClick={() => setDismissing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <div className="rec__actions">
          <GuardedButton
            allowed={props.canDecide}
            reason={why}
            label={`Approve ${r.title}`}
            className="btn btn--primary btn--sm"
            busy={props.busy}
            onClick={props.onApprove}
          >
            <Icon name="check" size={14} /> Approve
          </GuardedButton>
          <GuardedButton
            allowed={props.canDecide}
            reason={why}
            label={`Dismiss ${r.title}`}
            className="btn btn--ghost btn--sm"
            onClick={() => setDismissing(true)}
          >
            <Icon name="x" size={14} /> Dismiss
          </GuardedButton>
          <GuardedButton
            allowed={!!sim}
            reason="The what-if cannot model this measure (no simulation input)"
            label={`Simulate ${r.title}`}
            className="btn btn--ghost btn--sm"
            onClick={() =>
              openWhatIf({
                supplierId: sim?.supplierId ?? r.supplier?.id ?? null,
                supplierName: r.supplier?.name ?? null,
                hotspotId: sim?.hotspotId ?? r.hotspot?.id,
                simulation: sim ?? undefined,
                recommendation: { id: r.id, title: r.title, co2ImpactKg: r.co2ImpactKg },
              })
            }
          >
            <Icon name="flask" size={14} /> Simulate
          </GuardedButton>
        </div>
      )}
    </li>
  );
}
