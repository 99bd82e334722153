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
  constructor(pluginId: string, readonly issues: { setting: string; message: string }[]) {
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
