// recommendations's contract for other plugins: what they may import from @carbon-nexus/recommendations/client
// (nothing else of recommendations). Operations: client/*.graphql, compiled by codegen into typed operations bound to
// recommendations and validated against its schema.graphql.
export * from './generated/operations.ts';
export * from './topics.ts';
