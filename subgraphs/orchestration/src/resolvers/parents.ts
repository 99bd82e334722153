// What the resolvers of these GraphQL types receive as their parent (codegen maps `<Type>Parent` here).
import type { alertToGraph, hotspotToGraph } from '../store/rows.ts';

/** A hotspot row as the resolvers return it (Hotspot.alerts resolves from its id). */
export type HotspotParent = ReturnType<typeof hotspotToGraph>;

/** An alert row as the resolvers return it (Alert.hotspot resolves from hotspotId). */
export type AlertParent = ReturnType<typeof alertToGraph>;

/** A supplier (this subgraph's part of the entity): its reference. */
export type SupplierParent = { id: string };

/** A page of hotspots; totalCount is counted only when asked for (GraphQL calls the function). */
export type HotspotConnectionParent = {
  edges: { cursor: string; node: HotspotParent }[];
  nodes: HotspotParent[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: () => Promise<number>;
};
