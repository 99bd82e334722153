// What clients may see of an error, the same for the gateway and every subgraph:
// - no stack traces unless explicitly asked for (GRAPHQL_STACKTRACES=true or EXPOSE_ERROR_STACKS=true) — whatever
//   NODE_ENV says (Apollo Server's own default shows them whenever NODE_ENV is unset);
// - a lost database connection is one clear, retryable error (DATABASE_UNAVAILABLE), not the driver's text;
// - no internal addresses (`127.0.0.1:4105`, `http://10.0.3.7:4000/graphql`): the service is named instead.
import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
// The errors module alone: a process without a database (a remote gateway) never loads Prisma or PGlite.
import { DatabaseUnavailableError, isConnectionLost } from '@carbon-nexus/db/errors';

export function exposeErrorStacks(env: Record<string, string | undefined>): boolean {
  return env.GRAPHQL_STACKTRACES === 'true' || env.EXPOSE_ERROR_STACKS === 'true';
}

const URL_RE = /\b(?:https?|wss?|postgres(?:ql)?|redis):\/\/[^\s"'<>),]+/gi;
const HOST_PORT_RE = /(?:\[[0-9a-f:.]+\]|\b(?:\d{1,3}\.){3}\d{1,3}|\blocalhost)(?::\d{1,5})?\b/gi;

/** `text` with URLs and host:port addresses replaced by `name` (the subgraph or service they belong to). */
export function redactAddresses(text: string, name = 'an internal service'): string {
  return text.replace(URL_RE, name).replace(HOST_PORT_RE, name);
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for an answer',
  UND_ERR_BODY_TIMEOUT: 'timed out reading the answer',
  ABORT_ERR: 'timed out',
};

/** A short reason for a failed call to `name`, without addresses (e.g. "connection refused"). */
export function describeNetworkError(err: unknown, name: string): string {
  for (let e = err as any, i = 0; e && i < 5; e = e.cause, i++) {
    const code = typeof e.code === 'string' ? e.code : typeof e.errno === 'string' ? e.errno : undefined;
    if (code && NETWORK_CODES[code]) return NETWORK_CODES[code];
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out';
  }
  const message = err instanceof Error ? err.message : String(err);
  return redactAddresses(message, name);
}

const DATABASE_UNAVAILABLE = new DatabaseUnavailableError();
/** Error codes whose messages come from the platform's own plumbing, not from what the caller sent. */
const REDACTED_CODES = new Set([
  'INTERNAL_SERVER_ERROR',
  'SUBGRAPH_UNAVAILABLE',
  'UPSTREAM_LOST',
  'DOWNSTREAM_SERVICE_ERROR',
]);

/** Apollo Server `formatError`: the policy above for one error. */
export function formatErrorPolicy(env: Record<string, string | undefined>) {
  const stacks = exposeErrorStacks(env);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = (error as GraphQLError | undefined)?.originalError ?? error;
    let out: GraphQLFormattedError = formatted;
    if (formatted.extensions?.code !== 'DATABASE_UNAVAILABLE' && isConnectionLost(original, { network: false })) {
      out = {
        ...formatted,
        message: DATABASE_UNAVAILABLE.message,
        extensions: { ...formatted.extensions, ...DATABASE_UNAVAILABLE.extensions },
      };
    }
    const ext = out.extensions as Record<string, unknown> | undefined;
    const service = typeof ext?.serviceName === 'string' ? ext.serviceName : undefined;
    // Input errors may quote the caller's own input (a webhook URL it sent); the others never need an address.
    const message = REDACTED_CODES.has(String(ext?.code ?? 'INTERNAL_SERVER_ERROR'))
      ? redactAddresses(out.message, service ? `subgraph "${service}"` : undefined)
      : out.message;
    let extensions = ext;
    if (ext && (!stacks || ext.response)) {
      extensions = { ...ext };
      if (!stacks) {
        delete extensions.stacktrace;
        delete extensions.exception;
      }
      // RemoteGraphQLDataSource attaches the subgraph's URL to non-2xx answers.
      if (extensions.response && typeof extensions.response === 'object') {
        const { url: _url, ...response } = extensions.response as Record<string, unknown>;
        extensions.response = response;
      }
    }
    return message === out.message && extensions === ext
      ? out
      : { ...out, message, ...(extensions ? { extensions } : {}) };
  };
}

/** In-process execution results (embedded topology) get the database part of the policy too. */
export function mapDatabaseErrors(result: ExecutionResult): ExecutionResult {
  const lost = (e: GraphQLError) =>
    e.extensions?.code !== 'DATABASE_UNAVAILABLE' && isConnectionLost(e.originalError, { network: false });
  if (!result.errors?.some(lost)) return result;
  return {
    ...result,
    errors: result.errors.map((e) =>
      lost(e)
        ? new GraphQLError(DATABASE_UNAVAILABLE.message, {
            nodes: e.nodes,
            path: e.path,
            originalError: e.originalError ?? undefined,
            extensions: { ...DATABASE_UNAVAILABLE.extensions },
          })
        : e,
    ),
  };
}
