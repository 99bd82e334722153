// The dashboard's time window: presets (24 h / 7 d / 30 d, rolling, aligned to the hour so query variables stay
// stable for an hour) or a custom from/to.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export type Preset = '24h' | '7d' | '30d' | 'custom';
export const PRESET_HOURS: Record<Exclude<Preset, 'custom'>, number> = { '24h': 24, '7d': 168, '30d': 720 };

export interface Range {
  preset: Preset;
  from: string;
  to: string;
  /** Hours spanned. */
  hours: number;
  setPreset(p: Exclude<Preset, 'custom'>): void;
  setCustom(from: string, to: string): void;
}

const HOUR = 3_600_000;
/** End of the current hour: the current (partial) hour is included. */
export function hourCeil(t = Date.now()): number {
  return Math.ceil((t + 1) / HOUR) * HOUR;
}

const Ctx = createContext<Range | null>(null);

export function RangeProvider({ children }: { children: ReactNode }) {
  const [preset, setPresetState] = useState<Preset>('24h');
  const [custom, setCustomState] = useState<{ from: string; to: string } | null>(null);
  const [end, setEnd] = useState(() => hourCeil());
  useEffect(() => {
    const t = setInterval(() => setEnd(hourCeil()), 30_000);
    return () => clearInterval(t);
  }, []);
  const value = useMemo<Range>(() => {
    const base =
      preset === 'custom' && custom
        ? { from: custom.from, to: custom.to }
        : {
            from: new Date(end - PRESET_HOURS[preset === 'custom' ? '24h' : preset] * HOUR).toISOString(),
            to: new Date(end).toISOString(),
          };
    return {
      preset,
      ...base,
      hours: Math.max(1, Math.round((Date.parse(base.to) - Date.parse(base.from)) / HOUR)),
      setPreset: (p) => setPresetState(p),
      setCustom: (from, to) => {
        setCustomState({ from, to });
        setPresetState('custom');
      },
    };
  }, [preset, custom, end]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useRange(): Range {
  const r = useContext(Ctx);
  if (!r) throw new Error('useRange outside RangeProvider');
  return r;
}
