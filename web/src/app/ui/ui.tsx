// Shared building blocks: cards, skeletons, empty/error states, chips, buttons, modal, icons.
import { useEffect, useId, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import type { ApolloError } from '@apollo/client';

export function Card(props: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
  live?: boolean;
}) {
  const id = useId();
  return (
    <section className={`card ${props.className ?? ''}`} aria-labelledby={id} data-testid={props.testId}>
      <header className="card__head">
        <div>
          <h2 id={id} className="card__title">
            {props.title}
            {props.live && <span className="live-dot" title="Updates live" aria-label="live" />}
          </h2>
          {props.subtitle && <p className="card__subtitle">{props.subtitle}</p>}
        </div>
        {props.actions && <div className="card__actions">{props.actions}</div>}
      </header>
      <div className="card__body">{props.children}</div>
    </section>
  );
}

export function Skeleton({ lines = 3, height }: { lines?: number; height?: number }) {
  if (height) return <div className="skeleton" style={{ height }} aria-busy="true" aria-label="Loading" />;
  return (
    <div aria-busy="true" aria-label="Loading" className="skeleton-stack">
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} className="skeleton skeleton--line" style={{ width: `${90 - i * 12}%` }} />
      ))}
    </div>
  );
}

export function EmptyState({
  icon = 'leaf',
  title,
  children,
}: {
  icon?: IconName;
  title: string;
  children?: ReactNode;
}) {
  return (
    <div className="state state--empty" role="status">
      <Icon name={icon} size={28} />
      <strong>{title}</strong>
      {children && <span>{children}</span>}
    </div>
  );
}

export function ErrorState({ error, retry }: { error: ApolloError | Error; retry?: () => void }) {
  const message =
    (error as ApolloError).graphQLErrors?.[0]?.message ?? (error as ApolloError).networkError?.message ?? error.message;
  return (
    <div className="state state--error" role="alert">
      <Icon name="alert" size={24} />
      <strong>Could not load</strong>
      <span className="state__detail">{message}</span>
      {retry && (
        <button type="button" className="btn btn--ghost btn--sm" onClick={() => retry()}>
          Retry
        </button>
      )}
    </div>
  );
}

/** A note under content that did load while part of it did not (e.g. one subgraph unreachable). */
export function PartialError({ error, what }: { error?: ApolloError | Error; what: string }) {
  if (!error) return null;
  const message =
    (error as ApolloError).graphQLErrors?.[0]?.message ?? (error as ApolloError).networkError?.message ?? error.message;
  return (
    <p className="partial-error small" role="status" data-testid="partial-error">
      <Icon name="alert" size={14} /> {what} could not be loaded: {message}
    </p>
  );
}

/** Loading / error / empty / content in one place. */
export function Async(props: {
  loading: boolean;
  error?: ApolloError | Error;
  empty: boolean;
  emptyTitle: string;
  emptyHint?: ReactNode;
  retry?: () => void;
  skeleton?: ReactNode;
  children: () => ReactNode;
}) {
  if (props.error && props.empty) return <ErrorState error={props.error} retry={props.retry} />;
  if (props.loading && props.empty) return <>{props.skeleton ?? <Skeleton />}</>;
  if (props.empty) return <EmptyState title={props.emptyTitle}>{props.emptyHint}</EmptyState>;
  return <>{props.children()}</>;
}

export function Chip({
  tone,
  children,
  title,
}: {
  tone: 'critical' | 'warn' | 'info' | 'ok' | 'neutral' | 'accent';
  children: ReactNode;
  title?: string;
}) {
  return (
    <span className={`chip chip--${tone}`} title={title}>
      {children}
    </span>
  );
}

export function severityTone(s: string): 'critical' | 'warn' | 'info' {
  return s === 'CRITICAL' ? 'critical' : s === 'WARN' ? 'warn' : 'info';
}

/** A button that, when not allowed, stays focusable and explains why (tooltip + aria-disabled). */
export function GuardedButton(props: {
  allowed: boolean;
  reason: string;
  onClick: () => void;
  className?: string;
  children: ReactNode;
  label: string;
  busy?: boolean;
}) {
  const disabled = !props.allowed || props.busy;
  return (
    <span className="guard" data-tip={props.allowed ? undefined : props.reason}>
      <button
        type="button"
        className={props.className ?? 'btn'}
        aria-label={props.label}
        aria-disabled={disabled || undefined}
        title={props.allowed ? props.label : props.reason}
        onClick={() => {
          if (!disabled) props.onClick();
        }}
      >
        {props.children}
      </button>
    </span>
  );
}

/**
 * A button that opens a small panel of details beside it (click or Enter; Escape or a click elsewhere closes it).
 * The panel opens towards the side with room, so it never pushes the page wider.
 */
export function Popover(props: {
  label: string;
  trigger: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
  panelTestId?: string;
}) {
  const [open, setOpen] = useState(false);
  const [flip, setFlip] = useState(false);
  const id = useId();
  const root = useRef<HTMLSpanElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        setOpen(false);
      }
    };
    document.addEventListener('mousedown', onDown);
    root.current?.addEventListener('keydown', onKey);
    const el = root.current;
    return () => {
      document.removeEventListener('mousedown', onDown);
      el?.removeEventListener('keydown', onKey);
    };
  }, [open]);
  // Anchored at the trigger's right edge; flipped to its left edge when that would leave the viewport.
  useLayoutEffect(() => {
    if (!open || !panel.current) return;
    const r = panel.current.getBoundingClientRect();
    if (!flip && r.left < 8) setFlip(true);
  }, [open, flip]);
  return (
    <span className="pop" ref={root}>
      <button
        type="button"
        className={props.className ?? 'chip chip--neutral chip--button'}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={props.label}
        title={props.label}
        data-testid={props.testId}
        onClick={() => {
          setFlip(false);
          setOpen((o) => !o);
        }}
      >
        {props.trigger}
      </button>
      {open && (
        <div
          ref={panel}
          id={id}
          role="dialog"
          aria-label={props.label}
          className={`pop__panel ${flip ? 'pop__panel--left' : ''}`}
          data-testid={props.panelTestId}
        >
          {props.children}
        </div>
      )}
    </span>
  );
}

