// Machine-facing ingestion: POST /ingest/event (JSON), POST /ingest/csv (streamed, gzip ok, answers 202 with a job
// id at once and keeps reading), GET /ingest/jobs/:id, GET /ingest/jobs/:id/errors (every rejected row, paged), and
// the /stream/ws WebSocket (per-message acks, backpressure).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  type AuthError,
  correlationIdOf,
  isUuid,
  runInScope,
  withSpan,
  type AuthClaims,
} from '@carbon-nexus/plugin-sdk';
import type { Services } from '../config.ts';
import { ingestBatch, MAX_BATCH } from './pipeline.ts';
import { importCsv } from './csv.ts';
import { ImportJobTracker } from '../store/import-jobs.ts';
import type { DataCoreState } from '../state.ts';
import { toImportJob } from '../resolvers/imports.ts';
import { decodeRowCursor, rejectedRowsPage } from '../store/rejected-rows.ts';

const INGEST_ROLES = ['analyst', 'partner', 'admin', 'system'];
export const WS_PATH = '/stream/ws';
/** Messages queued per WebSocket connection before its socket is paused. */
const WS_HIGH_WATER = 8;
const WS_LOW_WATER = 2;

function canIngest(auth: AuthClaims): boolean {
  return auth.roles.some((r) => INGEST_ROLES.includes(r));
}

/** Body of POST /ingest/event: one event, an array of events, or {"events": [...]}. */
function eventsOfBody(body: unknown): unknown {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object' && 'events' in body && Array.isArray(body.events)) return body.events;
  return body;
}

/** Bad cursors are answered like the other bad query parameters (400 with a sentence), not as GraphQL errors. */
function rowCursorParam(after: string | undefined): { row: number; id: string } | null | undefined {
  try {
    return decodeRowCursor('after', after);
  } catch {
    return undefined;
  }
}

/**
 * Tracks running imports for the drain, bounded by data-core's own DATA_CORE_DRAIN_SECONDS from the moment draining
 * starts (the platform's PLUGIN_DRAIN_SECONDS bounds every plugin's drain as well). One abort listener for all.
 */
function importDrain(services: Services): (run: Promise<unknown>) => void {
  const release = new Set<() => void>();
  const limitMs = services.config.DATA_CORE_DRAIN_SECONDS * 1000;
  const giveUp = () => void setTimeout(() => release.forEach((r) => r()), limitMs).unref();
  services.lifecycle.signal.addEventListener('abort', giveUp, { once: true });
  return (run) => {
    const settled = new Promise<void>((resolve) => {
      release.add(resolve);
      // importCsv never rejects; if it ever did, tracking it must not turn it into an unhandled rejection (a crash).
      void run.catch(() => undefined).finally(() => (release.delete(resolve), resolve()));
    });
    void services.lifecycle.track(settled);
  };
}

