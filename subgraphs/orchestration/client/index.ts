// orchestration's contract for other plugins: what they may import from @carbon-nexus/orchestration/client (nothing else of orchestration).
export * from './topics.ts';