export function Modal(props: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const id = useId();
  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    const el = ref.current;
    el?.querySelector<HTMLElement>('input, select, button, textarea, [tabindex]')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') props.onClose();
      if (e.key === 'Tab' && el) {
        const f = [
          ...el.querySelectorAll<HTMLElement>(
            'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])',
          ),
        ].filter((x) => !x.hasAttribute('disabled'));
        if (!f.length) return;
        if (e.shiftKey && document.activeElement === f[0]) {
          e.preventDefault();
          f[f.length - 1].focus();
        } else if (!e.shiftKey && document.activeElement === f[f.length - 1]) {
          e.preventDefault();
          f[0].focus();
        }
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      prev?.focus?.();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return createPortal(
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}>
      <div
        ref={ref}
        className={`modal ${props.wide ? 'modal--wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={id}
        data-testid={props.testId}
      >
        <header className="modal__head">
          <h2 id={id}>{props.title}</h2>
          <button type="button" className="icon-btn" aria-label="Close dialog" onClick={props.onClose}>
            <Icon name="close" />
          </button>
        </header>
        <div className="modal__body">{props.children}</div>
      </div>
    </div>,
    document.body,
  );
}

export type IconName =
  | 'home'
  | 'activity'
  | 'goal'
  | 'settings'
  | 'upload'
  | 'leaf'
  | 'alert'
  | 'close'
  | 'up'
  | 'down'
  | 'flat'
  | 'check'
  | 'x'
  | 'bolt'
  | 'flask'
  | 'user'
  | 'calendar'
  | 'truck'
  | 'factory'
  | 'warehouse'
  | 'box'
  | 'shield'
  | 'spark';

const PATHS: Record<IconName, string> = {
  home: 'M3 11l9-7 9 7v9a1 1 0 0 1-1 1h-5v-6h-6v6H4a1 1 0 0 1-1-1z',
  activity: 'M3 12h4l3-8 4 16 3-8h4',
  goal: 'M12 21a9 9 0 1 1 0-18 9 9 0 0 1 0 18zm0-4a5 5 0 1 0 0-10 5 5 0 0 0 0 10zm0-3a2 2 0 1 0 0-4 2 2 0 0 0 0 4z',
  settings:
    'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm8-3l2-1-2-4-2 .5a7 7 0 0 0-1.5-1L16 4h-4l-.5 2.5a7 7 0 0 0-1.5 1L8 7 6 11l2 1a7 7 0 0 0 0 2l-2 1 2 4 2-.5c.5.4 1 .8 1.5 1L12 22h4l.5-2.5c.5-.2 1-.6 1.5-1l2 .5 2-4-2-1a7 7 0 0 0 0-2z',
  upload: 'M12 16V4m0 0l-5 5m5-5l5 5M4 20h16',
  leaf: 'M5 19c0-8 6-14 15-14 0 9-6 15-14 15-.5 0-1 0-1-1zm0 0l7-7',
  alert: 'M12 3l10 18H2zm0 6v5m0 3v.5',
  close: 'M6 6l12 12M18 6L6 18',
  up: 'M12 19V5m0 0l-6 6m6-6l6 6',
  down: 'M12 5v14m0 0l-6-6m6 6l6-6',
  flat: 'M5 12h14m0 0l-5-5m5 5l-5 5',
  check: 'M5 12l5 5 9-10',
  x: 'M6 6l12 12M18 6L6 18',
  bolt: 'M13 2L4 14h7l-1 8 9-12h-7z',
  flask: 'M9 3h6m-5 0v6L4 20a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1L14 9V3',
  user: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-8 9a8 8 0 0 1 16 0',
  calendar: 'M4 6h16v14H4zm0 4h16M8 3v4m8-4v4',
  truck: 'M2 6h11v10H2zm11 4h5l3 3v3h-8M6 19a2 2 0 1 0 0-4 2 2 0 0 0 0 4zm11 0a2 2 0 1 0 0-4 2 2 0 0 0 0 4z',
  factory: 'M3 21V10l6 4V10l6 4V4h6v17z',
  warehouse: 'M3 21V9l9-5 9 5v12M7 21v-8h10v8',
  box: 'M3 7l9-4 9 4v10l-9 4-9-4zm0 0l9 4 9-4m-9 4v10',
  shield: 'M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z',
  spark: 'M12 3v4m0 10v4M3 12h4m10 0h4M6 6l2.5 2.5m7 7L18 18M6 18l2.5-2.5m7-7L18 6',
};

export function Icon({ name, size = 18, label }: { name: IconName; size?: number; label?: string }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.9}
      strokeLinecap="round"
      strokeLinejoin="round"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
      className="icon"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}

export function categoryIcon(c: string): IconName {
  const k = c.toLowerCase();
  return k === 'transport' ? 'truck' : k === 'factory' ? 'factory' : k === 'warehouse' ? 'warehouse' : 'box';
}
