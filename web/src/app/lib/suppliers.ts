import { useQuery } from '@apollo/client';
import { useMemo } from 'react';
import { graphql } from '../../gql';

export const SupplierNamesQuery = graphql(`
  query SupplierNames {
    suppliers(first: 500) { totalCount nodes { id name category country } }
  }
`);

/** id -> supplier (name, category) for labelling aggregates keyed by supplier id. */
export function useSuppliers() {
  const q = useQuery(SupplierNamesQuery);
  const byId = useMemo(() => new Map((q.data?.suppliers.nodes ?? []).map((s) => [s.id, s])), [q.data]);
  return { ...q, byId, list: q.data?.suppliers.nodes ?? [] };
}
