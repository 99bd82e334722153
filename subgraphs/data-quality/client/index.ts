// data-quality's contract for other plugins: what they may import from @carbon-nexus/data-quality/client (nothing else of data-quality).
export * from './topics.ts';
