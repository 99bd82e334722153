// In-page signal bus for subscription events: the LiveBridge publishes, widgets refetch their aggregates.
import { useEffect, useRef } from 'react';

export type LiveTopic = 'pulse' | 'hotspot' | 'alert' | 'recommendation';
type Listener = (payload: unknown) => void;
const listeners = new Map<LiveTopic, Set<Listener>>();

export function emitLive(topic: LiveTopic, payload?: unknown) {
  for (const l of listeners.get(topic) ?? []) l(payload);
}

/** Calls `fn` on each event of the topics, at most once per `throttleMs` (trailing call kept). */
export function useLive(topics: LiveTopic[], fn: () => void, throttleMs = 1500) {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const key = topics.join(',');
  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const run = () => {
      last = Date.now();
      timer = null;
      fnRef.current();
    };
    const l: Listener = () => {
      const wait = last + throttleMs - Date.now();
      if (wait <= 0) run();
      else if (!timer) timer = setTimeout(run, wait);
    };
    const ts = key.split(',') as LiveTopic[];
    for (const t of ts) {
      if (!listeners.has(t)) listeners.set(t, new Set());
      listeners.get(t)!.add(l);
    }
    return () => {
      if (timer) clearTimeout(timer);
      for (const t of ts) listeners.get(t)?.delete(l);
    };
  }, [key, throttleMs]);
}
