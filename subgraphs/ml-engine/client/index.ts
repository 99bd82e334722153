// ml-engine's contract for other plugins: what they may import from @carbon-nexus/ml-engine/client (nothing else of
// ml-engine). Operations: client/*.graphql, compiled by codegen into typed operations bound to ml-engine and
// validated against ml-engine's schema.graphql, so a schema change that breaks a consumer fails the build.
export * from './generated/operations.ts';
export * from './topics.ts';
