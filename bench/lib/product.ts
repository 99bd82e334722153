// The real product (`gateway/src/main.ts`) as its own process on fresh data, and the CSV the import benchmarks
// stream to it: shared by bench/import-1m.ts and bench/import-probe.ts.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDatabase, type Database, type Prisma } from '@carbon-nexus/db';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SUPPLIERS = 10;
export const CSV_HEADER =
  'external_id,supplier_external_id,event_type,timestamp,distance_km,load_kg,vehicle_type,speed_kmh\n';
const START = Date.parse('2024-01-01T00:00:00Z');
/** Row i of the benchmark CSV (supplier `M1-<i mod 10>`, one trip every 30 s from 2024-01-01). */
export const csvRow = (i: number) => ({
  ext: `m${i}`,
  sup: `M1-${i % SUPPLIERS}`,
  ts: new Date(START + i * 30_000).toISOString(),
  d: 20 + (i % 400),
  l: 1000 + ((i * 37) % 20000),
  v: 'rigid_truck',
  s: 40 + (i % 60),
});
export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

export interface FreshDatabase {
  dataDir?: string;
  url?: string;
  open(): Promise<Database>;
  drop(): Promise<void>;
}

/** A fresh database of the target kind: a PGlite directory or a PostgreSQL database (URL for the child process). */
export async function freshDatabase(target: 'pglite' | 'postgres', prefix = 'cn-bench'): Promise<FreshDatabase> {
  if (target === 'pglite') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    return {
      dataDir,
      open: () => createDatabase({ dataDir }),
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `${prefix.replace(/\W/g, '_')}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(process.env.DATABASE_URL!);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    open: () => createDatabase({ url: u.toString() }),
    async drop() {
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface Product {
  url: string;
  pid: number;
  /** The process's resident memory now (bytes, from /proc). */
  rss(): number;
  output(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after 120 s); resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL without waiting for anything (cleanup). */
  kill(): Promise<void>;
}

/** The product as its own process (NODE_ENV=production, like a deployment); `env` adds settings, `nodeArgs` flags. */
export async function startProduct(
  where: { dataDir?: string; url?: string },
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<Product> {
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
  };
  for (const k of ['DATABASE_URL', 'DATA_DIR', 'REDIS_URL', 'BUS_URL', 'JWT_SECRET', 'JWT_JWKS_URL'])
    delete childEnv[k];
  if (where.url) childEnv.DATABASE_URL = where.url;
  else childEnv.DATA_DIR = where.dataDir;
  Object.assign(childEnv, env);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(root, 'gateway/src/main.ts')], {
    cwd: root,
    env: childEnv as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the product did not start:\n${out}`)), 300_000);
      const check = () => {
        const m = /Dashboard\s+(http:\/\/[^\s/]+)\//.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child.stdout!.on('data', check);
      void exited.then((code) => reject(new Error(`the product exited (${code}) during start:\n${out}`)));
    });
    return {
      url,
      pid: child.pid!,
      rss: () => {
        try {
          return (
            Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024
          );
        } catch {
          return 0;
        }
      },
      output: () => out,
      kill,
      async stop() {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 120_000);
        const code = await exited;
        clearTimeout(t);
        return code;
      },
    };
  } catch (err) {
    await kill();
    throw err;
  }
}

/** POST /graphql; throws on GraphQL errors. */
export async function gql(url: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as any;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** A CSV row's fields, as csvRow and the benches' own generators give them. */
export type BenchRow = ReturnType<typeof csvRow>;

/**
 * Makes the events_normalized rows the import would store (the method engine's figure and its compact factor
 * list), for the raw Prisma createMany baselines. The engine is loaded once, outside the timed loop.
 */
export async function baselineEventRows(): Promise<
  (r: BenchRow, supplierId: string) => Prisma.EventNormalizedCreateManyInput
> {
  const engine = await import('../../subgraphs/data-core/src/domain/figure.ts');
  const factors = await import('../../subgraphs/data-core/src/domain/factors/index.ts');
  return (r, supplierId) => {
    const id = crypto.randomUUID();
    const fig = engine.emissionFigure(
      { eventType: 'transport', distanceKm: r.d, loadKg: r.l, vehicleType: r.v, speedKmh: r.s } as any,
      'GB',
    );
    if (!fig.ok) throw new Error(fig.error.reason);
    const f = fig.figure;
    return {
      id,
      rawId: id,
      externalId: r.ext,
      eventType: 'transport',
      supplierId,
      timestamp: new Date(r.ts),
      distanceKm: r.d,
      loadKg: r.l,
      vehicleType: r.v,
      speedKmh: r.s,
      co2eKg: f.co2eKg,
      ttwKg: f.ttwKg,
      wttKg: f.wttKg,
      method: f.method,
      factorBoundary: f.boundary,
      factors: factors.compactUses(f.factors) as any,
      methodNote: f.note,
      factorSet: f.factorSet,
      tonneKm: f.tonneKm,
      factorId: f.factorId,
      factorVersion: f.factorVersion,
      factorSource: f.factorSource,
      dataSource: 'csv',
      qualityStatus: 'valid',
    };
  };
}

/** The benchmark CSV, `n` rows after the header, generated as it is read. */
export function csvStream(n: number): Readable {
  let i = 0;
  return new Readable({
    read() {
      let chunk = i === 0 ? CSV_HEADER : '';
      for (let k = 0; k < 2000 && i < n; k++, i++) {
        const r = csvRow(i);
        chunk += `${r.ext},${r.sup},transport,${r.ts},${r.d},${r.l},${r.v},${r.s}\n`;
      }
      this.push(chunk);
      if (i >= n) this.push(null);
    },
  });
}

/** Streams the benchmark CSV (`rows` rows, with backpressure) to POST /ingest/csv; resolves with the job id. */
export function uploadCsv(url: string, token: string, rows: number, filename: string): Promise<string> {
  return uploadCsvBody(url, token, csvStream(rows), filename);
}

/**
 * Streams a CSV body to POST /ingest/csv; resolves with the job id, which arrives at once in the 202's headers (the
 * response body, the final summary, completes after the upload).
 */
export function uploadCsvBody(url: string, token: string, body: Readable, filename?: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const req = http.request(
      `${url}/ingest/csv${filename ? `?filename=${encodeURIComponent(filename)}` : ''}`,
      { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        if (res.statusCode === 202) resolve(String(res.headers['x-import-job-id']));
        else reject(new Error(`HTTP ${res.statusCode}`));
      },
    );
    req.on('error', reject);
    body.pipe(req);
  });
}

/** Creates the CSV's suppliers (`M1-0` … `M1-9`) through the API. */
export async function createCsvSuppliers(url: string, token: string): Promise<void> {
  for (let s = 0; s < SUPPLIERS; s++) {
    await gql(
      url,
      token,
      `mutation($x: String!) { createSupplier(input: { name: $x, externalId: $x, category: TRANSPORT, country: "GB" }) { id } }`,
      { x: `M1-${s}` },
    );
  }
}
