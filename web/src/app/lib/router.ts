// Client routing by location.pathname (history.pushState); the gateway serves index.html for unknown HTML GETs.
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};
if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export function navigate(path: string) {
  if (path === location.pathname) return;
  history.pushState(null, '', path);
  window.scrollTo?.(0, 0);
  notify();
}

export function usePath(): string {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => location.pathname,
  );
}
