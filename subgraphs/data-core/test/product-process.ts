// The real product (`gateway/src/main.ts`, what `npm start` runs) as a child process, for tests that need a process
// of their own: crashes, SIGKILL, restarts. NODE_ENV is not 'test' (it would hide some failures), the bus is the
// in-memory one, the database PGlite under `dataDir` or the PostgreSQL database at `databaseUrl`.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ProductProcess {
  /** http://127.0.0.1:<port> (no trailing slash). */
  url: string;
  child: ChildProcess;
  alive(): boolean;
  output(): string;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (SIGKILL after `graceMs`), then waits for the exit. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL now (a crash), then waits for the exit. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startProduct(opts: {
  dataDir?: string;
  databaseUrl?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}): Promise<ProductProcess> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(env)) if (k === 'NODE_ENV' || k.startsWith('VITEST') || k === 'TEST') delete env[k];
  for (const k of ['DATABASE_URL', 'DATA_DIR', 'REDIS_URL', 'BUS_URL', 'JWT_SECRET', 'JWT_JWKS_URL']) delete env[k];
  Object.assign(
    env,
    { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : { DATA_DIR: opts.dataDir },
    opts.env ?? {},
  );
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'gateway/src/main.ts')], {
    cwd: root,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal });
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the product did not start in ${opts.timeoutMs ?? 180_000} ms:\n${out}`)),
      opts.timeoutMs ?? 180_000,
    );
    const check = () => {
      const m = /Dashboard\s+(http:\/\/[^\s/]+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the product exited during start (code ${code}, signal ${signal}):\n${out}`));
    });
  });
  const p: ProductProcess = {
    url,
    child,
    alive: () => !exitedFlag,
    output: () => out,
    exited,
    async stop(graceMs = 60_000) {
      if (exitedFlag) return exited;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
    async kill() {
      if (!exitedFlag) child.kill('SIGKILL');
      return exited;
    },
  };
  return p;
}

/** A fresh PostgreSQL database on the server of DATABASE_URL; drop() removes it. */
export async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.DATABASE_URL!;
  const name = `cn_proc_${crypto.randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

/** GraphQL against the product; throws on errors. */
export async function gql<T = any>(
  base: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data!;
}
