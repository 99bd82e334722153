// orchestration's contract for other plugins: what they may import from @carbon-nexus/orchestration/client (nothing
// else of orchestration). Operations: client/*.graphql, compiled by codegen into typed operations bound to
// orchestration and validated against its schema.graphql.
export * from './generated/operations.ts';
export * from './topics.ts';
