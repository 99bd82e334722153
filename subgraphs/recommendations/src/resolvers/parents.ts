// What the resolvers of these GraphQL types receive as their parent (codegen maps `<Type>Parent` here).
import type { GraphRecommendation } from './mapping.ts';

/** A stored recommendation as mapped for GraphQL (mapping.ts toGraph): its measure is resolved from measureId. */
export type RecommendationParent = GraphRecommendation;

/** orchestration's hotspot (this subgraph's part of the entity): its reference. */
export type HotspotParent = { id: string };

/** data-core's supplier (this subgraph's part of the entity): its reference. */
export type SupplierParent = { id: string };
