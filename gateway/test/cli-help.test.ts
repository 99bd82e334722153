// `npm start -- --help`, `npm run demo -- --help` and bad options answer before anything starts: no database opened,
// no port bound, no platform left running without its stream (the demo used to start the platform and pass --help to
// the stream; npm start ignored its arguments, so `npm start -- --port 5000` ran on 4000).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { productionEnv, spawnService } from './process-helpers.ts';

const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-help-')), 'pglite');
afterAll(() => fs.rmSync(path.dirname(dataDir), { recursive: true, force: true }));
const run = async (script: string, args: string[]) => {
  const s = spawnService(script, args, productionEnv({ DATA_DIR: dataDir, PORT: '1' }));
  const { code } = await s.exited;
  return { code, out: s.output() };
};

describe('npm start: help and arguments', () => {
  it.each([['--help'], ['-h']])(
    '%s lists the main settings and exits 0 without starting anything',
    async (flag) => {
      const { code, out } = await run('gateway/src/main.ts', [flag]);
      expect(code).toBe(0);
      expect(out).toMatch(/^npm start — the whole product in one process/);
      for (const setting of ['PORT=', 'DATA_DIR=', 'DATABASE_URL=', 'REDIS_URL=', 'LOG_LEVEL='])
        expect(out).toContain(setting);
      expect(out).not.toContain('Carbon Nexus is running');
      expect(fs.existsSync(dataDir)).toBe(false);
    },
    60_000,
  );

  it('refuses arguments (settings are environment variables), naming them, exit 2', async () => {
    const { code, out } = await run('gateway/src/main.ts', ['--port', '5000']);
    expect(code).toBe(2);
    expect(out).toContain('npm start takes no arguments (got --port 5000)');
    expect(out).toContain('PORT=5000 npm start');
    expect(fs.existsSync(dataDir)).toBe(false);
  }, 60_000);
});

describe('npm run demo: help and bad options', () => {
  const demo = (args: string[]) => run('gateway/src/cli/demo.ts', args);

  it('--help prints the demo and stream options and exits 0 without starting anything', async () => {
    const { code, out } = await demo(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^npm run demo \[-- <stream options>\]/);
    expect(out).toContain('DEMO_BACKFILL_DAYS');
    expect(out).toContain('--hotspot-at <minutes>');
    expect(out).not.toMatch(/Carbon Nexus is running|database migrated/);
    expect(fs.existsSync(dataDir)).toBe(false);
  }, 60_000);

  it.each([
    [['--speed', 'abc'], /--speed must be a number between 1 and 86400 \(got "abc"\)/],
    [['--hotspot-supplier', 'nobody'], /--hotspot-supplier must be one of /],
    [['--bogus'], /Unknown option '--bogus'/],
  ])(
    '%j exits 2 naming the option, without starting anything',
    async (args, message) => {
      const { code, out } = await demo(args);
      expect(code).toBe(2);
      expect(out).toMatch(message);
      expect(out).toContain('npm run demo -- --help');
      expect(fs.existsSync(dataDir)).toBe(false);
    },
    60_000,
  );
});
