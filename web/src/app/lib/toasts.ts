// Transient notifications (alerts popping in from the alertRaised subscription, action results).
import { useSyncExternalStore } from 'react';

export interface Toast {
  id: number;
  tone: 'critical' | 'warn' | 'info' | 'ok';
  title: string;
  body?: string;
}
let toasts: Toast[] = [];
let seq = 0;
const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};

export function pushToast(t: Omit<Toast, 'id'>, ttlMs = 8000) {
  const id = ++seq;
  toasts = [...toasts.slice(-3), { ...t, id }];
  notify();
  setTimeout(() => dismissToast(id), ttlMs);
}
export function dismissToast(id: number) {
  toasts = toasts.filter((t) => t.id !== id);
  notify();
}
export function useToasts(): Toast[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => toasts,
  );
}
