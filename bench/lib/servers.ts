// Servers for side-by-side gateway benchmarks, each started in its own child process (see run-server.ts)
// so the load generator never shares a CPU thread with the server it measures.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Child { url: string; info: Record<string, unknown>; stop(): Promise<void> }

/** Starts `bench/lib/run-server.ts <kind>`; resolves when it prints its READY line. */
export function startChild(kind: string, env: Record<string, string> = {}): Promise<Child> {
  return new Promise((resolve, reject) => {
    // node --import tsx (not the tsx wrapper): signals reach the server itself, so stop() really stops it.
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'run-server.ts'), kind], {
      env: { ...process.env, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${kind} did not start in 180 s`)), 180_000);
    child.stdout!.on('data', (d) => {
      buf += String(d);
      const m = /READY (\{.*\})/.exec(buf);
      if (m) {
        clearTimeout(timer);
        const info = JSON.parse(m[1]);
        resolve({
          url: info.url,
          info,
          stop: () =>
            new Promise<void>((r) => {
              child.once('exit', () => r());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 5000).unref();
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
