// Hotspot severity thresholds (orchestration `hotspotSettings` / `updateHotspotSettings`, admin only): percent above
// baseline at which a hotspot is INFO, WARN or CRITICAL. Saved values apply from the next detection cycle.
import { useEffect, useState } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Card, Async, Chip, Skeleton } from '../ui/ui.tsx';
import { ago } from '../lib/format.ts';
import { hasRole, useSession } from '../lib/auth.ts';
import { pushToast } from '../lib/toasts.ts';

export const HotspotSettingsQuery = graphql(`
  query HotspotSettings {
    hotspotSettings {
      thresholds { entityType info warn critical source updatedBy updatedAt }
      entityTypes
      windowMinutes
    }
  }
`);

const UpdateHotspotSettings = graphql(`
  mutation UpdateHotspotSettings($input: HotspotSettingsInput!) {
    updateHotspotSettings(input: $input) {
      thresholds { entityType info warn critical source updatedBy updatedAt }
      entityTypes
      windowMinutes
    }
  }
`);

const LEVELS = [
  ['info', 'INFO from (%)'],
  ['warn', 'WARN from (%)'],
  ['critical', 'CRITICAL from (%)'],
] as const;
type Level = (typeof LEVELS)[number][0];
type Values = Record<Level, string>;

/** Client-side checks mirroring the server's (0..10000, info < warn < critical); messages per field. */
function validate(v: Values): Partial<Record<Level, string>> {
  const out: Partial<Record<Level, string>> = {};
  const n = (k: Level) => Number(v[k]);
  for (const [k] of LEVELS) {
    if (v[k].trim() === '' || !Number.isFinite(n(k))) out[k] = 'Enter a number.';
    else if (n(k) < 0 || n(k) > 10_000) out[k] = 'Enter 0 to 10,000 percent.';
  }
  if (!out.info && !out.warn && !(n('info') < n('warn'))) out.warn = `Must be above INFO (${v.info}%).`;
  if (!out.warn && !out.critical && !(n('warn') < n('critical'))) out.critical = `Must be above WARN (${v.warn}%).`;
  return out;
}

