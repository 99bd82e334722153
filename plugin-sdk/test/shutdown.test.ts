// The SDK's one shutdown path, in real processes: the first SIGTERM drains (close()) and exits 0; a drain that
// fails or overruns SHUTDOWN_TIMEOUT_SECONDS exits 1; a second signal exits 1 at once. An unhandled promise rejection
// is logged and the process keeps running.
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const loader = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;

function child(mode: string, env: Record<string, string> = {}) {
  const { NODE_ENV: _n, VITEST: _v, ...inherited } = process.env;
  const p = spawn(process.execPath, ['--import', loader, path.join(here, 'fixtures/shutdown-child.ts'), mode], {
    cwd: root,
    env: { ...inherited, ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  p.stderr!.on('data', (d) => (out += d));
  const ready = new Promise<void>((resolve, reject) => {
    p.stdout!.on('data', () => out.includes('READY') && resolve());
    p.once('exit', () => reject(new Error(`exited before READY:\n${out}`)));
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
    p.once('exit', (code, signal) => r({ code, signal })),
  );
  return { p, ready, exited, out: () => out };
}

describe('shutdown path (real processes)', () => {
  it('SIGTERM: drains, logs, exits 0; an unhandled rejection before it was logged, not fatal', async () => {
    const c = child('drains');
    await c.ready;
    c.p.kill('SIGTERM');
    expect(await c.exited).toEqual({ code: 0, signal: null });
    expect(c.out()).toContain('unhandled promise rejection (the process keeps serving)');
    expect(c.out()).toContain('nobody awaited this');
    expect(c.out()).toContain('shutdown complete');
  }, 60_000);

  it('a drain that fails exits 1 with the reason', async () => {
    const c = child('fails');
    await c.ready;
    c.p.kill('SIGTERM');
    expect(await c.exited).toEqual({ code: 1, signal: null });
    expect(c.out()).toContain('could not close the database');
  }, 60_000);

  it('a drain that overruns SHUTDOWN_TIMEOUT_SECONDS exits 1', async () => {
    const c = child('hangs', { SHUTDOWN_TIMEOUT_SECONDS: '1' });
    await c.ready;
    c.p.kill('SIGTERM');
    expect(await c.exited).toEqual({ code: 1, signal: null });
    expect(c.out()).toContain('shutdown did not finish in time');
  }, 60_000);

  it('a second signal exits 1 at once', async () => {
    const c = child('hangs');
    await c.ready;
    c.p.kill('SIGTERM');
    await new Promise<void>((r) => {
      const check = () => (c.out().includes('shutting down') ? r() : setTimeout(check, 20));
      check();
    });
    c.p.kill('SIGINT');
    expect(await c.exited).toEqual({ code: 1, signal: null });
    expect(c.out()).toContain('second signal during shutdown');
  }, 60_000);
});
