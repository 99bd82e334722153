// The plugin contract: what a third party writes to add a subgraph to Carbon Nexus.
import type { DocumentNode } from 'graphql';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Database } from '@carbon-nexus/db';
import type { Bus } from './services/bus.ts';
import type { Logger } from './services/logger.ts';
import type { Metrics } from './services/metrics.ts';
import type { Scheduler } from './services/scheduler.ts';
import type { AuthClaims } from './context.ts';
import type { PluginCaller } from './services/call.ts';
import type { AuditWriter } from './services/audit.ts';
import type { Outbox } from './services/outbox.ts';
import { extractAuthRules, type AuthRules } from './authz/directive.ts';

/** Everything the SDK hands a plugin. */
export interface PluginServices<Config = unknown> {
  pluginId: string;
  config: Config;
  db: Database;
  bus: Bus;
  call: PluginCaller;
  scheduler: Scheduler;
  logger: Logger;
  metrics: Metrics;
  audit: AuditWriter;
  /** Durable events (alerts): `enqueue(tx, topic, payload)` inside the data's transaction, `kick()` after commit. */
  outbox: Outbox;
  /** 'embedded' = all plugins in one process; 'standalone' = this plugin is its own subgraph process. */
  mode: 'embedded' | 'standalone';
}

/** The GraphQL context every resolver of a plugin receives. */
export interface ResolverContext<State = unknown, Config = unknown> {
  services: PluginServices<Config>;
  /** Whatever the plugin's `init` returned. */
  state: State;
  /** The caller's verified claims (null = anonymous). */
  auth: AuthClaims | null;
  correlationId: string;
  logger: Logger;
}

export interface JobDefinition<State, Config> {
  /** node-schedule cron spec, or a function of the plugin's config. */
  cron: string | ((config: Config) => string);
  run(services: PluginServices<Config>, state: State, tick: Date): Promise<void>;
}

export interface CliCommand<Config = unknown> {
  description: string;
  usage?: string;
  /** Runs with parsed argv (after the command name); `services` is absent for commands marked `offline`. */
  run(argv: string[], services?: PluginServices<Config>): Promise<number | void>;
  /** true = runs without starting the plugin (no database). */
  offline?: boolean;
}

export interface PluginDefinition<State = unknown, ConfigSchema extends z.ZodType = z.ZodType> {
  /** Lower-case, dashes: becomes the subgraph name. */
  id: string;
  version?: string;
  description?: string;
  /** Plugins this one calls; start order follows this. */
  requires?: string[];
  /** Read from the environment (process.env keys); a bad value is a clear error at start. */
  config?: ConfigSchema;
  /** SDL with Federation 2 directives and the SDK's `@auth(roles: [...])` (stripped and enforced by the SDK). */
  typeDefs: DocumentNode;
  /** Set by definePlugin from the `@auth` directives of typeDefs. */
  readonly authRules?: AuthRules;
  /** Resolver map (typed by codegen); `ResolverContext<State, Config>` is the context. */
  resolvers: Record<string, any>;
  jobs?: Record<string, JobDefinition<State, z.infer<ConfigSchema>>>;
  /** Plain-HTTP routes for machine clients (ingestion, webhooks); mounted on the subgraph's server. */
  routes?(app: FastifyInstance, services: PluginServices<z.infer<ConfigSchema>>, state: State): void | Promise<void>;
  /** CLI subcommands: `carbon-nexus <name>`. */
  commands?: Record<string, CliCommand<z.infer<ConfigSchema>>>;
  init?(services: PluginServices<z.infer<ConfigSchema>>): State | Promise<State>;
  /** Drain: stop accepting work, finish in-flight work. */
  stop?(state: State, services: PluginServices<z.infer<ConfigSchema>>): void | Promise<void>;
  /** Extra readiness check for /readyz. */
  ready?(state: State, services: PluginServices<z.infer<ConfigSchema>>): boolean | Promise<boolean>;
}

export type AnyPlugin = PluginDefinition<any, any>;

const ID = /^[a-z][a-z0-9-]{1,40}$/;

/** Declares a plugin. Validates the shape early so mistakes surface at import time. */
export function definePlugin<State = void, ConfigSchema extends z.ZodType = z.ZodObject<{}>>(
  def: PluginDefinition<State, ConfigSchema>,
): PluginDefinition<State, ConfigSchema> {
  if (!ID.test(def.id)) throw new Error(`plugin id "${def.id}" must be lower-case letters, digits and dashes (2-41 chars)`);
  if (!def.typeDefs || (def.typeDefs as DocumentNode).kind !== 'Document') {
    throw new Error(`plugin "${def.id}": typeDefs must be a parsed GraphQL document (use loadTypeDefs or gql)`);
  }
  if (def.authRules) return def;
  let auth;
  try {
    auth = extractAuthRules(def.typeDefs);
  } catch (err) {
    throw new Error(`plugin "${def.id}": ${(err as Error).message}`);
  }
  return { ...def, typeDefs: auth.typeDefs, authRules: auth.rules };
}
