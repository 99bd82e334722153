// What a plugin's `client` module needs from the SDK (typed operations, topics), without the SDK's server side.
export { operation, pluginOperation, isPluginOperation } from './operation.ts';
export type { PluginOperation, ResultOf, VariablesOf, VariablesArg } from './operation.ts';
export type { TypedDocumentNode } from '@graphql-typed-document-node/core';
export { topicsOf, topicName } from './topics.ts';
export type { BusTopic, PayloadOf } from './topics.ts';
