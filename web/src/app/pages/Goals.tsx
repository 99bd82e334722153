// Goals (orchestration `goals`): the list with what each means in kg for its period, a form to set one (analyst,
// approver or admin; the server validates and names the field of a bad value), and progress of the dashboard goal.
import { useState } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Card, Async, Chip, Icon, Skeleton } from '../ui/ui.tsx';
import { kg, pct, ago, titleCase } from '../lib/format.ts';
import { GoalsQuery, periodLabel, useDashboardGoal, type Goal } from '../lib/goals.ts';
import { hasRole, useSession } from '../lib/auth.ts';
import { useSuppliers } from '../lib/suppliers.ts';
import { PulseQuery } from '../widgets/EmissionPulseCard.tsx';
import { ApprovedSavingsQuery } from '../widgets/GaugeSavedCard.tsx';
import { pushToast } from '../lib/toasts.ts';

const SetGoal = graphql(`
  mutation SetGoal($input: GoalInput!) {
    setGoal(input: $input) { id name }
  }
`);

const DeleteGoal = graphql(`
  mutation DeleteGoal($id: ID!) {
    deleteGoal(id: $id)
  }
`);

const CATEGORIES = ['TRANSPORT', 'FACTORY', 'WAREHOUSE', 'DELIVERY'] as const;
type Scope = 'ALL' | 'CATEGORY' | 'SUPPLIER';
type Period = 'DAY' | 'MONTH' | 'YEAR';

/** The server's field name for an error (extensions.field, e.g. input.targetKg), if any. */
function errorField(e: unknown): { field: string | null; message: string } {
  const g = (e as { graphQLErrors?: { message: string; extensions?: { field?: string } }[] }).graphQLErrors?.[0];
  return { field: g?.extensions?.field ?? null, message: g?.message ?? (e as Error).message };
}

function scopeLabel(g: Goal, names: Map<string, { name: string }>) {
  if (g.scope === 'ALL') return 'All emissions';
  if (g.scope === 'CATEGORY') return `Category: ${titleCase(g.scopeId ?? '')}`;
  return `Supplier: ${g.supplier?.name ?? names.get(g.scopeId ?? '')?.name ?? g.scopeId}`;
}

