// The plugin contract: what a third party writes to add a subgraph to Carbon Nexus.
import type { DocumentNode } from 'graphql';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { PluginDatabase } from '@carbon-nexus/db';
import type { Bus } from './services/bus.ts';
import type { Logger } from './services/logger.ts';
import type { Metrics } from './services/metrics.ts';
import type { Scheduler } from './services/scheduler.ts';
import type { AuthClaims } from './context.ts';
import type { PluginCaller } from './services/call.ts';
import type { AuditWriter } from './services/audit.ts';
import type { Outbox } from './services/outbox.ts';
import type { PluginLifecycle } from './lifecycle/lifecycle.ts';
import { extractAuthRules, type AuthRules } from './authz/directive.ts';

/** Everything the SDK hands a plugin. */
export interface PluginServices<Config = unknown> {
  pluginId: string;
  /** The plugin's settings, parsed from the environment by its `config` schema: the only place a plugin reads them. */
  config: Config;
  /** SQL on the plugin's own tables (query, exec, transaction); the row scope of the caller applies. */
  db: PluginDatabase;
  /** Publish/subscribe; subscriptions and iterators made here end when the plugin drains. */
  bus: Bus;
  /** Another plugin's GraphQL API: `call(Operation, vars)` with an operation from the producer's `/client`. Only plugins declared in `requires`/`uses`. */
  call: PluginCaller;
  /** Whether `call` can reach this plugin now (declared, and running here or at a known URL). */
  canCall(pluginId: string): boolean;
  /** Phases, the drain signal, onStop, tracked work and timers that end with the plugin. */
  lifecycle: PluginLifecycle;
  /**
   * The caller of an HTTP route (or any request-like headers, e.g. a WebSocket upgrade's): verified claims from its
   * `Authorization: Bearer` header, null when anonymous; throws AuthError for a bad token.
   */
  authenticate(request: { headers: Record<string, unknown> }): Promise<AuthClaims | null>;
  /**
   * True while the platform verifies tokens with the well-known development secret (neither JWT_SECRET nor
   * JWT_JWKS_URL set): a development install, where a plugin may relax production guards (e.g. private networks).
   */
  developmentAuth: boolean;
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
  /** Plugins this one cannot work without: started before it; it refuses to start when one is neither here nor remote. */
  requires?: string[];
  /**
   * Plugins it calls or listens to at run time but works without, each with what it does when that plugin is absent,
   * e.g. `{ 'ml-engine': 'forecasts are empty until ml-engine runs' }`. They may run elsewhere or not at all; cycles
   * among `uses` are allowed. `services.call` refuses plugins declared in neither list.
   */
  uses?: Record<string, string>;
  /** Read from the environment (process.env keys); a bad value is a clear error at start. */
  config?: ConfigSchema;
  /** SDL with Federation 2 directives and the SDK's `@auth(roles: [...])` (stripped and enforced by the SDK). */
  typeDefs: DocumentNode;
  /** Set by definePlugin from the `@auth` directives of typeDefs. */
  readonly authRules?: AuthRules;
  /** Resolver map (typed by codegen); `ResolverContext<State, Config>` is the context. */
  resolvers: Record<string, any>;
  jobs?: Record<string, JobDefinition<State, z.infer<ConfigSchema>>>;
  /**
   * Plain-HTTP routes for machine clients (ingestion, webhooks), registered in an encapsulated Fastify context: hooks
   * and decorators added here apply to these routes only, never to /graphql or other plugins' routes.
   */
  routes?(app: FastifyInstance, services: PluginServices<z.infer<ConfigSchema>>, state: State): void | Promise<void>;
  /** Path prefix of every route `routes` registers (e.g. '/acme'); default none. */
  routePrefix?: string;
  /** CLI subcommands: `carbon-nexus <name>`. */
  commands?: Record<string, CliCommand<z.infer<ConfigSchema>>>;
  init?(services: PluginServices<z.infer<ConfigSchema>>): State | Promise<State>;
  /**
   * Drains work the SDK cannot see, once draining began: bus subscriptions, iterators and timers have ended and
   * tracked work (`services.lifecycle.track`) has settled or timed out, so nothing new reaches it. Use it for a loop or queue the
   * plugin runs itself that must finish what it holds (ml-engine's pipeline writes the batch in hand). For a
   * resource that only needs closing, register `services.lifecycle.onStop` where it is created (run after this,
   * last registered first); for a promise the drain should wait for, `track` it.
   */
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
  if (!ID.test(def.id))
    throw new Error(`plugin id "${def.id}" must be lower-case letters, digits and dashes (2-41 chars)`);
  checkDependencies(def);
  if (def.routePrefix !== undefined && !/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(def.routePrefix)) {
    throw new Error(
      `plugin "${def.id}": routePrefix "${def.routePrefix}" must be a path like "/acme" (no trailing slash)`,
    );
  }
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

/** requires/uses are well-formed: ids, no self, no plugin in both, a stated behaviour for every used plugin. */
function checkDependencies(def: { id: string; requires?: string[]; uses?: Record<string, string> }): void {
  const fail = (m: string) => {
    throw new Error(`plugin "${def.id}": ${m}`);
  };
  for (const dep of def.requires ?? []) {
    if (!ID.test(dep)) fail(`requires "${dep}", which is not a plugin id`);
    if (dep === def.id) fail('requires itself');
  }
  for (const [dep, whenAbsent] of Object.entries(def.uses ?? {})) {
    if (!ID.test(dep)) fail(`uses "${dep}", which is not a plugin id`);
    if (dep === def.id) fail('uses itself');
    if (def.requires?.includes(dep))
      fail(`"${dep}" is in both requires and uses: a plugin is either needed (requires) or optional (uses)`);
    if (typeof whenAbsent !== 'string' || !whenAbsent.trim())
      fail(`uses "${dep}": say what the plugin does when "${dep}" is absent`);
  }
}
