// ml-engine's contract for other plugins: what they may import from @carbon-nexus/ml-engine/client (nothing else of ml-engine).
export * from './topics.ts';
