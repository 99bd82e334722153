// Live endpoints as Server-Sent Events (GET /api/v1/alerts/stream, /api/v1/hotspots/stream): the subscription
// operation runs on the gateway's subscription engine (the same one graphql-ws and /graphql/stream use), one `data:`
// line per event. Where the operation takes an `after` cursor and returns `cursor`, each event carries `id: <cursor>`
// and a reconnect with Last-Event-ID resumes from it: the server replays what was missed, no gap, no duplicate.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ExecutionResult } from 'graphql';
import type { AuthClaims } from '@carbon-nexus/plugin-sdk';
import type { SubscriptionEngine } from '../subscriptions/engine.ts';
import { openSseStream } from '../subscriptions/sse-stream.ts';
import { sendProblem, type Problem } from './problem.ts';

export interface StreamOptions {
  engine: SubscriptionEngine;
  keepAliveMs: number;
  /** Open streams, ended on shutdown. */
  open: Set<() => void>;
}

function eventId(data: unknown, root: string | null): string | null {
  const value = root ? (data as Record<string, any> | null | undefined)?.[root] : data;
  const c = value && typeof value === 'object' ? (value as Record<string, unknown>).cursor : undefined;
  return typeof c === 'string' && /^[\x21-\x7e]+$/.test(c) ? c : null;
}

export async function streamOperation(
  req: FastifyRequest,
  reply: FastifyReply,
  op: { name: string; document: string; root: string | null },
  variables: Record<string, unknown>,
  scope: { auth: AuthClaims | null; correlationId: string },
  opts: StreamOptions,
  problemOf: (errors: readonly any[]) => Problem,
): Promise<void> {
  const { engine } = opts;
  const doc = engine.parseAndValidate(op.document);
  if (Array.isArray(doc)) return void sendProblem(reply, problemOf(doc));
  const planned = engine.plan(doc as any, op.name);
  if (Array.isArray(planned)) return void sendProblem(reply, problemOf(planned));
  const result = engine.subscribe(planned as any, variables, scope);
  if (!(Symbol.asyncIterator in result)) {
    // Refused before the first event (bad cursor, missing role...): an ordinary problem response.
    return void sendProblem(reply, problemOf((result as ExecutionResult).errors ?? []));
  }
  const iterator = result as AsyncIterableIterator<ExecutionResult>;
  const problemEvent = (errors: readonly any[]) => `event: problem\ndata: ${JSON.stringify(problemOf(errors))}\n\n`;
  const stream = openSseStream(reply, {
    correlationId: scope.correlationId,
    auth: scope.auth,
    keepAliveMs: opts.keepAliveMs,
    open: opts.open,
    expiredEvent: () => problemEvent([{ message: 'token expired', extensions: { code: 'UNAUTHENTICATED' } }]),
    onEnd: () => void iterator.return?.(),
  });
  await stream.write('retry: 2000\n\n');
  try {
    for await (const r of iterator) {
      if (stream.ended) break;
      if (r.errors?.length && !r.data) {
        await stream.write(problemEvent(r.errors));
        break;
      }
      const id = eventId(r.data, op.root);
      const data = op.root ? (r.data as Record<string, unknown> | null | undefined)?.[op.root] : r.data;
      await stream.write(`${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
    }
  } catch (err) {
    req.log?.error?.({ err }, 'REST stream failed');
    await stream.write(problemEvent([{ message: 'internal error while streaming' }]));
  }
  stream.finish();
}
