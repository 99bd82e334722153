// Dev sign-in: POST /auth/dev-token {role} -> a bearer token kept in localStorage (the explorer reads the same key).
import { useSyncExternalStore } from 'react';

export const TOKEN_KEY = 'carbon-nexus-token';
export const ROLES = ['viewer', 'analyst', 'approver', 'admin', 'partner'] as const;
export type Role = (typeof ROLES)[number];

export interface Session {
  token: string | null;
  sub: string | null;
  roles: string[];
}

function decode(token: string | null): Session {
  if (!token) return { token: null, sub: null, roles: [] };
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return {
      token,
      sub: String(payload.sub ?? ''),
      roles: Array.isArray(payload.roles) ? payload.roles.map(String) : [],
    };
  } catch {
    return { token, sub: null, roles: [] };
  }
}

let session: Session = decode(localStorage.getItem(TOKEN_KEY));
const listeners = new Set<() => void>();

export function getSession(): Session {
  return session;
}

export function setToken(token: string | null) {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
  session = decode(token);
  for (const l of listeners) l();
}

export function useSession(): Session {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => session,
  );
}

/** admin passes every role check, as on the server. */
export function hasRole(s: Session, role: Role | 'analyst+'): boolean {
  if (s.roles.includes('admin')) return true;
  if (role === 'analyst+') return s.roles.some((r) => r === 'analyst' || r === 'approver');
  return s.roles.includes(role);
}

export async function devSignIn(role: Role): Promise<void> {
  const res = await fetch('/auth/dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role }),
  });
  const body = (await res.json().catch(() => ({}))) as { token?: string; error?: string };
  if (!res.ok || !body.token) throw new Error(body.error ?? `sign-in failed (HTTP ${res.status})`);
  setToken(body.token);
}

export function signOut() {
  setToken(null);
}