function GoalForm({ allowed }: { allowed: boolean }) {
  const suppliers = useSuppliers();
  const [scope, setScope] = useState<Scope>('ALL');
  const [scopeId, setScopeId] = useState('');
  const [period, setPeriod] = useState<Period>('DAY');
  const [kind, setKind] = useState<'reduction' | 'absolute'>('reduction');
  const [value, setValue] = useState('');
  const [name, setName] = useState('');
  const [serverError, setServerError] = useState<{ field: string | null; message: string } | null>(null);
  const [save, saving] = useMutation(SetGoal, { refetchQueries: [GoalsQuery], awaitRefetchQueries: true });

  const n = value.trim() === '' ? null : Number(value);
  const valueError =
    n === null
      ? null
      : !Number.isFinite(n)
        ? 'Enter a number.'
        : kind === 'absolute'
          ? n <= 0
            ? 'Enter more than 0 kg CO2e.'
            : null
          : n <= 0 || n > 100
            ? 'Enter a percentage above 0 and at most 100.'
            : null;
  const scopeError = scope !== 'ALL' && !scopeId ? `Choose a ${scope === 'CATEGORY' ? 'category' : 'supplier'}.` : null;
  const fieldError = (f: string) => (serverError?.field === f ? serverError.message : null);
  const valueField = kind === 'absolute' ? 'input.targetKg' : 'input.reductionPct';
  const canSubmit = allowed && n !== null && !valueError && !scopeError && !saving.loading;

  return (
    <form
      className="form"
      data-testid="goal-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!canSubmit) return;
        setServerError(null);
        try {
          const r = await save({
            variables: {
              input: {
                scope,
                scopeId: scope === 'ALL' ? null : scopeId,
                period,
                targetKg: kind === 'absolute' ? n : null,
                reductionPct: kind === 'reduction' ? n : null,
                name: name.trim() || null,
              },
            },
          });
          pushToast({ tone: 'ok', title: 'Goal saved', body: r.data?.setGoal.name }, 3000);
          setValue('');
          setName('');
        } catch (err) {
          setServerError(errorField(err));
        }
      }}
    >
      <h3 className="form__title">Set a goal</h3>
      <div className="form__row">
        <label className="field">
          <span>Covers</span>
          <select
            className="input"
            value={scope}
            onChange={(e) => (setScope(e.target.value as Scope), setScopeId(''))}
            aria-label="Goal scope"
          >
            <option value="ALL">All emissions</option>
            <option value="CATEGORY">A supplier category</option>
            <option value="SUPPLIER">One supplier</option>
          </select>
        </label>
        {scope === 'CATEGORY' && (
          <label className="field">
            <span>Category</span>
            <select
              className="input"
              value={scopeId}
              onChange={(e) => setScopeId(e.target.value)}
              aria-invalid={!!fieldError('input.scopeId')}
            >
              <option value="">Choose…</option>
              {CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {titleCase(c)}
                </option>
              ))}
            </select>
          </label>
        )}
        {scope === 'SUPPLIER' && (
          <label className="field">
            <span>Supplier</span>
            <select
              className="input"
              value={scopeId}
              onChange={(e) => setScopeId(e.target.value)}
              aria-invalid={!!fieldError('input.scopeId')}
            >
              <option value="">Choose…</option>
              {suppliers.list.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="field">
          <span>Period</span>
          <select
            className="input"
            value={period}
            onChange={(e) => setPeriod(e.target.value as Period)}
            aria-label="Goal period"
          >
            <option value="DAY">Per day</option>
            <option value="MONTH">Per month (30 days)</option>
            <option value="YEAR">Per year (365 days)</option>
          </select>
        </label>
      </div>
      {(scopeError && scopeId === '' && scope !== 'ALL') || fieldError('input.scopeId') ? (
        <small className={fieldError('input.scopeId') ? 'error-text' : 'muted'}>
          {fieldError('input.scopeId') ?? scopeError}
        </small>
      ) : null}
      <fieldset className="field fieldset">
        <legend>Target</legend>
        <div className="checks">
          <label className="check">
            <input type="radio" name="goal-kind" checked={kind === 'reduction'} onChange={() => setKind('reduction')} />
            Percent below baseline
          </label>
          <label className="check">
            <input type="radio" name="goal-kind" checked={kind === 'absolute'} onChange={() => setKind('absolute')} />
            Absolute kg CO2e per period
          </label>
        </div>
      </fieldset>
      <div className="form__row">
        <label className="field">
          <span>{kind === 'reduction' ? 'Reduction (% below baseline)' : 'Target (kg CO2e per period)'}</span>
          <input
            className="input"
            inputMode="decimal"
            value={value}
            onChange={(e) => (setValue(e.target.value), setServerError(null))}
            aria-invalid={!!(valueError || fieldError(valueField))}
            aria-describedby="goal-value-help"
          />
          <small id="goal-value-help" className={valueError || fieldError(valueField) ? 'error-text' : 'muted'}>
            {valueError ??
              fieldError(valueField) ??
              (kind === 'reduction'
                ? 'The baseline is the covered suppliers’ baselines × hours in the period.'
                : 'The pulse compares the current rate with this ÷ hours in the period.')}
          </small>
        </label>
        <label className="field">
          <span>Name</span>
          <input
            className="input"
            placeholder="optional"
            maxLength={120}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
      </div>
      {serverError && !['input.scopeId', valueField].includes(serverError.field ?? '') && (
        <p className="error-text" role="alert">
          {serverError.message}
        </p>
      )}
      <div className="form__actions">
        <button
          className="btn btn--primary"
          type="submit"
          disabled={!canSubmit}
          title={allowed ? undefined : 'Needs the analyst, approver or admin role'}
        >
          Save goal
        </button>
        {!allowed && <span className="muted small">Sign in as analyst, approver or admin to set goals.</span>}
      </div>
    </form>
  );
}

export function GoalsPage() {
  const session = useSession();
  const allowed = hasRole(session, 'analyst+');
  const q = useQuery(GoalsQuery, { fetchPolicy: 'cache-and-network' });
  const [remove] = useMutation(DeleteGoal, { refetchQueries: [GoalsQuery] });
  const suppliers = useSuppliers();
  const { goal } = useDashboardGoal();
  const pulse = useQuery(PulseQuery).data?.emissionPulse;
  const approved = useQuery(ApprovedSavingsQuery).data?.recommendations.nodes ?? [];
  const saved = approved.reduce((s, r) => s + r.co2ImpactKg, 0);
  const goals = q.data?.goals ?? [];
  const target = goal?.targetKgPerHour ?? null;
  const required = goal?.requiredSavingsKg ?? null;

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Goals</h1>
          <p className="page-head__sub">Emission targets the dashboard measures against</p>
        </div>
      </div>
      <div className="grid grid--wide">
        <Card
          title="Goals"
          subtitle="Per scope and period; figures follow the current baselines"
          testId="goals-card"
          className="span-2"
        >
          <Async
            loading={q.loading}
            error={q.error}
            empty={!goals.length}
            emptyTitle="No goals yet"
            emptyHint="Set one below: the dashboard uses the all-emissions goal."
            retry={() => q.refetch()}
            skeleton={<Skeleton lines={3} />}
          >
            {() => (
              <table className="table" aria-label="Goals">
                <thead>
                  <tr>
                    <th>Goal</th>
                    <th>Covers</th>
                    <th>Target</th>
                    <th>Baseline</th>
                    <th>Per hour</th>
                    <th>Reduction needed</th>
                    <th>Updated</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {goals.map((g) => (
                    <tr key={g.id} data-testid="goal-row">
                      <td>
                        <strong>{g.name}</strong>
                        {g.id === goal?.id && (
                          <>
                            {' '}
                            <Chip tone="accent">dashboard</Chip>
                          </>
                        )}
                      </td>
                      <td>{scopeLabel(g, suppliers.byId)}</td>
                      <td>
                        {g.targetKg != null
                          ? `${kg(g.targetKg)} per ${g.period.toLowerCase()}`
                          : `−${pct(g.reductionPct)} vs baseline`}
                      </td>
                      <td>
                        {g.baselineKg != null ? (
                          `${kg(g.baselineKg)} per ${g.period.toLowerCase()}`
                        ) : (
                          <span className="muted">not computed yet</span>
                        )}
                      </td>
                      <td data-testid="goal-per-hour">
                        {g.targetKgPerHour != null ? `${kg(g.targetKgPerHour)}/h` : '—'}
                      </td>
                      <td>{kg(g.requiredSavingsKg)}</td>
                      <td className="small">
                        {ago(g.updatedAt)}
                        {g.updatedBy ? ` by ${g.updatedBy}` : ''}
                      </td>
                      <td>
                        {allowed && (
                          <button
                            type="button"
                            className="icon-btn"
                            aria-label={`Delete goal ${g.name}`}
                            onClick={async () => {
                              if (!confirm(`Delete the goal "${g.name}"?`)) return;
                              try {
                                await remove({ variables: { id: g.id } });
                              } catch (e) {
                                pushToast({ tone: 'critical', title: 'Could not delete', body: (e as Error).message });
                              }
                            }}
                          >
                            <Icon name="x" size={16} />
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Async>
        </Card>
        <Card title="New or changed goal" subtitle="One goal per scope and period: saving again replaces it (audited)">
          <GoalForm allowed={allowed} />
        </Card>
        <Card
          title="Progress"
          subtitle={goal ? `Against “${goal.name}” (per ${periodLabel(goal.period)})` : 'Live values from the graph'}
        >
          <div className="kpis kpis--stack">
            <div className="kpi">
              <span>Current rate</span>
              <strong>{pulse ? `${kg(pulse.kgPerHour)} CO2e/h` : '—'}</strong>
              {pulse && target ? (
                <Chip tone={pulse.kgPerHour > target ? 'critical' : 'ok'}>
                  {pulse.kgPerHour > target ? '+' : ''}
                  {pct(((pulse.kgPerHour - target) / target) * 100)} vs target of {kg(target)}/h
                </Chip>
              ) : (
                <span className="muted small">
                  {goal ? 'The goal’s baseline is not computed yet.' : 'Set an all-emissions goal to compare.'}
                </span>
              )}
            </div>
            <div className="kpi">
              <span>Saved by approved recommendations</span>
              <strong>{kg(saved)} CO2e</strong>
              {required !== null && (
                <Chip tone="accent">
                  {required === 0 ? 'no reduction needed' : `${pct((saved / required) * 100)} of ${kg(required)}`}
                </Chip>
              )}
            </div>
          </div>
        </Card>
      </div>
    </>
  );
}