export async function registerRoutes(app: FastifyInstance, services: Services, state: DataCoreState) {
  const ctx = { services, state };
  const stopping = () => services.lifecycle.signal.aborted;
  const trackImport = importDrain(services);

  const authenticate = async (req: FastifyRequest, reply: FastifyReply): Promise<AuthClaims | null> => {
    let auth: AuthClaims | null;
    try {
      auth = await services.authenticate(req);
    } catch (err) {
      void reply.code(401).send({ error: (err as AuthError).message });
      return null;
    }
    if (!auth) {
      void reply.code(401).send({ error: 'sign in first: send Authorization: Bearer <token>' });
      return null;
    }
    if (!canIngest(auth)) {
      void reply.code(403).send({ error: `ingestion needs one of the roles: ${INGEST_ROLES.join(', ')}` });
      return null;
    }
    return auth;
  };

  app.post('/ingest/event', async (req, reply) => {
    const auth = await authenticate(req, reply);
    if (!auth) return reply;
    const events = eventsOfBody(req.body);
    const list = Array.isArray(events) ? events : [events];
    if (events === undefined || events === null || typeof events !== 'object') {
      return reply
        .code(400)
        .send({ error: 'body must be a JSON event object, an array of events, or {"events": [...]}' });
    }
    if (list.length > MAX_BATCH)
      return reply.code(413).send({ error: `at most ${MAX_BATCH} events per request (got ${list.length})` });
    // A server span continuing the sender's traceparent (a plain call when tracing is off).
    const r = await withSpan(
      'data-core POST /ingest/event',
      () =>
        runInScope({ auth, correlationId: correlationIdOf(req) }, () =>
          ingestBatch(ctx, list, { defaultSource: 'api', auth }),
        ),
      { kind: 'server', remoteParent: req.headers },
    );
    return reply.code(r.accepted + r.duplicates === 0 && r.rejected > 0 ? 422 : 200).send({
      accepted: r.accepted,
      rejected: r.rejected,
      duplicates: r.duplicates,
      results: r.results.map((x) => ({ ...x, status: x.status.toUpperCase() })),
    });
  });

  app.get('/ingest/jobs/:id', async (req, reply) => {
    const auth = await authenticate(req, reply);
    if (!auth) return reply;
    const { id } = req.params as { id: string };
    if (!isUuid(id)) return reply.code(400).send({ error: 'id must be a uuid' });
    const [row] = await services.db.query<Record<string, any>>(`SELECT * FROM import_jobs WHERE id = $1`, [id]);
    if (!row || (auth.supplierIds && row.user_id !== auth.sub))
      return reply.code(404).send({ error: `import job ${id} not found` });
    const job = toImportJob(row);
    return { ...job, errors: job.errorSample.slice(0, 100), errorSample: undefined };
  });

  // Every rejected row of a job, in file order, paged (keyset on the row number): ?after=<row>&limit=<1..1000>.
  app.get('/ingest/jobs/:id/errors', async (req, reply) => {
    const auth = await authenticate(req, reply);
    if (!auth) return reply;
    const { id } = req.params as { id: string };
    if (!isUuid(id)) return reply.code(400).send({ error: 'id must be a uuid' });
    const q = req.query as Record<string, string | undefined>;
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      return reply.code(400).send({ error: 'limit must be a whole number from 1 to 1000' });
    const after = rowCursorParam(q.after);
    if (after === undefined)
      return reply.code(400).send({ error: 'after must be a cursor returned as nextCursor (or endCursor)' });
    const [job] = await services.db.query<{ user_id: string | null }>(`SELECT user_id FROM import_jobs WHERE id = $1`, [
      id,
    ]);
    if (!job || (auth.supplierIds && job.user_id !== auth.sub))
      return reply.code(404).send({ error: `import job ${id} not found` });
    const page = await rejectedRowsPage(services.db, id, limit, after);
    return {
      jobId: id,
      totalCount: page.totalCount,
      rows: page.rows.map((r) => ({
        row: r.row,
        errors: r.errors.map(({ column, reason }) => ({ column, reason })),
        payload: r.payload,
      })),
      nextCursor: page.hasNextPage ? page.endCursor : null,
    };
  });

  // CSV in its own encapsulated scope: the body is left unparsed and streamed from req.raw.
  await app.register(async (scope) => {
    // Fastify's own text/plain and JSON parsers would read (and eat) the upload before the route sees it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    scope.post('/ingest/csv', async (req, reply) => {
      const auth = await authenticate(req, reply);
      if (!auth) {
        req.raw.resume();
        return reply;
      }
      const type = String(req.headers['content-type'] ?? '')
        .split(';')[0]
        .trim()
        .toLowerCase();
      const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
      const gzip =
        type === 'application/gzip' || type === 'application/x-gzip' || encoding === 'gzip' || encoding === 'x-gzip';
      const okType = [
        'text/csv',
        'application/csv',
        'text/plain',
        'application/octet-stream',
        'application/gzip',
        'application/x-gzip',
        '',
      ].includes(type);
      if (!okType || !['identity', 'gzip', 'x-gzip'].includes(encoding)) {
        req.raw.resume();
        return reply.code(415).send({
          error: `send text/csv (optionally content-encoding: gzip) or application/gzip; got ${type || 'no content-type'}${encoding !== 'identity' ? ` with content-encoding ${encoding}` : ''}`,
        });
      }
      if (stopping()) {
        req.raw.resume();
        return reply.code(503).send({ error: 'shutting down' });
      }
      const query = req.query as Record<string, string | undefined>;
      const source = String(query.filename ?? req.headers['x-filename'] ?? 'upload.csv').slice(0, 200);
      const job = await ImportJobTracker.create(services, 'csv', source, auth.sub);
      await services.audit({
        action: 'import.csv',
        entityType: 'import_job',
        entityId: job.id,
        metadata: { source, gzip },
      });
      const socket = req.raw.socket;
      const run = withSpan(
        'data-core POST /ingest/csv',
        () =>
          runInScope({ auth, correlationId: correlationIdOf(req) }, () =>
            importCsv(ctx, job, req.raw, { gzip, auth, socket }),
          ),
        {
          kind: 'server',
          remoteParent: req.headers,
        },
      );
      trackImport(run);
      // The job id goes out at once in the response headers (202, X-Import-Job-Id, Location), flushed before the
      // upload is read; the JSON body (the job's final summary) follows once the body is consumed. Finishing the
      // response earlier would make Node stop reading the rest of the upload (measured: a stalled import).
      reply.hijack();
      const res = reply.raw;
      res.writeHead(202, {
        'content-type': 'application/json; charset=utf-8',
        'x-import-job-id': job.id,
        location: `/ingest/jobs/${job.id}`,
        'x-correlation-id': correlationIdOf(req),
      });
      res.flushHeaders();
      try {
        await run;
        const [row] = await services.db.query<Record<string, any>>(`SELECT * FROM import_jobs WHERE id = $1`, [job.id]);
        const j = toImportJob(row);
        res.end(JSON.stringify({ jobId: job.id, ...j, errors: j.errorSample.slice(0, 100), errorSample: undefined }));
      } catch (err) {
        services.logger.error({ err }, 'csv import failed');
        res.end(JSON.stringify({ jobId: job.id, status: 'FAILED', error: 'internal error; see importJob(id)' }));
      }
    });
  });

  attachWebSocket(app, services, state);
}

