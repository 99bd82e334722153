// The generated REST client against a small real HTTP server standing in for the gateway (the end-to-end runs are in
// gateway/test/rest-sse.test.ts): every operation has a typed method; path parameters, query strings and JSON bodies
// go where the route table says; problems are thrown with their fields; streams resume from the last event id.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRestClient, memoryCursorStore, restOperations, RestProblemError } from '../src/index.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server | null = null;

async function serve(handler: (req: Seen, res: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = null;
});

const json = (res: http.ServerResponse, status: number, body: unknown, type = 'application/json') =>
  res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));

describe('REST client', () => {
  it('has a method per operation, sends path parameters, query strings and JSON bodies as the route table says', async () => {
    const { url, seen } = await serve((req, res) =>
      json(
        res,
        200,
        req.url.startsWith('/api/v1/simulate') ? { new_value: 80, delta: -20 } : { nodes: [], totalCount: 0 },
      ),
    );
    const client = createRestClient({ url: url + '/', token: () => 'tok-1' });
    expect(Object.keys(client).sort()).toEqual(Object.keys(restOperations).sort());
    await client.hotspots({ first: 5, supplierIds: ['a', 'b'], status: null, severity: 'WARN' });
    const sim = await client.simulate({ vehicle_type: 'ev', route: 'R12', load_change: -20, supplier_id: 's1' });
    await client.approveRecommendation({ id: 'rec/1', reason: 'ok' });
    expect(sim).toEqual({ new_value: 80, delta: -20 });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /api/v1/hotspots?first=5&supplierIds=a&supplierIds=b&status=&severity=WARN',
      'POST /api/v1/simulate',
      'POST /api/v1/recommendations/rec%2F1/approve',
    ]);
    expect(JSON.parse(seen[1].body)).toEqual({ vehicle_type: 'ev', route: 'R12', load_change: -20, supplier_id: 's1' });
    expect(JSON.parse(seen[2].body)).toEqual({ reason: 'ok' });
    expect(seen.every((s) => s.headers.authorization === 'Bearer tok-1')).toBe(true);
    expect(seen[1].headers['content-type']).toBe('application/json');
  });

  it('throws problems with their status, code and field errors', async () => {
    const problem = {
      type: 'urn:carbon-nexus:problem:bad-user-input',
      title: 'Bad Request',
      status: 400,
      detail: 'load_change: must be a percent',
      instance: '/api/v1/simulate',
      correlationId: 'c-1',
      code: 'BAD_USER_INPUT',
      errors: [{ field: 'load_change', reason: 'must be a percent' }],
    };
    const { url } = await serve((_req, res) => json(res, 400, problem, 'application/problem+json'));
    const err = await createRestClient({ url })
      .simulate({ load_change: -300 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(RestProblemError);
    expect(err.status).toBe(400);
    expect(err.problem.errors).toEqual([{ field: 'load_change', reason: 'must be a percent' }]);
    expect(err.message).toBe('400 BAD_USER_INPUT: load_change: must be a percent');
  });

  it('streams: events in order, the cursor stored after each, and a reconnect resumes from it with Last-Event-ID', async () => {
    let connections = 0;
    const { url, seen } = await serve((req, res) => {
      connections++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('retry: 50\n\n');
      if (connections === 1) {
        res.write('id: 7\ndata: {"id":"a7","cursor":"7"}\n\n');
        res.write(': keep-alive\n\nid: 8\ndata: {"id":"a8",');
        res.end('"cursor":"8"}\n\n'); // an event split across chunks, then the connection drops
      } else {
        res.write(`id: 9\ndata: {"id":"a9","cursor":"9"}\n\n`);
      }
    });
    const store = memoryCursorStore('6');
    const got: string[] = [];
    const stream = createRestClient({ url, token: 'p' }).alertStream(
      { minLevel: 'WARN' },
      { onEvent: (a) => void got.push(a.id), cursorStore: store },
    );
    for (let i = 0; i < 100 && got.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    await stream.close();
    expect(got).toEqual(['a7', 'a8', 'a9']);
    expect(store.value).toBe('9');
    expect(seen[0]).toMatchObject({
      url: '/api/v1/alerts/stream?minLevel=WARN',
      headers: expect.objectContaining({ 'last-event-id': '6', accept: 'text/event-stream' }),
    });
    expect(seen[1].headers['last-event-id']).toBe('8');
  });

  it('a stream the server refuses stops with the problem instead of retrying', async () => {
    const { url, seen } = await serve((_req, res) =>
      json(res, 403, {
        status: 403,
        code: 'FORBIDDEN',
        detail: 'needs partner',
        title: 'Forbidden',
        type: 'x',
        instance: '/api/v1/alerts/stream',
        correlationId: 'c',
      }),
    );
    const errors: unknown[] = [];
    const stream = createRestClient({ url }).alertStream(
      {},
      { onEvent: () => undefined, onError: (e) => void errors.push(e), retryMs: 10 },
    );
    for (let i = 0; i < 50 && !errors.length; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    await stream.close();
    expect(errors).toHaveLength(1);
    expect((errors[0] as RestProblemError).status).toBe(403);
    expect(seen).toHaveLength(1);
  });
});
