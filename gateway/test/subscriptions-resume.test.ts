// Partners never miss an alert: the partner client (real graphql-ws client) resumes alertRaised(after:)
// through the gateway after a forced disconnect — exactly the missed alerts, no gap, no duplicate.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryCursorStore, subscribeAlerts, type Alert } from '@carbon-nexus/partner-client';
import type { GatewayServer } from '../src/index.ts';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';
import { RAISE, S1, S2, eventually, gql_, tcAlerts, tcSuppliers } from './subscriptions.fixtures.ts';

// The test plugins' Alert has fewer fields than orchestration's: ask for those.
const selection = 'id cursor level message hotspot { id severity supplier { id name } }';

/** A TCP proxy in front of the gateway that can cut every connection and refuse new ones. */
function cuttableProxy(targetPort: number) {
  const sockets = new Set<net.Socket>();
  let blocked = false;
  const server = net.createServer((client) => {
    if (blocked) return void client.destroy();
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  return {
    async start() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return (server.address() as AddressInfo).port;
    },
    cut() {
      blocked = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      blocked = false;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

let platform: TestPlatform;
let gw: GatewayServer;
let analyst: string;

beforeAll(async () => {
  platform = await startTestPlatform({ plugins: [tcSuppliers, tcAlerts] });
  gw = platform.gateway;
  analyst = await platform.token('analyst', { sub: 'ana' });
});

afterAll(() => platform?.close());

async function raise(level: string, supplierId: string, message: string) {
  const r = await gql_(gw.url, RAISE, { level, supplierId, message }, analyst);
  expect(r.errors).toBeUndefined();
  return r.data.raiseTestAlert as { id: string; cursor: string };
}

describe('partner alert stream with resume', () => {
  it('resumes after a forced disconnect with exactly the missed alerts (no gap, no duplicate)', async () => {
    const proxy = cuttableProxy(gw.port);
    const port = await proxy.start();
    const partner = await platform.token('partner', { sub: 'partner-1' });
    const received: Alert[] = [];
    const subscribedFrom: (string | null)[] = [];
    const errors: unknown[] = [];
    const store = memoryCursorStore();
    const sub = subscribeAlerts({
      url: `http://127.0.0.1:${port}/graphql`,
      token: partner,
      minLevel: 'WARN',
      selection,
      cursorStore: store,
      minRetryMs: 100,
      maxRetryMs: 300,
      onAlert: (a) => void received.push(a),
      onSubscribed: (after) => void subscribedFrom.push(after),
      onError: (e) => void errors.push(e),
    });
    try {
      const alertsState = gw.host!.plugins.get('tc-alerts')!.state as { active: number };
      await eventually(() => alertsState.active === 1, 5000, 'live subscription');
      const live = [await raise('WARN', S1, 'live 1'), await raise('CRITICAL', S2, 'live 2')];
      await eventually(() => received.length === 2, 5000, 'two live alerts');
      expect(received[1].hotspot.supplier).toEqual({ id: S2, name: 'Borealis Steel' });

      proxy.cut();
      await eventually(() => alertsState.active === 0, 5000, 'gateway noticed the disconnect');
      // Raised while the partner is offline (one below its minLevel).
      const missed = [];
      missed.push(await raise('CRITICAL', S1, 'missed 1'));
      await raise('INFO', S1, 'missed (info, filtered)');
      missed.push(await raise('WARN', S2, 'missed 2'));
      missed.push(await raise('CRITICAL', S2, 'missed 3'));
      proxy.restore();

      await eventually(() => received.length >= 5, 10_000, 'missed alerts after reconnect');
      const after = await raise('WARN', S1, 'after reconnect');
      await eventually(() => received.length >= 6, 5000, 'live again');
      await new Promise((r) => setTimeout(r, 200));

      expect(received.map((a) => a.message)).toEqual([
        'live 1',
        'live 2',
        'missed 1',
        'missed 2',
        'missed 3',
        'after reconnect',
      ]);
      expect(received.map((a) => a.id)).toEqual([...live, ...missed, after].map((a) => a.id));
      // The resumed subscription asked for alerts after the last one processed before the cut.
      expect(subscribedFrom[0]).toBeNull();
      expect(subscribedFrom).toContain(live[1].cursor);
      expect(store.value).toBe(after.cursor);
      expect(sub.cursor).toBe(after.cursor);
      // Replayed alerts carry their cross-subgraph fields too.
      expect(received[3].hotspot.supplier).toEqual({ id: S2, name: 'Borealis Steel' });
    } finally {
      await sub.close();
      await proxy.close();
    }
  });

  it('redelivers an alert whose handler failed (the cursor only advances after onAlert succeeds)', async () => {
    const partner = await platform.token('partner', { sub: 'partner-2' });
    const seen: string[] = [];
    let failOnce = true;
    const froms: unknown[] = [];
    const errs: unknown[] = [];
    const start = await raise('WARN', S1, 'baseline');
    const sub = subscribeAlerts({
      url: gw.url + '/graphql',
      token: partner,
      selection,
      cursorStore: memoryCursorStore(start.cursor),
      minRetryMs: 50,
      maxRetryMs: 100,
      onSubscribed: (a) => void froms.push(a),
      onError: (e) => void errs.push(String(e)),
      onAlert: (a) => {
        seen.push(a.message);
        if (a.message === 'flaky' && failOnce) {
          failOnce = false;
          throw new Error('database busy');
        }
      },
    });
    try {
      const alertsState = gw.host!.plugins.get('tc-alerts')!.state as { active: number };
      await eventually(() => alertsState.active >= 1, 5000, 'subscription');
      await raise('WARN', S1, 'flaky');
      await raise('WARN', S1, 'next');
      await eventually(() => seen.filter((m) => m === 'next').length === 1, 10_000, 'redelivery');
      expect(seen).toEqual(['flaky', 'flaky', 'next']);
    } finally {
      await sub.close();
    }
  });
});
