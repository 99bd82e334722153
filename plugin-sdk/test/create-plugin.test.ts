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
    const out = execFileSync(process.execPath, [bin, 'create-plugin', 'acme-freight', '--dir', base], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/created .*acme-freight/);
    for (const f of [
      'package.json',
      'schema.graphql',
      'src/plugin.ts',
      'src/resolvers/index.ts',
      'test/plugin.test.ts',
      'README.md',
    ]) {
      expect(fs.existsSync(path.join(base, 'acme-freight', f)), f).toBe(true);
    }
    const acme = (await import(pathToFileURL(path.join(base, 'acme-freight/src/plugin.ts')).href)).default as AnyPlugin;
    const { plugins } = await loadPlatformConfig();
    const report = await assertConformance(acme, {
      peers: plugins,
      entities: { Supplier: [{ id: '00000000-0000-4000-8000-000000000001' }] },
    });
    expect(report.checks.map((c) => c.ok)).not.toContain(false);
    expect(report.checks.find((c) => c.name.startsWith('bad configuration'))!.detail).toMatch(
      /ACME_FREIGHT_POLL_SECONDS/,
    );

    // Registered beside the platform's plugins, its fields join the one graph.
    const db = await createTestDatabase();
    const gw = await startGateway({
      plugins: [...plugins, acme],
      port: 0,
      serveWeb: false,
      host: { db, migrate: false, scheduler: false },
    });
    try {
      const token = await signDevToken({ roles: ['analyst'] });
      const call = async (query: string) =>
        (await (
          await fetch(`${gw.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query }),
          })
        ).json()) as any;
      const r = await call('{ acmeFreightStatus suppliers { totalCount } }');
      expect(r.errors).toBeUndefined();
      expect(r.data.acmeFreightStatus).toMatch(/^running since/);
      // The example entity field answers with data-core's figures for a supplier, through data-core's client.
      const created = await call('mutation { createSupplier(input: { name: "Acme" }) { id } }');
      const supplierId = created.data.createSupplier.id as string;
      const at = new Date(Date.now() - 3_600_000).toISOString();
      const ingested = await call(
        `mutation { ingestEvents(events: [{ supplierId: "${supplierId}", eventType: TRANSPORT, timestamp: "${at}", fuelL: 32, fuelType: "diesel", distanceKm: 100 }]) { accepted } }`,
      );
      expect(ingested.data.ingestEvents.accepted).toBe(1);
      const summary = await call(
        `{ supplier(id: "${supplierId}") { acmeFreightSummary(hours: 24) { co2eKg events } } }`,
      );
      expect(summary.errors).toBeUndefined();
      expect(summary.data.supplier.acmeFreightSummary.events).toBe(1);
      expect(summary.data.supplier.acmeFreightSummary.co2eKg).toBeGreaterThan(90); // 32 L of diesel, well-to-wheel
    } finally {
      await gw.close();
      await db.close();
    }
    // Conformance, then every platform plugin and a gateway booted: more than the default minute on a busy 2-core box.
  }, 150_000);

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
    expect(run(['create-plugin', 'Acme_Freight', '--dir', base])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/invalid plugin name "Acme_Freight"/),
    });
    fs.mkdirSync(path.join(base, 'taken'), { recursive: true });
    expect(run(['create-plugin', 'taken', '--dir', base])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/already exists/),
    });
  });
});
