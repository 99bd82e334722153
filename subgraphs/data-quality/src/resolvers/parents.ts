// What the resolvers of these GraphQL types receive as their parent (codegen maps `<Type>Parent` here).

/** A supplier (this subgraph's part of the entity): its reference, visible to the caller. */
export type SupplierParent = { id: string };

/** The panel's window and scope, resolved once by Query.dataQualityPanel for its three lists. */
export type DataQualityPanelParent = {
  from: string;
  to: string;
  suppliers: string[] | null;
  first: number;
};
