// services.call to a plugin over HTTP that cannot answer: the error names the plugin and the reason, never its
// internal address, and says so plainly when something other than a GraphQL server answered (a proxy's 502 page).
import http from 'node:http';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createCallRegistry, pluginOperation, PluginCallError } from '@carbon-nexus/plugin-sdk';

const Price = pluginOperation<{ price: number }>('pricing', '{ price }');
const quotesDeclares = { requires: ['pricing'], uses: {} };

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

describe('plugin calls over HTTP that fail', () => {
  const proxy = http.createServer((_req, res) =>
    res.writeHead(502, { 'content-type': 'text/html' }).end('<html>502 Bad Gateway</html>'),
  );
  afterAll(() => new Promise<void>((r) => proxy.close(() => r())));

  it('an unreachable plugin: named, with the reason, without its address', async () => {
    const dead = net.createServer();
    const port = await listen(dead);
    await new Promise<void>((r) => dead.close(() => r()));
    const calls = createCallRegistry();
    calls.registerRemote('pricing', `http://127.0.0.1:${port}/graphql`);
    const err = (await calls
      .caller(
        'quotes',
        quotesDeclares,
      )(Price)
      .catch((e: unknown) => e)) as PluginCallError;
    expect(err).toBeInstanceOf(PluginCallError);
    expect(err.message).toBe('call to plugin "pricing" failed: plugin "pricing" is unreachable: connection refused');
    expect(err.errors[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'pricing' });
    expect(err.message).not.toContain(String(port));
  });

  it('a non-GraphQL answer (a proxy error page) is reported as such', async () => {
    const port = await listen(proxy);
    const calls = createCallRegistry();
    calls.registerRemote('pricing', `http://127.0.0.1:${port}/graphql`);
    const err = (await calls
      .caller(
        'quotes',
        quotesDeclares,
      )(Price)
      .catch((e: unknown) => e)) as PluginCallError;
    expect(err.message).toBe(
      'call to plugin "pricing" failed: plugin "pricing" answered HTTP 502 without a GraphQL result',
    );
  });

  it('the removed string form, reached from untyped code, is refused before any request', async () => {
    const calls = createCallRegistry();
    calls.registerRemote('pricing', 'http://127.0.0.1:9/graphql'); // never contacted
    const untyped = calls.caller('quotes', quotesDeclares) as unknown as (...args: unknown[]) => Promise<unknown>;
    await expect(untyped('pricing', '{ price }')).rejects.toThrow(
      'plugin "quotes": services.call takes a typed operation (the producer\'s client, or pluginOperation(id, doc))',
    );
  });
});
