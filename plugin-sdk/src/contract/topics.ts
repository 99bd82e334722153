// Bus topics are owned by the plugin that publishes them. The producer declares each topic and its payload type in
// its `client` module; publishers and subscribers pass the topic object, so payloads are typed on both ends and a
// consumer's dependency on the producer is an import of `@carbon-nexus/<producer>/client`:
//   const topic = topicsOf('orchestration');
//   export interface AlertRaised { id: string; seq: string; ... }
//   export const alertRaised = topic<AlertRaised>('alert.raised');
// On the wire a message carries only the topic name, as before.

export interface BusTopic<Payload = unknown> {
  /** The name on the wire (Redis channel suffix, NOTIFY payload, outbox row). */
  readonly name: string;
  /** The plugin that publishes it. */
  readonly plugin: string;
  /** Type carrier only: never set at run time. */
  readonly __payload?: Payload;
}

export type PayloadOf<T> = T extends BusTopic<infer P> ? P : never;

const TOPIC_NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

/** The topic factory of one producer: `topicsOf('data-core')<EventNormalized>('event.normalized')`. */
export function topicsOf(plugin: string): <Payload>(name: string) => BusTopic<Payload> {
  return <Payload>(name: string): BusTopic<Payload> => {
    if (!TOPIC_NAME.test(name))
      throw new Error(`topic "${name}" of plugin "${plugin}": use dotted lower-case words, e.g. "alert.raised"`);
    return Object.freeze({ name, plugin });
  };
}

export function topicName(topic: string | BusTopic<unknown>): string {
  return typeof topic === 'string' ? topic : topic.name;
}
