// Goals come from the graph (orchestration's `goals`). The dashboard measures against the ALL-emissions goal with the
// shortest period: its kg per hour is the pulse card's target, its required reduction the gauge's goal.
import { useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import type { GoalsQuery as GoalsQueryResult } from '../../gql/graphql';

export const GoalsQuery = graphql(`
  query Goals {
    goals {
      id name scope scopeId period targetKg reductionPct hoursPerPeriod baselineKg effectiveTargetKg targetKgPerHour
      requiredSavingsKg updatedBy updatedAt supplier { id name }
    }
  }
`);

export type Goal = GoalsQueryResult['goals'][number];

const PERIOD_ORDER = ['DAY', 'MONTH', 'YEAR'];

export function dashboardGoal(goals: readonly Goal[] | undefined): Goal | null {
  const all = (goals ?? []).filter((g) => g.scope === 'ALL');
  all.sort((a, b) => PERIOD_ORDER.indexOf(a.period) - PERIOD_ORDER.indexOf(b.period));
  return all[0] ?? null;
}

/** The goal the dashboard cards compare with (null while none is set), plus the query state. */
export function useDashboardGoal() {
  const q = useQuery(GoalsQuery, { fetchPolicy: 'cache-and-network' });
  return { goal: dashboardGoal(q.data?.goals), loading: q.loading && !q.data, error: q.error, refetch: q.refetch };
}

export const periodLabel = (p: string) => (p === 'DAY' ? 'day' : p === 'MONTH' ? 'month (30 days)' : 'year (365 days)');
