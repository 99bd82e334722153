// REST errors as RFC 9457 problem details (application/problem+json): the GraphQL error codes of the same operation
// mapped to HTTP statuses, field errors named in the REST caller's terms (the variable, not the GraphQL argument path),
// the unavailable subgraph named, and the request's instance and correlation id in every body.
import type { FastifyReply } from 'fastify';

export const PROBLEM_TYPE = 'application/problem+json';

export interface FieldProblem {
  field: string;
  reason: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  correlationId: string;
  /** The GraphQL error code behind it (FORBIDDEN, BAD_USER_INPUT, SUBGRAPH_UNAVAILABLE, ...). */
  code: string;
  errors?: FieldProblem[];
  /** 503: the subgraph(s) that could not answer. */
  subgraph?: string;
  subgraphs?: string[];
  retryAfterSeconds?: number;
  /** Whatever part of the answer the graph could produce (never returned as a success). */
  data?: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** HTTP status of a GraphQL error code. */
const STATUS_OF_CODE: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  BAD_REQUEST: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  GRAPHQL_PARSE_FAILED: 400,
  QUERY_TOO_DEEP: 400,
  QUERY_TOO_COSTLY: 400,
  PERSISTED_QUERY_NOT_IN_LIST: 400,
  NOT_FOUND: 404,
  // Well-formed, but the data cannot answer it yet (e.g. a forecast before a week of history).
  NOT_ENOUGH_DATA: 422,
  RATE_LIMITED: 429,
  SUBGRAPH_UNAVAILABLE: 503,
  SERVICE_UNAVAILABLE: 503,
};

/** When errors disagree, the one a caller must act on first: credentials, then rights, then input, then the rest. */
const PRECEDENCE = [401, 403, 400, 404, 422, 429, 503, 500];

export function problemType(code: string): string {
  return `urn:carbon-nexus:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

export function problem(p: Omit<Problem, 'type' | 'title'> & { title?: string }): Problem {
  return { type: problemType(p.code), title: p.title ?? TITLES[p.status] ?? 'Error', ...p };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  if (p.retryAfterSeconds !== undefined) reply.header('retry-after', String(p.retryAfterSeconds));
  return reply.code(p.status).type(PROBLEM_TYPE).send(JSON.stringify(p));
}

export interface GraphQLErrorLike {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

/** GraphQL's variable-coercion messages name the variable: `Variable "$first" got invalid value ...`. */
const VARIABLE_IN_MESSAGE = /Variable "\$([_A-Za-z][_0-9A-Za-z]*)"/;

function statusOf(e: GraphQLErrorLike): number {
  const code = String(e.extensions?.code ?? '');
  if (STATUS_OF_CODE[code]) return STATUS_OF_CODE[code];
  const http = (e.extensions?.http as { status?: number } | undefined)?.status;
  if (http && http >= 400) return http;
  if (VARIABLE_IN_MESSAGE.test(e.message)) return 400;
  return 500;
}

/**
 * The problem for a GraphQL result with errors. `fieldOfArgument` turns a GraphQL argument path (`input.loadChange`)
 * into the REST variable that feeds it (`load_change`).
 */
export function problemFromGraphQL(
  errors: readonly GraphQLErrorLike[],
  ctx: {
    instance: string;
    correlationId: string;
    data?: unknown;
    fieldOfArgument?: (path: string) => string | undefined;
  },
): Problem {
  const statuses = errors.map(statusOf);
  const status = PRECEDENCE.find((s) => statuses.includes(s)) ?? Math.max(...statuses);
  const chosen = errors.filter((_, i) => statuses[i] === status);
  const first = chosen[0];
  const code = String(
    first.extensions?.code ?? (status === 400 ? 'BAD_USER_INPUT' : status === 500 ? 'INTERNAL_SERVER_ERROR' : 'ERROR'),
  );
  const p = problem({
    status,
    code,
    detail: [...new Set(chosen.map((e) => e.message))].join('; '),
    instance: ctx.instance,
    correlationId: ctx.correlationId,
  });
  if (status === 400) {
    const fields: FieldProblem[] = [];
    for (const e of chosen) {
      const variable = VARIABLE_IN_MESSAGE.exec(e.message)?.[1];
      const arg = typeof e.extensions?.field === 'string' ? e.extensions.field : undefined;
      const field = variable ?? (arg ? (ctx.fieldOfArgument?.(arg) ?? arg) : undefined);
      if (!field) continue;
      // "input.loadChange: must be a percent" -> the reason without the GraphQL path prefix.
      const reason = arg && e.message.startsWith(`${arg}: `) ? e.message.slice(arg.length + 2) : e.message;
      fields.push({ field, reason });
    }
    if (fields.length) {
      p.errors = fields;
      p.detail = fields.map((f) => `${f.field}: ${f.reason}`).join('; ');
    }
  }
  if (status === 503) {
    const names = [
      ...new Set(chosen.map((e) => e.extensions?.serviceName).filter((s): s is string => typeof s === 'string')),
    ];
    if (names.length) {
      p.subgraph = names[0];
      p.subgraphs = names;
    }
    p.retryAfterSeconds = 5;
  }
  if (status === 429) {
    const retry = Number(first.extensions?.retryAfterSeconds);
    if (Number.isFinite(retry)) p.retryAfterSeconds = retry;
  }
  if (ctx.data !== undefined && ctx.data !== null) p.data = ctx.data;
  return p;
}
