// subscribeAlerts against a small real graphql-ws server that implements the alertRaised(after:)
// contract over an in-memory list (the gateway end-to-end test lives in gateway/test/subscriptions-resume).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { fileCursorStore, memoryCursorStore, subscribeAlerts, type Alert } from '../src/index.ts';

const schema = buildSchema(`
  enum Severity { INFO WARN CRITICAL }
  type Alert { id: ID! cursor: String! level: Severity! message: String! }
  type Query { ok: Boolean }
  type Subscription { alertRaised(minLevel: Severity, supplierIds: [ID!], after: String): Alert! }
`);

/** A server that replays alerts after the cursor then streams new ones; can drop every connection. */
async function alertServer() {
  const alerts: { id: string; cursor: string; level: string; message: string }[] = [];
  const listeners = new Set<() => void>();
  const tokens: string[] = [];
  const afters: (string | null)[] = [];
  const server = http.createServer();
  const wss = new WebSocketServer({ server, path: '/graphql' });
  useServer(
    {
      schema,
      onConnect: (ctx) => void tokens.push(String(ctx.connectionParams?.authorization)),
      roots: {
        subscription: {
          alertRaised: async function* (args: { after?: string | null }) {
            afters.push(args.after ?? null);
            let next =
              args.after == null ? alerts.length : alerts.findIndex((a) => BigInt(a.cursor) > BigInt(args.after!));
            if (next < 0) next = alerts.length;
            for (;;) {
              while (next < alerts.length) yield { alertRaised: alerts[next++] };
              await new Promise<void>((r) => listeners.add(r));
            }
          },
        },
      },
    },
    wss,
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    tokens,
    afters,
    raise(message: string) {
      const a = { id: `a${alerts.length + 1}`, cursor: String(alerts.length + 1), level: 'WARN', message };
      alerts.push(a);
      for (const l of [...listeners]) {
        listeners.delete(l);
        l();
      }
      return a;
    },
    dropAll() {
      for (const c of wss.clients) c.terminate();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => r());
      }),
  };
}

const until = async (pred: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('subscribeAlerts', () => {
  it('resumes from the last processed cursor after the connection drops: no gap, no duplicate', async () => {
    const srv = await alertServer();
    cleanup.push(srv.close);
    const got: Alert[] = [];
    const store = memoryCursorStore();
    const sub = subscribeAlerts({
      url: srv.url,
      selection: 'id cursor level message',
      token: 't1',
      cursorStore: store,
      minRetryMs: 20,
      maxRetryMs: 50,
      onAlert: (a) => void got.push(a),
    });
    cleanup.push(() => sub.close());
    await until(() => srv.afters.length === 1);
    srv.raise('one');
    srv.raise('two');
    await until(() => got.length === 2);
    srv.dropAll();
    srv.raise('three (while disconnected)');
    await until(() => srv.afters.length >= 2);
    srv.raise('four');
    await until(() => got.length === 4);
    expect(got.map((a) => a.message)).toEqual(['one', 'two', 'three (while disconnected)', 'four']);
    expect(srv.afters[0]).toBeNull();
    expect(srv.afters[1]).toBe('2');
    expect(store.value).toBe('4');
    expect(srv.tokens.every((t) => t === 'Bearer t1')).toBe(true);
  });

  it('starts from a stored cursor (file store) and asks a token function on every connect', async () => {
    const srv = await alertServer();
    cleanup.push(srv.close);
    srv.raise('old 1');
    srv.raise('old 2');
    srv.raise('missed 3');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cn-cursor-')), 'cursor');
    fs.writeFileSync(file, '2');
    let n = 0;
    const got: string[] = [];
    const sub = subscribeAlerts({
      url: srv.url,
      selection: 'id cursor level message',
      token: async () => `tok-${++n}`,
      cursorStore: fileCursorStore(file),
      minRetryMs: 20,
      maxRetryMs: 50,
      onAlert: (a) => void got.push(a.message),
    });
    cleanup.push(() => sub.close());
    await until(() => got.length === 1);
    expect(got).toEqual(['missed 3']);
    await until(() => fs.readFileSync(file, 'utf8') === '3');
    srv.dropAll();
    await until(() => srv.tokens.length === 2);
    expect(srv.tokens).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });
});