export function HotspotThresholdsCard() {
  const session = useSession();
  const isAdmin = hasRole(session, 'admin');
  const q = useQuery(HotspotSettingsQuery);
  const [save, saving] = useMutation(UpdateHotspotSettings);
  const [entityType, setEntityType] = useState('default');
  const current =
    q.data?.hotspotSettings.thresholds.find((t) => t.entityType === entityType) ??
    q.data?.hotspotSettings.thresholds.find((t) => t.entityType === 'default');
  const [values, setValues] = useState<Values>({ info: '', warn: '', critical: '' });
  const [serverError, setServerError] = useState<string | null>(null);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  useEffect(() => {
    if (current)
      setValues({ info: String(current.info), warn: String(current.warn), critical: String(current.critical) });
  }, [current?.entityType, current?.info, current?.warn, current?.critical]);
  const errors = validate(values);
  const dirty =
    !!current &&
    (Number(values.info) !== current.info ||
      Number(values.warn) !== current.warn ||
      Number(values.critical) !== current.critical);
  const s = q.data?.hotspotSettings;
  const ownValues = s?.thresholds.some((t) => t.entityType === entityType);

  return (
    <Card
      title="Hotspot thresholds"
      subtitle={`Percent above baseline at which a hotspot is raised at each severity${q.data ? ` · detection window ${q.data.hotspotSettings.windowMinutes} min` : ''}`}
      testId="hotspot-thresholds-card"
    >
      <Async
        loading={q.loading}
        error={q.error}
        empty={!s}
        emptyTitle="Not available"
        retry={() => q.refetch()}
        skeleton={<Skeleton lines={4} />}
      >
        {() => (
          <form
            className="form"
            aria-label="Hotspot thresholds"
            onSubmit={async (e) => {
              e.preventDefault();
              if (!isAdmin || Object.keys(errors).length || !dirty) return;
              setServerError(null);
              try {
                await save({
                  variables: {
                    input: {
                      thresholds: [
                        {
                          entityType,
                          info: Number(values.info),
                          warn: Number(values.warn),
                          critical: Number(values.critical),
                        },
                      ],
                    },
                  },
                });
                await q.refetch();
                setSavedAt(new Date().toISOString());
                pushToast(
                  { tone: 'ok', title: 'Thresholds saved', body: 'They apply from the next detection cycle.' },
                  3000,
                );
              } catch (err) {
                setServerError(
                  (err as { graphQLErrors?: { message: string }[] }).graphQLErrors?.[0]?.message ??
                    (err as Error).message,
                );
              }
            }}
          >
            <div className="form__row">
              <label className="field">
                <span>Applies to</span>
                <select
                  className="input"
                  value={entityType}
                  onChange={(e) => (setEntityType(e.target.value), setSavedAt(null))}
                  aria-label="Entity type"
                >
                  <option value="default">Every entity type (default)</option>
                  {['supplier', 'event_type', 'route'].map((t) => (
                    <option key={t} value={t}>
                      {t.replace('_', ' ')}s{s!.entityTypes.includes(t) ? '' : ' (not detected)'}
                    </option>
                  ))}
                </select>
              </label>
              <div className="field">
                <span>Source</span>
                <div>
                  {current && ownValues ? (
                    <Chip
                      tone={current.source === 'SETTINGS' ? 'accent' : 'neutral'}
                      title={current.updatedBy ? `by ${current.updatedBy}` : undefined}
                    >
                      {current.source === 'SETTINGS'
                        ? `saved ${current.updatedAt ? ago(current.updatedAt) : ''}${current.updatedBy ? ` by ${current.updatedBy}` : ''}`
                        : current.source === 'ENVIRONMENT'
                          ? 'HOTSPOT_THRESHOLDS setting'
                          : 'built-in defaults'}
                    </Chip>
                  ) : (
                    <Chip tone="neutral">uses the default thresholds</Chip>
                  )}
                </div>
              </div>
            </div>
            <div className="thresholds__scale" aria-hidden="true">
              <span style={{ flex: Math.max(1, Number(values.info) || 0), background: '#e6f4f1' }} />
              <span
                style={{
                  flex: Math.max(1, (Number(values.warn) || 0) - (Number(values.info) || 0)),
                  background: '#38bdf8',
                }}
              />
              <span
                style={{
                  flex: Math.max(1, (Number(values.critical) || 0) - (Number(values.warn) || 0)),
                  background: '#f59e0b',
                }}
              />
              <span style={{ flex: Math.max(1, (Number(values.critical) || 0) / 2), background: '#ef4444' }} />
            </div>
            <div className="thresholds__grid">
              {LEVELS.map(([k, label]) => (
                <label key={k} className="field">
                  <span>{label}</span>
                  <input
                    className="input"
                    inputMode="decimal"
                    value={values[k]}
                    readOnly={!isAdmin}
                    onChange={(e) => (
                      setValues((v) => ({ ...v, [k]: e.target.value })), setSavedAt(null), setServerError(null)
                    )}
                    aria-invalid={!!errors[k]}
                    aria-describedby={`thr-${k}-help`}
                    data-testid={`threshold-${k}`}
                  />
                  <small id={`thr-${k}-help`} className={errors[k] ? 'error-text' : 'muted'}>
                    {errors[k] ??
                      (k === 'info'
                        ? 'Lowest level: below it a hotspot resolves.'
                        : k === 'warn'
                          ? 'Above INFO.'
                          : 'Above WARN.')}
                  </small>
                </label>
              ))}
            </div>
            {serverError && (
              <p className="error-text" role="alert">
                {serverError}
              </p>
            )}
            <div className="form__actions">
              {isAdmin ? (
                <button
                  className="btn btn--primary"
                  type="submit"
                  disabled={!dirty || !!Object.keys(errors).length || saving.loading}
                  data-testid="thresholds-save"
                >
                  {saving.loading ? 'Saving…' : 'Save thresholds'}
                </button>
              ) : (
                <span className="muted small">Only an admin can change thresholds.</span>
              )}
              {savedAt && !dirty && (
                <span role="status" data-testid="thresholds-saved">
                  <Chip tone="ok">Saved · applies from the next detection cycle</Chip>
                </span>
              )}
            </div>
          </form>
        )}
      </Async>
    </Card>
  );
}
