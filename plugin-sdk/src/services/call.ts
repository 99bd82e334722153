// Calling another plugin's GraphQL API with the same code whether it runs in this process or elsewhere.
// A plugin may call only the plugins it declares (`requires` or `uses`); a used plugin that is not running anywhere
// this process knows of is "absent": the call fails with PluginAbsentError, which the caller turns into its stated
// fallback behaviour.
import { print, type DocumentNode, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import { currentScope, type AuthClaims } from '../context.ts';
import { PluginAbsentError, PluginCallError, PluginNotDeclaredError } from '../errors.ts';
import { injectTraceHeaders, withSpan } from './tracing.ts';
import { describeNetworkError } from '../http/error-policy.ts';
import { isPluginOperation, type PluginOperation, type VariablesArg } from '../contract/operation.ts';

export interface PluginCaller {
  /** Runs an operation the producer publishes in its `client` module; the result is typed by the operation. */
  <TResult, TVariables>(
    operation: PluginOperation<TResult, TVariables>,
    ...variables: VariablesArg<TVariables>
  ): Promise<TResult>;
}

/** What a plugin declares it calls: `requires` (hard) and `uses` (soft, id -> what it does when that plugin is absent). */
export interface DeclaredPeers {
  requires: readonly string[];
  uses: Readonly<Record<string, string>>;
}

/** In-process executor: runs an operation against a local plugin's schema in the caller's scope. */
export type LocalExecutor = (
  document: DocumentNode | string,
  variables?: Record<string, unknown>,
) => Promise<ExecutionResult>;

export interface CallRegistry {
  registerLocal(pluginId: string, exec: LocalExecutor): void;
  registerRemote(pluginId: string, url: string): void;
  /** Whether the plugin runs in this process or at a known URL. */
  has(pluginId: string): boolean;
  /** The `call` service of plugin `from`: calls to plugins it does not declare are refused. */
  caller(fromPlugin: string, declared: DeclaredPeers): PluginCaller;
}

export function createCallRegistry(
  opts: { timeoutMs?: number; mintToken?: (auth: AuthClaims) => Promise<string> } = {},
): CallRegistry {
  const local = new Map<string, LocalExecutor>();
  const remote = new Map<string, string>();
  const printed = new WeakMap<DocumentNode, string>();
  const timeoutMs = opts.timeoutMs ?? 30_000;

  async function callRemote(
    pluginId: string,
    url: string,
    doc: DocumentNode,
    variables?: Record<string, unknown>,
  ): Promise<ExecutionResult> {
    const scope = currentScope();
    const query = printed.get(doc) ?? print(doc);
    printed.set(doc, query);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (scope?.correlationId) headers['x-correlation-id'] = scope.correlationId;
    injectTraceHeaders(headers);
    if (scope?.auth?.token) headers.authorization = `Bearer ${scope.auth.token}`;
    // Jobs and bus handlers have claims but no user token: mint a short-lived one with the same claims.
    else if (scope?.auth && opts.mintToken) headers.authorization = `Bearer ${await opts.mintToken(scope.auth)}`;
    // Failures name the plugin, never its internal address (`connect ECONNREFUSED 10.0.3.7:4001`).
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      return unavailable(
        pluginId,
        `plugin "${pluginId}" is unreachable: ${describeNetworkError(err, `plugin "${pluginId}"`)}`,
      );
    }
    const text = await res.text();
    try {
      return JSON.parse(text) as ExecutionResult;
    } catch {
      return unavailable(pluginId, `plugin "${pluginId}" answered HTTP ${res.status} without a GraphQL result`);
    }
  }

  return {
    registerLocal: (id, exec) => void local.set(id, exec),
    registerRemote: (id, url) => void remote.set(id, url),
    has: (id) => local.has(id) || remote.has(id),
    caller(from, declared) {
      async function call(operation: PluginOperation, variables?: Record<string, unknown>): Promise<unknown> {
        // Untyped callers (plain JS) still reach here with the removed `call('plugin-id', document)` form.
        if (!isPluginOperation(operation)) {
          throw new TypeError(
            `plugin "${from}": services.call takes a typed operation (the producer's client, or pluginOperation(id, doc))`,
          );
        }
        const pluginId = operation.plugin;
        const document: DocumentNode = operation;
        if (!declared.requires.includes(pluginId) && !Object.hasOwn(declared.uses, pluginId)) {
          throw new PluginNotDeclaredError(from, pluginId);
        }
        const exec = local.get(pluginId);
        const url = remote.get(pluginId);
        if (!exec && !url) {
          if (Object.hasOwn(declared.uses, pluginId))
            throw new PluginAbsentError(from, pluginId, declared.uses[pluginId]);
          throw new PluginCallError(pluginId, [
            {
              message: `plugin "${from}" called "${pluginId}", which is not running here; start it, or set CARBON_NEXUS_SUBGRAPH_${envKey(pluginId)}_URL`,
            },
          ]);
        }
        const result = await withSpan(
          `call ${pluginId}`,
          () => (exec ? exec(document, variables) : callRemote(pluginId, url!, document, variables)),
          {
            kind: 'client',
            attributes: { 'carbon_nexus.component': from, 'carbon_nexus.callee': pluginId },
          },
        );
        if (result.errors?.length)
          throw new PluginCallError(pluginId, result.errors as readonly GraphQLFormattedError[]);
        return result.data;
      }
      return call as PluginCaller;
    },
  };
}

const envKey = (pluginId: string) => pluginId.toUpperCase().replace(/-/g, '_');

/** A failed remote call as a GraphQL result (the formatted-error shape a subgraph would answer with). */
function unavailable(pluginId: string, message: string): ExecutionResult {
  return {
    errors: [{ message, extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: pluginId } }],
  } as unknown as ExecutionResult;
}
