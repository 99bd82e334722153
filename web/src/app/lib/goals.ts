// Goals (targets). The graph has no goals API yet, so targets are kept in this browser (localStorage).
import { useSyncExternalStore } from 'react';

export interface Goals {
  /** Target emission rate, kg CO2e per hour (the pulse's delta vs target). */
  targetKgPerHour: number | null;
  /** Savings goal, kg CO2e avoided through approved recommendations. */
  savingsGoalKg: number | null;
}

const KEY = 'carbon-nexus-goals';
const listeners = new Set<() => void>();

function read(): Goals {
  try {
    const g = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);
    return { targetKgPerHour: num(g.targetKgPerHour), savingsGoalKg: num(g.savingsGoalKg) };
  } catch {
    return { targetKgPerHour: null, savingsGoalKg: null };
  }
}

let goals = read();

export function saveGoals(next: Goals) {
  localStorage.setItem(KEY, JSON.stringify(next));
  goals = read();
  for (const l of listeners) l();
}

export function useGoals(): Goals {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => goals,
  );
}
