// Calling another plugin's GraphQL API with the same code whether it runs in this process or elsewhere.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode, type ExecutionResult } from 'graphql';
import { currentScope, type AuthClaims } from '../context.ts';
import { PluginCallError } from '../errors.ts';
import { injectTraceHeaders, withSpan } from './tracing.ts';
import { describeNetworkError } from '../http/error-policy.ts';

export type PluginCaller = <TResult, TVars extends Record<string, unknown> = Record<string, unknown>>(
  pluginId: string,
  document: TypedDocumentNode<TResult, TVars> | DocumentNode | string,
  variables?: TVars,
) => Promise<TResult>;

/** In-process executor: runs an operation against a local plugin's schema in the caller's scope. */
export type LocalExecutor = (document: DocumentNode | string, variables?: Record<string, unknown>) => Promise<ExecutionResult>;

export interface CallRegistry {
  registerLocal(pluginId: string, exec: LocalExecutor): void;
  registerRemote(pluginId: string, url: string): void;
  has(pluginId: string): boolean;
  caller(fromPlugin: string): PluginCaller;
}

export function createCallRegistry(opts: { timeoutMs?: number; mintToken?: (auth: AuthClaims) => Promise<string> } = {}): CallRegistry {
  const local = new Map<string, LocalExecutor>();
  const remote = new Map<string, string>();
  const printed = new WeakMap<DocumentNode, string>();
  const timeoutMs = opts.timeoutMs ?? 30_000;

  async function callRemote(pluginId: string, url: string, doc: DocumentNode | string, variables?: Record<string, unknown>): Promise<ExecutionResult> {
    const scope = currentScope();
    let query: string;
    if (typeof doc === 'string') query = doc;
    else {
      query = printed.get(doc) ?? print(doc);
      printed.set(doc, query);
    }
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
      return { errors: [{ message: `plugin "${pluginId}" is unreachable: ${describeNetworkError(err, `plugin "${pluginId}"`)}`, extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: pluginId } }] } as any;
    }
    const text = await res.text();
    try {
      return JSON.parse(text) as ExecutionResult;
    } catch {
      return { errors: [{ message: `plugin "${pluginId}" answered HTTP ${res.status} without a GraphQL result`, extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: pluginId } }] } as any;
    }
  }

  return {
    registerLocal: (id, exec) => void local.set(id, exec),
    registerRemote: (id, url) => void remote.set(id, url),
    has: (id) => local.has(id) || remote.has(id),
    caller(from) {
      return (async (pluginId: string, document: DocumentNode | string, variables?: Record<string, unknown>) => {
        const exec = local.get(pluginId);
        const url = remote.get(pluginId);
        if (!exec && !url) {
          throw new PluginCallError(pluginId, [
            { message: `plugin "${from}" called "${pluginId}", which is not running here; declare it in requires and start it, or set CARBON_NEXUS_SUBGRAPH_${pluginId.toUpperCase().replace(/-/g, '_')}_URL` },
          ]);
        }
        const result = await withSpan(`call ${pluginId}`, () => (exec ? exec(document, variables) : callRemote(pluginId, url!, document, variables)), {
          kind: 'client',
          attributes: { 'carbon_nexus.component': from, 'carbon_nexus.callee': pluginId },
        });
        if (result.errors?.length) throw new PluginCallError(pluginId, result.errors as any);
        return result.data as any;
      }) as PluginCaller;
    },
  };
}
