// Left navigation, top bar (date range, connection status, sign-in) and the toast region.
import { useEffect, useState, type ReactNode } from 'react';
import { Icon, type IconName } from './ui/ui.tsx';
import { navigate, usePath } from './lib/router.ts';
import { useRange, type Preset } from './lib/range.tsx';
import { useConnectionStatus } from './lib/apollo.ts';
import { devSignIn, ROLES, signOut, useSession, type Role } from './lib/auth.ts';
import { dismissToast, pushToast, useToasts } from './lib/toasts.ts';

const NAV: { path: string; label: string; icon: IconName }[] = [
  { path: '/', label: 'Home', icon: 'home' },
  { path: '/activity', label: 'Activity', icon: 'activity' },
  { path: '/goals', label: 'Goals', icon: 'goal' },
  { path: '/settings', label: 'Settings', icon: 'settings' },
  { path: '/import', label: 'CSV import', icon: 'upload' },
];

export function AppShell({ children }: { children: ReactNode }) {
  const path = usePath();
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <div className="sidebar-col">
        <nav className="sidebar" aria-label="Main">
          <div className="brand" aria-label="Carbon Nexus">
            <span className="brand__mark">
              <Icon name="leaf" size={20} />
            </span>
            <span className="brand__name">Carbon Nexus</span>
          </div>
          <ul>
            {NAV.map((n) => (
              <li key={n.path}>
                <a
                  href={n.path}
                  className={`nav-link ${path === n.path ? 'is-active' : ''}`}
                  aria-current={path === n.path ? 'page' : undefined}
                  onClick={(e) => {
                    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                    e.preventDefault();
                    navigate(n.path);
                  }}
                >
                  <Icon name={n.icon} />
                  <span>{n.label}</span>
                </a>
              </li>
            ))}
          </ul>
          <a className="nav-link nav-link--foot" href="/graphql" target="_blank" rel="noreferrer">
            <Icon name="spark" />
            <span>GraphQL explorer</span>
          </a>
        </nav>
      </div>
      <div className="main">
        <header className="topbar">
          <DateRangePicker />
          <div className="topbar__right">
            <ConnectionPill />
            <Profile />
          </div>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </div>
      <Toasts />
    </div>
  );
}

const toLocalInput = (iso: string) => {
  const d = new Date(iso);
  const off = d.getTimezoneOffset() * 60_000;
  return new Date(d.getTime() - off).toISOString().slice(0, 16);
};

function DateRangePicker() {
  const range = useRange();
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState(toLocalInput(range.from));
  const [to, setTo] = useState(toLocalInput(range.to));
  const valid = from && to && Date.parse(from) < Date.parse(to);
  const presets: [Exclude<Preset, 'custom'>, string][] = [
    ['24h', '24 h'],
    ['7d', '7 d'],
    ['30d', '30 d'],
  ];
  return (
    <div className="range" role="group" aria-label="Date range">
      <Icon name="calendar" />
      <div className="segmented">
        {presets.map(([p, l]) => (
          <button
            type="button"
            key={p}
            className={range.preset === p ? 'is-active' : ''}
            aria-pressed={range.preset === p}
            onClick={() => range.setPreset(p)}
          >
            {l}
          </button>
        ))}
        <button
          type="button"
          className={range.preset === 'custom' ? 'is-active' : ''}
          aria-pressed={range.preset === 'custom'}
          aria-expanded={open}
          onClick={() => {
            setFrom(toLocalInput(range.from));
            setTo(toLocalInput(range.to));
            setOpen((o) => !o);
          }}
        >
          Custom
        </button>
      </div>
      {range.preset === 'custom' && (
        <span className="range__label">
          {new Date(range.from).toLocaleString('en-GB', {
            day: '2-digit',
            month: 'short',
            hour: '2-digit',
            minute: '2-digit',
          })}{' '}
          –{' '}
          {new Date(range.to).toLocaleString('en-GB', {
            day: '2-digit',
            month: 'short',
            hour: '2-digit',
            minute: '2-digit',
          })}
        </span>
      )}
      {open && (
        <form
          className="popover"
          onSubmit={(e) => {
            e.preventDefault();
            if (!valid) return;
            range.setCustom(new Date(from).toISOString(), new Date(to).toISOString());
            setOpen(false);
          }}
          onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
        >
          <label className="field">
            <span>From</span>
            <input
              className="input"
              type="datetime-local"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              autoFocus
            />
          </label>
          <label className="field">
            <span>To</span>
            <input className="input" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          {!valid && <small className="error-text">"From" must be before "To".</small>}
          <div className="form__actions">
            <button type="button" className="btn btn--ghost btn--sm" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" className="btn btn--primary btn--sm" disabled={!valid}>
              Apply
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

function ConnectionPill() {
  const s = useConnectionStatus();
  const label =
    s === 'live' ? 'Live' : s === 'offline' ? 'Offline' : s === 'connecting' ? 'Connecting' : 'Reconnecting…';
  return (
    <span
      className={`pill pill--${s}`}
      role="status"
      aria-live="polite"
      data-testid="connection-pill"
      data-status={s}
      title="Live updates (GraphQL subscriptions)"
    >
      <span className="pill__dot" aria-hidden="true" />
      {label}
    </span>
  );
}

function Profile() {
  const session = useSession();
  const [role, setRole] = useState<Role>((session.roles[0] as Role) ?? 'analyst');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (session.roles[0]) setRole(session.roles[0] as Role);
  }, [session.roles]);
  const signIn = async (r: Role) => {
    setBusy(true);
    try {
      await devSignIn(r);
      pushToast({ tone: 'ok', title: `Signed in as ${r}` }, 3000);
    } catch (e) {
      pushToast({ tone: 'critical', title: 'Sign-in failed', body: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="profile">
      <label className="sr-only" htmlFor="role-select">
        Role
      </label>
      <select
        id="role-select"
        className="input input--sm"
        value={role}
        onChange={(e) => setRole(e.target.value as Role)}
        aria-label="Role for dev sign-in"
        data-testid="role-select"
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="btn btn--light btn--sm"
        onClick={() => void signIn(role)}
        disabled={busy}
        data-testid="sign-in"
      >
        Sign in
      </button>
      {session.token ? (
        <button
          type="button"
          className="avatar"
          onClick={() => signOut()}
          title={`Signed in as ${session.sub} (${session.roles.join(', ')}). Click to sign out.`}
          aria-label={`Signed in as ${session.sub}, roles ${session.roles.join(', ')}. Sign out`}
          data-testid="profile"
        >
          <Icon name="user" size={16} />
          <span className="avatar__text">
            <strong>{session.sub}</strong>
            <small data-testid="profile-role">{session.roles.join(', ')}</small>
          </span>
        </button>
      ) : (
        <span className="avatar avatar--anon">
          <Icon name="user" size={16} />
          <span className="avatar__text">
            <strong>Not signed in</strong>
          </span>
        </span>
      )}
    </div>
  );
}

function Toasts() {
  const toasts = useToasts();
  return (
    <div className="toasts" aria-live="assertive" role="region" aria-label="Notifications">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast--${t.tone}`} role="status" data-testid="toast">
          <Icon name={t.tone === 'critical' || t.tone === 'warn' ? 'alert' : t.tone === 'ok' ? 'check' : 'bolt'} />
          <div>
            <strong>{t.title}</strong>
            {t.body && <p>{t.body}</p>}
          </div>
          <button
            type="button"
            className="icon-btn"
            aria-label="Dismiss notification"
            onClick={() => dismissToast(t.id)}
          >
            <Icon name="close" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
