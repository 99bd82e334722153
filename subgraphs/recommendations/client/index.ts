// recommendations's contract for other plugins: what they may import from @carbon-nexus/recommendations/client (nothing else of recommendations).
export * from './topics.ts';
