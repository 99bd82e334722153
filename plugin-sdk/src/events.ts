// Platform topics: the ones the platform itself publishes (none today). A plugin's topics belong to the plugin and
// are declared in its `client` module with `topicsOf` (see contract/topics.ts), e.g. data-core's `eventNormalized`
// in @carbon-nexus/data-core/client.
// Deprecated: the string form of publish/subscribe reads payload types from this interface; third-party code that
// augmented it (`declare module '@carbon-nexus/plugin-sdk' { interface BusTopics { … } }`) keeps compiling until
// phase 3 of issue 18 removes the string form.

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface BusTopics {}

export type Topic = keyof BusTopics & string;
