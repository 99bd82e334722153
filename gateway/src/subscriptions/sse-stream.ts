// One Server-Sent Events response, for /graphql/stream and the REST streams alike: headers, writes that wait for the
// socket to drain (meanwhile the subscriber's bounded buffer absorbs events), a keep-alive comment, the end of the
// stream when the token expires, on client disconnect, or on shutdown (every open stream is in `open`).
import type { FastifyReply } from 'fastify';
import type { AuthClaims } from '@carbon-nexus/plugin-sdk';
import { armExpiry } from './token-expiry.ts';

export interface SseStream {
  /** Writes raw SSE text; a no-op once the stream has ended. */
  write(chunk: string): Promise<void>;
  /** Ends the stream (idempotent). */
  finish(): void;
  readonly ended: boolean;
}

export interface SseStreamOptions {
  correlationId: string;
  auth: AuthClaims | null;
  keepAliveMs: number;
  /** Open streams, ended on shutdown. */
  open: Set<() => void>;
  /** Written when the token expires, before the stream ends. */
  expiredEvent: () => string;
  /** Called once when the stream ends (before its last bytes), e.g. to stop the subscription. */
  onEnd?: () => void;
  /** The last bytes (e.g. graphql-sse's `complete` event). */
  endWith?: string;
  /** Counts a stream ended by its token. */
  onExpired?: () => void;
}

export function openSseStream(reply: FastifyReply, o: SseStreamOptions): SseStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-correlation-id': o.correlationId,
  });
  res.flushHeaders?.();
  let ended = false;
  const write = async (chunk: string) => {
    if (ended) return;
    if (!res.write(chunk)) await new Promise<void>((r) => res.once('drain', r).once('close', r));
  };
  const finish = () => {
    if (ended) return;
    ended = true;
    clearInterval(keepAlive);
    cancelExpiry?.();
    o.open.delete(finish);
    o.onEnd?.();
    if (!res.writableEnded) res.end(o.endWith);
  };
  const keepAlive = setInterval(() => void write(': keep-alive\n\n'), o.keepAliveMs);
  // The client reconnects with a fresh token (and resumes from its last event id where the stream has one).
  const cancelExpiry = armExpiry(o.auth, () => {
    o.onExpired?.();
    void write(o.expiredEvent()).then(finish);
  });
  o.open.add(finish);
  res.on('close', finish);
  return {
    write,
    finish,
    get ended() {
      return ended;
    },
  };
}
