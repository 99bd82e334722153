// The mock supplier world and its stream, for the demo and evaluations (`@carbon-nexus/data-core/mock`).
export * from './generator.ts';
export * from './stream.ts';
