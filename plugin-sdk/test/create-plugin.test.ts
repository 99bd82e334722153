import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { findPlatformRoot, loadPlatformConfig, signDevToken, type AnyPlugin } from '@carbon-nexus/plugin-sdk';
import { assertConformance, createTestDatabase } from '@carbon-nexus/plugin-sdk/testkit';
import { startGateway } from '@carbon-nexus/gateway';

const root = findPlatformRoot();
// Inside the checkout so the scaffold resolves @carbon-nexus/plugin-sdk like a registered workspace would.
const base = path.join(root, '.tmp', `create-plugin-${process.pid}`);

describe('npx carbon-nexus create-plugin', () => {
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it('scaffolds a plugin that passes runConformance and shows up in the composed graph', async () => {
    const bin = path.join(root, 'plugin-sdk/bin/carbon-nexus.js');
    const out = execFileSync(process.execPath, [bin, 'create-plugin', 'acme-freight', '--dir', base], { encoding: 'utf8' });
    expect(out).toMatch(/created .*acme-freight/);
    for (const f of ['package.json', 'schema.graphql', 'src/plugin.ts', 'src/resolvers/index.ts', 'test/plugin.test.ts', 'README.md']) {
      expect(fs.existsSync(path.join(base, 'acme-freight', f)), f).toBe(true);
    }
    const acme = (await import(pathToFileURL(path.join(base, 'acme-freight/src/plugin.ts')).href)).default as AnyPlugin;
    const { plugins } = await loadPlatformConfig();
    const report = await assertConformance(acme, { peers: plugins, entities: { AcmeFreightShipment: [{ id: 'demo-1' }] } });
    expect(report.checks.map((c) => c.ok)).not.toContain(false);
    expect(report.checks.find((c) => c.name.startsWith('bad configuration'))!.detail).toMatch(/ACME_FREIGHT_POLL_SECONDS/);

    // Registered beside the platform's plugins, its fields join the one graph.
    const db = await createTestDatabase();
    const gw = await startGateway({ plugins: [...plugins, acme], port: 0, serveWeb: false, host: { db, migrate: false, scheduler: false } });
    try {
      const token = await signDevToken({ roles: ['analyst'] });
      const call = async (query: string) =>
        (await (await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) })).json()) as any;
      const r = await call('{ acmeFreightStatus suppliers { totalCount } }');
      expect(r.errors).toBeUndefined();
      expect(r.data.acmeFreightStatus).toMatch(/^running since/);
      const created = await call('mutation { createSupplier(input: { name: "Acme" }) { id acmeFreightShipments { co2eKg } } }');
      expect(created.data.createSupplier.acmeFreightShipments).toEqual([]);
    } finally {
      await gw.close();
      await db.close();
    }
  });

  it('refuses a bad name and an existing folder with a clear message', () => {
    const bin = path.join(root, 'plugin-sdk/bin/carbon-nexus.js');
    const run = (args: string[]) => {
      try {
        execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: 'pipe' });
        return { code: 0, err: '' };
      } catch (e: any) {
        return { code: e.status as number, err: String(e.stderr) };
      }
    };
    expect(run(['create-plugin', 'Acme_Freight', '--dir', base])).toMatchObject({ code: 2, err: expect.stringMatching(/invalid plugin name "Acme_Freight"/) });
    fs.mkdirSync(path.join(base, 'taken'), { recursive: true });
    expect(run(['create-plugin', 'taken', '--dir', base])).toMatchObject({ code: 2, err: expect.stringMatching(/already exists/) });
  });
});
