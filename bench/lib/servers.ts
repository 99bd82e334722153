// Servers for side-by-side gateway benchmarks, each started in its own child process (see run-server.ts)
// so the load generator never shares a CPU thread with the server it measures.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface ChildStats {
  /** CPU time so far (user + system, ms). */
  cpuMs: number;
  /** Resident memory now and at its peak (MB). */
  rssMb: number;
  peakRssMb: number;
  /** V8 heap reserved and used, and memory outside it held by JS objects (buffers), MB. */
  heapTotalMb: number;
  heapUsedMb: number;
  externalMb: number;
  /** Subgraph requests served so far (memory-subgraphs; 0 for other kinds). */
  requests: number;
  /** The server's event-loop delay since the previous stats request (ms): percentiles and maximum. */
  loopDelayMs: { p50: number; p99: number; max: number };
  /** Share of the time since the previous stats request that the main thread, and the database thread (embedded
   * PGlite in its own thread; else null), were busy (event-loop utilization, 0..1). */
  mainThreadBusy: number;
  databaseThreadBusy: number | null;
}

export interface Child {
  url: string;
  info: Record<string, unknown>;
  pid: number;
  /** The child's CPU time so far (user + system, ms). */
  cpuMs(): Promise<number>;
  stats(): Promise<ChildStats>;
  stop(): Promise<void>;
}

/**
 * The node flags the product runs with (npm start, deploy/Dockerfile's NODE_OPTIONS), given to every server alike so
 * the baselines run on the same heap settings. Later --node-args win.
 */
const DEPLOYED_NODE_FLAGS = ['--max-semi-space-size=64'];

/** Starts `bench/lib/run-server.ts <kind>`; resolves when it prints its READY line. */
export function startChild(kind: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Child> {
  return new Promise((resolve, reject) => {
    // node --import tsx (not the tsx wrapper): signals reach the server itself, so stop() really stops it.
    const child: ChildProcess = spawn(
      process.execPath,
      [...DEPLOYED_NODE_FLAGS, ...nodeArgs, '--import', 'tsx', path.join(here, 'run-server.ts'), kind],
      {
        // NODE_ENV=production for every server alike, as deployed (graphql-js drops its development-only checks).
        env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let buf = '';
    const statsWaiters: ((s: ChildStats) => void)[] = [];
    const stats = () =>
      new Promise<ChildStats>((r) => {
        statsWaiters.push(r);
        child.kill('SIGUSR2');
      });
    const timer = setTimeout(() => reject(new Error(`${kind} did not start in 180 s`)), 180_000);
    // Line by line (a large READY line arrives in several chunks): READY {json} once, then STATS {json} answers.
    // BENCH_CHILD_STDOUT=file: the server's stdout kept (e.g. with --node-args --trace-gc).
    const keep = process.env.BENCH_CHILD_STDOUT ? fs.createWriteStream(process.env.BENCH_CHILD_STDOUT) : null;
    child.stdout!.on('data', (d) => {
      keep?.write(d);
      buf += String(d);
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('STATS ')) statsWaiters.shift()?.(JSON.parse(line.slice(6)) as ChildStats);
        if (!line.startsWith('READY ')) continue;
        clearTimeout(timer);
        const info = JSON.parse(line.slice(6));
        resolve({
          url: info.url,
          info,
          pid: child.pid!,
          cpuMs: async () => (await stats()).cpuMs,
          stats,
          stop: () =>
            new Promise<void>((r) => {
              child.once('exit', () => r());
              child.kill('SIGTERM');
              // run-server bounds its own shutdown at 15 s (it drops its PostgreSQL database last): wait past that.
              setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
            }),
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited early with ${code}`));
    });
  });
}
