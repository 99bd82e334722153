// What the resolvers of these GraphQL types receive as their parent (codegen maps `<Type>Parent` here).
import type { PredictionView } from './graph.ts';

/** A stored prediction (store row → graph view, lazy fields for the explanation and the cursor). */
export type PredictionParent = PredictionView;

/** data-core's Event, by reference: ml-engine adds its model estimate. */
export type EventParent = { id: string };

/** A supplier (this subgraph's part of the entity): its reference. */
export type SupplierParent = { id: string };
