// The dashboard while ml-engine is unreachable (its subgraph down; the rest of the product embedded), in Chromium:
// events whose figure waits for the model estimate (method MODEL) are marked pending — never shown as 0 — and counted
// as pending on the pulse; events with a recorded figure still show it, without a model estimate beside it; the
// event views keep their data and say what could not be loaded. PGlite, or PostgreSQL when DATABASE_URL is set.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { haveChromium, launchChromium } from '@carbon-nexus/gateway/testkit';
import { loadPlatformConfig } from '@carbon-nexus/plugin-sdk';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';
import { kg } from '../src/app/lib/format.ts';

const resultsDir = path.resolve(import.meta.dirname, '../test-results');
const WAIT = { timeout: 60_000 };

/** A port nothing listens on: where the ml-engine subgraph would be if it were up. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.runIf(haveChromium)('dashboard while ml-engine is unreachable', () => {
  let platform: TestPlatform;
  let gw: TestPlatform['gateway'];
  let browser: Browser;
  let page: Page;
  let analyst: string;
  const ids: Record<'model' | 'modelWarehouse' | 'energy' | 'activity', string> = {
    model: '',
    modelWarehouse: '',
    energy: '',
    activity: '',
  };
  const pageErrors: string[] = [];
  const gql = async (query: string, variables?: Record<string, unknown>) =>
    (await (
      await fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${analyst}` },
        body: JSON.stringify({ query, variables }),
      })
    ).json()) as any;

  beforeAll(async () => {
    const { plugins } = await loadPlatformConfig();
    platform = await startTestPlatform({
      plugins: plugins.filter((p) => p.id !== 'ml-engine'),
      // this process alone: its events go nowhere else
      env: { BUS_URL: 'memory' },
      gateway: { subgraphUrls: { 'ml-engine': `http://127.0.0.1:${await closedPort()}/graphql` }, serveWeb: true },
    });
    gw = platform.gateway;
    analyst = await platform.token('analyst', { sub: 'e2e-analyst' });
    for (const s of [
      { name: 'Apex Plastics', category: 'FACTORY', externalId: 'apex' },
      { name: 'Harbor Cold Storage', category: 'WAREHOUSE', externalId: 'harbor' },
      { name: 'Northwind Freight', category: 'TRANSPORT', externalId: 'northwind' },
    ]) {
      const r = await gql('mutation($input: SupplierInput!) { createSupplier(input: $input) { id } }', {
        input: { ...s, country: 'DE' },
      });
      expect(r.errors).toBeUndefined();
    }
    const at = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    const events = [
      {
        externalId: 'f-model',
        supplierExternalId: 'apex',
        eventType: 'FACTORY',
        timestamp: at(25),
        productionUnits: 120,
        region: 'EU',
      },
      {
        externalId: 'w-model',
        supplierExternalId: 'harbor',
        eventType: 'WAREHOUSE',
        timestamp: at(20),
        areaM2: 12000,
        refrigerated: true,
        region: 'EU',
      },
      {
        externalId: 'f-energy',
        supplierExternalId: 'apex',
        eventType: 'FACTORY',
        timestamp: at(15),
        energyKwh: 900,
        gasKwh: 400,
        productionUnits: 120,
        region: 'EU',
      },
      {
        externalId: 't-activity',
        supplierExternalId: 'northwind',
        eventType: 'TRANSPORT',
        timestamp: at(10),
        distanceKm: 140,
        loadKg: 9000,
        vehicleType: 'rigid_truck',
        fuelType: 'diesel',
        region: 'EU',
      },
    ];
    const res = await fetch(`${gw.url}/ingest/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${analyst}` },
      body: JSON.stringify(events),
    });
    const body = (await res.json()) as { accepted: number; results: { eventId: string }[] };
    expect(body.accepted).toBe(4);
    [ids.model, ids.modelWarehouse, ids.energy, ids.activity] = body.results.map((r) => r.eventId);

    browser = await launchChromium();
    platform.defer(() => browser.close());
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 240_000);

  afterAll(() => platform?.close());

  it('the graph answers with the events and names ml-engine as what is missing', async () => {
    const r = await gql('{ events(first: 10) { nodes { id method pending co2eKg prediction { co2eKg } } } }');
    expect(r.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
    const byId = new Map<string, any>(r.data.events.nodes.map((e: any) => [e.id, e]));
    expect(byId.get(ids.model)).toMatchObject({ method: 'MODEL', pending: true, co2eKg: null, prediction: null });
    expect(byId.get(ids.modelWarehouse)).toMatchObject({ method: 'MODEL', pending: true, co2eKg: null });
    expect(byId.get(ids.energy)).toMatchObject({ method: 'ENERGY', pending: false });
    expect(byId.get(ids.activity)).toMatchObject({ method: 'ACTIVITY', pending: false });
  });

  it('the activity feed marks pending model estimates, keeps recorded figures and says what could not be loaded', async () => {
    await page.goto(gw.url);
    await page.waitForSelector('[data-testid=profile-role]:has-text("viewer")', WAIT);
    const feed = page.locator('[data-testid=activity-card]');
    const pending = feed.locator(`[data-testid=activity-item][data-event-id="${ids.model}"]`);
    await pending.waitFor(WAIT);
    expect(await pending.getAttribute('data-pending')).toBe('true');
    expect(await pending.locator('[data-testid=figure-pending]').textContent()).toBe('pending');
    expect(await pending.locator('[data-testid=figure-pending] .chip').getAttribute('title')).toMatch(
      /^Figure pending: ml-engine's model estimate has not arrived yet/,
    );
    expect(await pending.locator('[data-testid=figure-value]').count()).toBe(0);
    expect(await pending.locator('[data-testid=method-chip]').textContent()).toBe('model · pending');
    await pending.locator('[data-testid=method-chip]').click();
    expect(await pending.locator('[data-testid=method-pending]').textContent()).toContain('has not arrived yet');
    await page.keyboard.press('Escape');
    // a recorded figure still shows, with no model estimate beside it
    const energy = feed.locator(`[data-testid=activity-item][data-event-id="${ids.energy}"]`);
    const r = await gql('query($ids: [ID!]) { events(filter: { ids: $ids }) { nodes { co2eKg } } }', {
      ids: [ids.energy],
    });
    expect(await energy.locator('[data-testid=figure-value]').textContent()).toBe(kg(r.data.events.nodes[0].co2eKg));
    expect(await energy.locator('[data-testid=figure-model]').count()).toBe(0);
    expect(await feed.locator('[data-testid=partial-error]').textContent()).toContain('ml-engine');
    // the pulse counts the two pending figures (not in its kg per hour)
    await page.waitForSelector('[data-testid=pulse-pending]:has-text("2 pending")', WAIT);
    fs.mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: path.join(resultsDir, '10-ml-engine-down.png'), fullPage: true });
  }, 120_000);

  it('the events page lists exactly the pending figures under "pending only" and by method MODEL', async () => {
    await page.click('nav a[href="/activity"]');
    const card = page.locator('[data-testid=events-card]');
    await card.locator('[data-testid=event-row]').first().waitFor(WAIT);
    expect(await card.locator('[data-testid=event-row]').count()).toBe(4);
    await page.click('[data-testid=events-filter-pending]');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=event-row]').length === 2,
      undefined,
      WAIT,
    );
    const shown = await card
      .locator('[data-testid=event-row]')
      .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-event-id'), r.getAttribute('data-pending')]));
    expect(new Set(shown.map(([id]) => id))).toEqual(new Set([ids.model, ids.modelWarehouse]));
    expect(shown.every(([, p]) => p === 'true')).toBe(true);
    expect(await card.locator('[data-testid=event-model]').first().textContent()).toBe('—');
    await page.click('[data-testid=events-filter-pending]');
    await page.selectOption('[data-testid=events-filter-method]', 'MODEL');
    await page.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll('[data-testid=event-row]')];
        return rows.length === 2 && rows.every((r) => r.getAttribute('data-method') === 'MODEL');
      },
      undefined,
      WAIT,
    );
    expect(await card.locator('[data-testid=partial-error]').textContent()).toContain('ml-engine');
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
