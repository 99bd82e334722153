import { GraphQLError } from 'graphql';

/** A plugin could not start: names the plugin and, where known, the setting. */
export class PluginStartError extends Error {
  constructor(
    readonly pluginId: string,
    message: string,
    readonly setting?: string,
  ) {
    super(`plugin "${pluginId}": ${message}`);
    this.name = 'PluginStartError';
  }
}

export class PluginConfigError extends PluginStartError {
  constructor(
    pluginId: string,
    readonly issues: { setting: string; message: string }[],
  ) {
    super(
      pluginId,
      'invalid configuration: ' + issues.map((i) => `${i.setting}: ${i.message}`).join('; '),
      issues[0]?.setting,
    );
    this.name = 'PluginConfigError';
  }
}

export class PluginCallError extends Error {
  constructor(
    readonly pluginId: string,
    readonly errors: readonly { message: string; extensions?: Record<string, unknown> }[],
  ) {
    super(`call to plugin "${pluginId}" failed: ${errors.map((e) => e.message).join('; ')}`);
    this.name = 'PluginCallError';
  }
}

/** A plugin called one it declares neither in `requires` nor in `uses`. */
export class PluginNotDeclaredError extends PluginCallError {
  readonly code = 'PLUGIN_NOT_DECLARED';
  constructor(
    readonly fromPlugin: string,
    pluginId: string,
  ) {
    super(pluginId, [
      {
        message:
          `plugin "${fromPlugin}" called "${pluginId}", which it neither requires nor uses: declare it in ` +
          `requires (it cannot work without it) or in uses (with what it does when "${pluginId}" is absent)`,
        extensions: { code: 'PLUGIN_NOT_DECLARED' },
      },
    ]);
    this.name = 'PluginNotDeclaredError';
  }
}

/** A plugin called one it `uses` that is not running here nor at a known URL: the caller falls back as it declared. */
export class PluginAbsentError extends PluginCallError {
  readonly code = 'PLUGIN_ABSENT';
  constructor(
    readonly fromPlugin: string,
    pluginId: string,
    /** What the caller declared it does without this plugin (its `uses` text). */
    readonly whenAbsent: string,
  ) {
    super(pluginId, [
      {
        message: `plugin "${pluginId}" is absent (not running here, no URL known); ${fromPlugin}: ${whenAbsent}`,
        extensions: { code: 'PLUGIN_ABSENT' },
      },
    ]);
    this.name = 'PluginAbsentError';
  }
}

export function forbidden(message = 'you do not have the role this operation needs'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

export function unauthenticated(message = 'sign in first: this operation needs a bearer token'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });
}

/** Bad user input that names the field and the reason. */
export function badInput(field: string, reason: string): GraphQLError {
  return new GraphQLError(`${field}: ${reason}`, { extensions: { code: 'BAD_USER_INPUT', field } });
}

export function notFound(what: string, id: string): GraphQLError {
  return new GraphQLError(`${what} ${id} not found`, { extensions: { code: 'NOT_FOUND', id } });
}
