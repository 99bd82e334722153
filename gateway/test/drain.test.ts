// The drain path of close() (what SIGTERM runs), in process: new connections are refused at once, /readyz on a
// connection the server already has answers 503 and closes it, a request in flight when close() began still gets its
// full answer, and only then does close() resolve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { definePlugin, gql } from '@carbon-nexus/plugin-sdk';
import { waitFor } from '@carbon-nexus/plugin-sdk/testkit';
import type { GatewayServer } from '../src/index.ts';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';

let entered = 0;
let release!: () => void;
const gate = new Promise<void>((r) => (release = r));

const held = definePlugin({
  id: 'held',
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Query { held: String! }
  `,
  resolvers: {
    Query: {
      async held() {
        entered++;
        await gate;
        return 'answered after the drain began';
      },
    },
  },
});

describe('gateway close(): drain', () => {
  let platform: TestPlatform;
  let gw: GatewayServer;
  const agent = new Agent({ connections: 2, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });

  beforeAll(async () => {
    const env = { DATABASE_URL: undefined, REDIS_URL: undefined, BUS_URL: undefined };
    platform = await startTestPlatform({ plugins: [held], env });
    platform.defer(() => agent.close());
    platform.defer(() => release());
    gw = platform.gateway;
  }, 120_000);
  afterAll(() => platform?.close());

  it('refuses new connections, answers 503 on /readyz, finishes the request in flight, then resolves', async () => {
    // Two open keep-alive connections.
    const warm = await Promise.all([0, 1].map(() => request(`${gw.url}/readyz`, { dispatcher: agent })));
    for (const w of warm) {
      expect(w.statusCode).toBe(200);
      await w.body.dump();
    }
    const inFlight = request(`${gw.url}/graphql`, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ held }' }),
    });
    await waitFor('the request to reach its resolver', () => entered === 1, 20_000);

    let closed = false;
    const closing = gw.close().then(() => void (closed = true));

    // The other open connection: still served, told the service is going away, and closed after the answer.
    const probe = await request(`${gw.url}/readyz`, { dispatcher: agent });
    expect(probe.statusCode).toBe(503);
    expect(probe.headers.connection).toBe('close');
    expect(await probe.body.json()).toMatchObject({ status: 'not ready', checks: { shuttingDown: true } });
    // A new connection is refused: the listener is closed.
    await expect(fetch(`${gw.url}/healthz`)).rejects.toThrow(/fetch failed/);

    expect(closed).toBe(false); // still waiting for the request in flight
    release();
    const res = await inFlight;
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ data: { held: 'answered after the drain began' } });
    await closing;
    expect(closed).toBe(true);
  });
});
