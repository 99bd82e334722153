// Partner webhook endpoints (the partners plugin): list with delivery stats, register (secret shown once), delete.
import { useState } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Card, Async, Chip, EmptyState, Icon, Skeleton, severityTone } from '../ui/ui.tsx';
import { ago } from '../lib/format.ts';
import { useSession } from '../lib/auth.ts';
import { pushToast } from '../lib/toasts.ts';

export const WebhooksQuery = graphql(`
  query Webhooks {
    webhooks { id url description events minLevel supplierIds createdAt stats { succeeded pending retrying dead } }
  }
`);

const RegisterWebhook = graphql(`
  mutation RegisterWebhook($url: String!, $events: [WebhookEventType!]!, $minLevel: Severity, $description: String) {
    registerWebhook(url: $url, events: $events, minLevel: $minLevel, description: $description) {
      secret
      webhook { id url }
    }
  }
`);

const DeleteWebhook = graphql(`
  mutation DeleteWebhook($id: ID!) {
    deleteWebhook(id: $id)
  }
`);

const EVENTS = [
  ['ALERT_RAISED', 'Alerts'],
  ['HOTSPOT_DETECTED', 'Hotspots detected'],
  ['HOTSPOT_RESOLVED', 'Hotspots resolved'],
  ['RECOMMENDATION_CREATED', 'New recommendations'],
  ['RECOMMENDATION_UPDATED', 'Recommendation decisions'],
] as const;
type EventType = (typeof EVENTS)[number][0];

export function WebhooksCard() {
  const session = useSession();
  const allowed = session.roles.some((r) => r === 'partner' || r === 'admin');
  const q = useQuery(WebhooksQuery, { skip: !allowed });
  const [register, reg] = useMutation(RegisterWebhook);
  const [remove] = useMutation(DeleteWebhook);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<EventType[]>(['ALERT_RAISED']);
  const [minLevel, setMinLevel] = useState<'INFO' | 'WARN' | 'CRITICAL'>('WARN');
  const [secret, setSecret] = useState<string | null>(null);
  const hooks = q.data?.webhooks ?? [];

  return (
    <Card
      title="Partner webhooks"
      subtitle="Signed deliveries (Standard Webhooks) to partner endpoints"
      testId="webhooks-card"
      className="span-2"
    >
      {!allowed ? (
        <EmptyState icon="shield" title="Partner or admin role needed">
          Sign in as <strong>partner</strong> or <strong>admin</strong> to list and register webhook endpoints.
        </EmptyState>
      ) : (
        <div className="webhooks">
          <Async
            loading={q.loading}
            error={q.error}
            empty={!hooks.length}
            emptyTitle="No endpoints registered"
            emptyHint="Register one below."
            retry={() => q.refetch()}
            skeleton={<Skeleton lines={3} />}
          >
            {() => (
              <table className="table" aria-label="Webhook endpoints">
                <thead>
                  <tr>
                    <th>Endpoint</th>
                    <th>Events</th>
                    <th>Min level</th>
                    <th>Deliveries</th>
                    <th>Created</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {hooks.map((h) => (
                    <tr key={h.id} data-testid="webhook-row">
                      <td>
                        <code>{h.url}</code>
                        {h.description && <div className="muted small">{h.description}</div>}
                      </td>
                      <td>{h.events.map((e) => e.toLowerCase().replace(/_/g, ' ')).join(', ')}</td>
                      <td>
                        <Chip tone={severityTone(h.minLevel)}>{h.minLevel.toLowerCase()}</Chip>
                      </td>
                      <td className="small">
                        <span title="succeeded">✓ {h.stats.succeeded}</span> ·{' '}
                        <span title="pending or retrying">⟳ {h.stats.pending + h.stats.retrying}</span> ·{' '}
                        <span title="dead letters">✕ {h.stats.dead}</span>
                      </td>
                      <td>{ago(h.createdAt)}</td>
                      <td>
                        <button
                          type="button"
                          className="icon-btn"
                          aria-label={`Delete webhook ${h.url}`}
                          onClick={async () => {
                            if (!confirm(`Delete the webhook ${h.url}? Pending deliveries are cancelled.`)) return;
                            try {
                              await remove({ variables: { id: h.id } });
                              await q.refetch();
                            } catch (e) {
                              pushToast({ tone: 'critical', title: 'Could not delete', body: (e as Error).message });
                            }
                          }}
                        >
                          <Icon name="x" size={16} />
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Async>
          <form
            className="form webhooks__form"
            onSubmit={async (e) => {
              e.preventDefault();
              try {
                const r = await register({
                  variables: { url: url.trim(), events, minLevel, description: description.trim() || null },
                });
                setSecret(r.data?.registerWebhook.secret ?? null);
                setUrl('');
                setDescription('');
                await q.refetch();
              } catch {
                /* shown below */
              }
            }}
          >
            <h3 className="form__title">Register an endpoint</h3>
            <div className="form__row">
              <label className="field">
                <span>HTTPS URL</span>
                <input
                  className="input"
                  type="url"
                  required
                  placeholder="https://partner.example.com/hooks/carbon"
                  value={url}
                  onChange={(e) => setUrl(e.target.value)}
                />
              </label>
              <label className="field">
                <span>Description</span>
                <input
                  className="input"
                  placeholder="optional"
                  value={description}
                  onChange={(e) => setDescription(e.target.value)}
                />
              </label>
            </div>
            <fieldset className="field fieldset">
              <legend>Events</legend>
              <div className="checks">
                {EVENTS.map(([v, l]) => (
                  <label key={v} className="check">
                    <input
                      type="checkbox"
                      checked={events.includes(v)}
                      onChange={(e) =>
                        setEvents((cur) => (e.target.checked ? [...cur, v] : cur.filter((x) => x !== v)))
                      }
                    />
                    {l}
                  </label>
                ))}
              </div>
            </fieldset>
            <div className="form__row">
              <label className="field">
                <span>Minimum level</span>
                <select
                  className="input"
                  value={minLevel}
                  onChange={(e) => setMinLevel(e.target.value as typeof minLevel)}
                >
                  <option value="INFO">info</option>
                  <option value="WARN">warn</option>
                  <option value="CRITICAL">critical</option>
                </select>
              </label>
              <div className="form__actions form__actions--end">
                <button
                  className="btn btn--primary"
                  type="submit"
                  disabled={!url.trim() || !events.length || reg.loading}
                >
                  Register
                </button>
              </div>
            </div>
            {reg.error && <p className="error-text">{reg.error.graphQLErrors[0]?.message ?? reg.error.message}</p>}
            {secret && (
              <p className="secret" role="status">
                Signing secret (shown once — store it now): <code data-testid="webhook-secret">{secret}</code>
              </p>
            )}
          </form>
        </div>
      )}
    </Card>
  );
}
