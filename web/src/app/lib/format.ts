// Number and time formatting (units always explicit: kg CO2e, t CO2e).
export function kg(v: number | null | undefined, digits?: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 10_000) return `${(v / 1000).toLocaleString('en-GB', { maximumFractionDigits: 1 })} t`;
  const d = digits ?? (a >= 100 ? 0 : a >= 10 ? 1 : 2);
  return `${v.toLocaleString('en-GB', { maximumFractionDigits: d, minimumFractionDigits: 0 })} kg`;
}

export function num(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v.toLocaleString('en-GB', { maximumFractionDigits: digits });
}

export function pct(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${v.toLocaleString('en-GB', { maximumFractionDigits: digits })}%`;
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (s < 0) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export function time(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit' });
}

export function hourLabel(iso: string): string {
  return new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

export function titleCase(s: string): string {
  return s.toLowerCase().replace(/(^|[\s_-])(\w)/g, (_m, p, c: string) => (p === '_' ? ' ' : p) + c.toUpperCase());
}

export const CATEGORY_COLORS: Record<string, string> = {
  transport: '#0f766e',
  factory: '#f59e0b',
  warehouse: '#6366f1',
  delivery: '#ec4899',
};
export function categoryColor(c: string): string {
  return CATEGORY_COLORS[c.toLowerCase()] ?? '#64748b';
}
