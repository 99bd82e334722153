// Graceful HTTP drain for a Fastify server (gateway and subgraphs alike). On shutdown the server
//   1. stops accepting new connections at once (the listening socket is closed) and reports not-ready;
//   2. keeps serving requests that arrive on connections it already has — a request already on the wire is
//      answered, not reset — and answers each with `Connection: close`, so clients move off it;
//   3. once no request has been in flight for a short quiet period (bounded), lets Fastify close the rest.
// Node's own `server.close()` also drops idle keep-alive connections immediately, which resets a request a client
// has just sent on one; closing only the listener first avoids that race.
import net from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface HttpDrain {
  /** True from `begin()` on: /readyz answers 503 and every answer closes its connection. */
  readonly draining: boolean;
  /** HTTP requests being served now (upgraded WebSocket connections are not requests). */
  readonly inFlight: number;
  /** Stops accepting connections; open ones are still served. Idempotent. */
  begin(): void;
  /** Resolves once no request has been in flight for `quietMs`, or after `maxMs` at most. */
  settle(opts?: { quietMs?: number; maxMs?: number }): Promise<void>;
}

/** Call before `listen()`: counts requests and adds `Connection: close` while draining. */
export function trackHttpDrain(app: FastifyInstance): HttpDrain {
  let draining = false;
  let inFlight = 0;
  let lastActivity = Date.now();
  const wakers = new Set<() => void>();
  const touch = () => {
    lastActivity = Date.now();
    for (const w of wakers) w();
  };

  app.server.on('request', (_req, res) => {
    inFlight++;
    touch();
    // 'close' fires once the response is finished or its connection is gone (hijacked SSE replies too).
    res.once('close', () => {
      inFlight--;
      touch();
    });
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (draining) reply.header('connection', 'close');
    return payload;
  });

  return {
    get draining() {
      return draining;
    },
    get inFlight() {
      return inFlight;
    },
    begin() {
      if (draining) return;
      draining = true;
      touch();
      // net.Server#close, not http.Server#close: stop accepting without dropping idle keep-alive connections.
      if (app.server.listening) net.Server.prototype.close.call(app.server);
    },
    async settle({ quietMs = 250, maxMs = 10_000 } = {}) {
      const deadline = Date.now() + maxMs;
      for (;;) {
        const now = Date.now();
        if (now >= deadline || (inFlight === 0 && now - lastActivity >= quietMs)) return;
        const wait = inFlight === 0 ? quietMs - (now - lastActivity) : deadline - now;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            wakers.delete(done);
            resolve();
          };
          const timer = setTimeout(done, Math.max(1, Math.min(wait, deadline - now)));
          wakers.add(done);
        });
      }
    },
  };
}
