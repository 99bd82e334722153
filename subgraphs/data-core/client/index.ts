// data-core's contract for other plugins: what they may import from @carbon-nexus/data-core/client (nothing else of
// data-core). Operations: client/*.graphql, compiled by codegen into typed operations bound to data-core and
// validated against data-core's schema.graphql, so a schema change that breaks a consumer fails the build.
export * from './generated/operations.ts';
export * from './topics.ts';