/** The token of a WebSocket upgrade (?token= or the Authorization header), verified by the platform. */
function upgradeClaims(services: Services, token: string): Promise<AuthClaims | null> {
  return services.authenticate({ headers: { authorization: `Bearer ${token}` } });
}

function attachWebSocket(app: FastifyInstance, services: Services, state: DataCoreState) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  // Open connections close when the plugin drains (the server tracks its clients).
  services.lifecycle.signal.addEventListener(
    'abort',
    () => wss.clients.forEach((ws) => ws.close(1001, 'server shutting down')),
    { once: true },
  );
  const server = app.server;
  // Other WebSocket servers on this HTTP server (graphql-ws) abort upgrades for paths they do not own,
  // so our path is taken out of the 'upgrade' event before they see it.
  const emit = server.emit.bind(server) as (event: string, ...args: unknown[]) => boolean;
  server.emit = (event: string, ...args: unknown[]) => {
    if (event === 'upgrade') {
      const req = args[0] as IncomingMessage;
      if ((req.url ?? '').split('?')[0] === WS_PATH) {
        void handleUpgrade(req, args[1] as Duplex, args[2] as Buffer);
        return true;
      }
    }
    return emit(event, ...args);
  };

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const url = new URL(req.url ?? '/', 'http://x');
    const header = req.headers.authorization;
    const token = url.searchParams.get('token') ?? (header ? header.replace(/^Bearer\s+/i, '') : null);
    let auth: AuthClaims | null = null;
    let deny: string | null = null;
    try {
      if (!token) deny = '401 Unauthorized';
      else {
        auth = await upgradeClaims(services, token);
        if (!auth) deny = '401 Unauthorized';
        else if (!canIngest(auth)) deny = '403 Forbidden';
      }
    } catch {
      deny = '401 Unauthorized';
    }
    if (deny || services.lifecycle.signal.aborted) {
      socket.end(`HTTP/1.1 ${deny ?? '503 Service Unavailable'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws, auth!, services, state));
  }
}

function serveConnection(ws: WebSocket, auth: AuthClaims, services: Services, state: DataCoreState) {
  const queue: { raw: string }[] = [];
  let busy = false;
  let paused = false;

  const send = (msg: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };

  const pump = async () => {
    if (busy) return;
    busy = true;
    try {
      while (queue.length) {
        const { raw } = queue.shift()!;
        if (paused && queue.length <= WS_LOW_WATER) {
          paused = false;
          ws.resume();
        }
        await handle(raw);
      }
    } finally {
      busy = false;
    }
  };

  const handle = async (raw: string) => {
    let msg: { id?: unknown; events?: unknown; event?: unknown } | null;
    try {
      msg = JSON.parse(raw);
    } catch (err) {
      return send({
        ack: null,
        accepted: 0,
        rejected: 0,
        duplicates: 0,
        errors: [{ index: null, field: '(message)', reason: `invalid JSON: ${(err as Error).message}` }],
      });
    }
    const ack = msg && typeof msg === 'object' && 'id' in msg ? msg.id : null;
    const events: unknown[] | null =
      msg && typeof msg === 'object' ? (Array.isArray(msg.events) ? msg.events : msg.event ? [msg.event] : null) : null;
    if (!events) {
      return send({
        ack,
        accepted: 0,
        rejected: 0,
        duplicates: 0,
        errors: [{ index: null, field: 'events', reason: 'message must be {"id": ..., "events": [...]}' }],
      });
    }
    if (events.length > MAX_BATCH) {
      return send({
        ack,
        accepted: 0,
        rejected: events.length,
        duplicates: 0,
        errors: [{ index: null, field: 'events', reason: `at most ${MAX_BATCH} events per message` }],
      });
    }
    try {
      const r = await runInScope({ auth }, () =>
        ingestBatch({ services, state }, events, { defaultSource: 'stream', auth }),
      );
      send({
        ack,
        accepted: r.accepted,
        rejected: r.rejected,
        duplicates: r.duplicates,
        eventIds: r.results.map((x) => x.eventId),
        errors: r.results.flatMap((x) => x.errors.map((e) => ({ index: x.index, ...e }))),
      });
    } catch (err) {
      services.logger.error({ err }, 'stream batch failed');
      send({
        ack,
        accepted: 0,
        rejected: 0,
        duplicates: 0,
        errors: [{ index: null, field: '(message)', reason: 'storing the batch failed; retry it' }],
        retry: true,
      });
    }
  };

  ws.on('message', (data, isBinary) => {
    queue.push({ raw: isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString() });
    if (!paused && queue.length >= WS_HIGH_WATER) {
      paused = true;
      ws.pause();
    }
    void pump();
  });
  ws.on('error', (err) => services.logger.warn({ err }, 'stream connection error'));
}
