// `npm run demo -- --help` and a bad stream option answer before anything starts: no database opened, no port bound,
// no platform left running without its stream (the demo used to start the platform and pass --help to the stream).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { productionEnv, spawnService } from './process-helpers.ts';

describe('npm run demo: help and bad options', () => {
  const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'demo-cli-')), 'pglite');
  afterAll(() => fs.rmSync(path.dirname(dataDir), { recursive: true, force: true }));
  const demo = async (args: string[]) => {
    const s = spawnService('gateway/src/cli/demo.ts', args, productionEnv({ DATA_DIR: dataDir, PORT: '1' }));
    const { code } = await s.exited;
    return { code, out: s.output() };
  };

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
