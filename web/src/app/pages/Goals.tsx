// Targets. The graph has no goals API, so targets live in this browser (localStorage) and drive the pulse card's
// "vs target" and the saved-vs-goal gauge.
import { useState } from 'react';
import { useQuery } from '@apollo/client';
import { Card, Chip } from '../ui/ui.tsx';
import { kg, pct } from '../lib/format.ts';
import { saveGoals, useGoals } from '../lib/goals.ts';
import { PulseQuery } from '../widgets/EmissionPulseCard.tsx';
import { ApprovedSavingsQuery } from '../widgets/GaugeSavedCard.tsx';
import { pushToast } from '../lib/toasts.ts';

export function GoalsPage() {
  const goals = useGoals();
  const [rate, setRate] = useState(goals.targetKgPerHour?.toString() ?? '');
  const [saving, setSaving] = useState(goals.savingsGoalKg?.toString() ?? '');
  const pulse = useQuery(PulseQuery).data?.emissionPulse;
  const approved = useQuery(ApprovedSavingsQuery).data?.recommendations.nodes ?? [];
  const saved = approved.reduce((s, r) => s + r.co2ImpactKg, 0);
  const parse = (s: string) => (s.trim() === '' ? null : Number(s));
  const rateN = parse(rate);
  const savingN = parse(saving);
  const invalid = (v: number | null) => v !== null && (!Number.isFinite(v) || v <= 0);

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Goals</h1>
          <p className="page-head__sub">Targets the dashboard measures against</p>
        </div>
      </div>
      <div className="grid grid--wide">
        <Card title="Targets" subtitle="Kept in this browser: the platform has no goals API yet" testId="goals-card">
          <form
            className="form"
            onSubmit={(e) => {
              e.preventDefault();
              if (invalid(rateN) || invalid(savingN)) return;
              saveGoals({ targetKgPerHour: rateN, savingsGoalKg: savingN });
              pushToast({ tone: 'ok', title: 'Goals saved' }, 3000);
            }}
          >
            <label className="field">
              <span>Emission rate target (kg CO2e per hour)</span>
              <input className="input" inputMode="decimal" value={rate} onChange={(e) => setRate(e.target.value)} aria-invalid={invalid(rateN)} aria-describedby="rate-help" />
              <small id="rate-help" className={invalid(rateN) ? 'error-text' : 'muted'}>
                {invalid(rateN) ? 'Enter a positive number of kg CO2e per hour.' : 'The pulse card shows the current rate against this target.'}
              </small>
            </label>
            <label className="field">
              <span>Savings goal (kg CO2e avoided)</span>
              <input className="input" inputMode="decimal" value={saving} onChange={(e) => setSaving(e.target.value)} aria-invalid={invalid(savingN)} aria-describedby="saving-help" />
              <small id="saving-help" className={invalid(savingN) ? 'error-text' : 'muted'}>
                {invalid(savingN) ? 'Enter a positive number of kg CO2e.' : 'Approved recommendations count towards it (their expected kg CO2e avoided).'}
              </small>
            </label>
            <div className="form__actions">
              <button className="btn btn--primary" type="submit" disabled={invalid(rateN) || invalid(savingN)}>
                Save goals
              </button>
            </div>
          </form>
        </Card>
        <Card title="Progress" subtitle="Live values from the graph">
          <div className="kpis kpis--stack">
            <div className="kpi">
              <span>Current rate</span>
              <strong>{pulse ? `${kg(pulse.kgPerHour)} CO2e/h` : '—'}</strong>
              {pulse && goals.targetKgPerHour && (
                <Chip tone={pulse.kgPerHour > goals.targetKgPerHour ? 'critical' : 'ok'}>
                  {pct(((pulse.kgPerHour - goals.targetKgPerHour) / goals.targetKgPerHour) * 100)} vs target
                </Chip>
              )}
            </div>
            <div className="kpi">
              <span>Saved by approved recommendations</span>
              <strong>{kg(saved)} CO2e</strong>
              {goals.savingsGoalKg && <Chip tone="accent">{pct((saved / goals.savingsGoalKg) * 100)} of goal</Chip>}
            </div>
          </div>
        </Card>
      </div>
    </>
  );
}
