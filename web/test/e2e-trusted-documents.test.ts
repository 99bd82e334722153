import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { haveChromium, launchChromium } from '@carbon-nexus/gateway/testkit';
import { waitFor } from '@carbon-nexus/plugin-sdk/testkit';
import { mulberry32 } from '@carbon-nexus/plugin-sdk';
import { startTestPlatform, type TestPlatform } from '@carbon-nexus/gateway/testkit';
import { SUPPLIERS, eventFor, type DemoSupplier } from './demo-env.ts';

/** Waits for the product (asked over GraphQL every 500 ms), 120 s at most. */
const until = <T>(what: string, check: () => Promise<T | null | undefined | false>) =>
  waitFor(what, check, 120000, 500);

const WAIT = { timeout: 60_000 };
const HOUR = 3_600_000;

describe.runIf(haveChromium)('dashboard with TRUSTED_DOCUMENTS=enforce', () => {
  let platform: TestPlatform;
  let gw: TestPlatform['gateway'];
  let browser: Browser;
  let page: Page;
  let analyst: string;
  const suppliers: DemoSupplier[] = SUPPLIERS.map((s) => ({ ...s }));
  const pageErrors: string[] = [];
  const refusedResponses: string[] = [];
  let byId = 0;
  let byText = 0;

  const refusedCount = async () =>
    Number(
      /^carbon_nexus_trusted_documents_total\{outcome="refused"\} (\S+)$/m.exec(
        await (await fetch(gw.url + '/metrics')).text(),
      )?.[1] ?? 0,
    );
  const ingest = async (events: Record<string, unknown>[]) => {
    const res = await fetch(`${gw.url}/ingest/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${analyst}` },
      body: JSON.stringify(events),
    });
    return ((await res.json()) as { accepted: number }).accepted;
  };
  const predictions = async () =>
    Number((await platform.db.query<{ n: string }>('SELECT count(*)::text AS n FROM predictions'))[0].n);

  beforeAll(async () => {
    platform = await startTestPlatform({ env: { TRUSTED_DOCUMENTS: 'enforce' }, gateway: { serveWeb: true } });
    gw = platform.gateway;
    analyst = await platform.token('analyst', { sub: 'e2e-analyst' });
    for (const s of suppliers) {
      const res = await fetch(`${gw.url}/api/v1/suppliers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${analyst}` },
        body: JSON.stringify({ input: { name: s.name, category: s.category, country: s.country, externalId: s.key } }),
      });
      expect(res.status).toBe(200);
      s.id = ((await res.json()) as { id: string }).id;
    }
    // Eight days of hourly history (a week for the forecast), then predictions, baselines, quality, forecast.
    const r = mulberry32(7);
    const now = Date.now();
    const events: Record<string, unknown>[] = [];
    for (let h = Math.floor(now / HOUR) * HOUR - 8 * 24 * HOUR; h <= now - HOUR; h += HOUR)
      for (const s of suppliers) events.push(eventFor(s, h + HOUR / 2, r));
    let accepted = 0;
    for (let i = 0; i < events.length; i += 1000) accepted += await ingest(events.slice(i, i + 1000));
    expect(accepted).toBe(events.length);
    await until('predictions for the history', async () => (await predictions()) >= accepted);
    await gw.host!.runJob('orchestration', 'recalculateBaselines');
    await gw.host!.runJob('data-quality', 'assessQuality');
    await gw.host!.runJob('ml-engine', 'forecastDaily');
    browser = await launchChromium();
    platform.defer(() => browser.close());
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (req) => {
      if (!req.url().includes('/graphql') || req.method() !== 'POST') return;
      const body = req.postDataJSON() as { query?: string; extensions?: { persistedQuery?: unknown } };
      if (body.extensions?.persistedQuery && !body.query) byId++;
      else if (body.query) byText++;
    });
    page.on('response', async (res) => {
      if (!res.url().includes('/graphql')) return;
      const text = await res.text().catch(() => '');
      if (text.includes('PERSISTED_QUERY_NOT_IN_LIST'))
        refusedResponses.push(`${res.request().method()} ${text.slice(0, 200)}`);
    });
  }, 300_000);

  afterAll(() => platform?.close());

  it('a viewer sees the live dashboard; a hotspot pushes its alert and recommendation', async () => {
    await page.goto(gw.url);
    await page.waitForSelector('[data-testid=profile-role]:has-text("viewer")', WAIT);
    await page.waitForSelector('[data-testid=connection-pill][data-status=live]', WAIT);
    await page.locator('[data-testid=pulse-value]').waitFor(WAIT);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=heatmap-row]').length >= 5,
      undefined,
      WAIT,
    );
    await page.waitForSelector('[data-testid=forecast-card] svg', WAIT);
    await page.waitForSelector('[data-testid=dq-real]', WAIT);
    const before = await predictions();
    const northwind = suppliers.find((s) => s.key === 'northwind')!;
    const spike = Array.from({ length: 3 }, (_, i) =>
      eventFor(northwind, Date.now() - 50 * 60_000 + i * 15 * 60_000, () => 0.5, 1.3),
    );
    expect(await ingest(spike)).toBe(3);
    await until('predictions for the spike', async () => (await predictions()) >= before + 3);
    await gw.host!.runJob('orchestration', 'detectHotspots');
    await page.waitForSelector('[data-testid=toast]:has-text("Northwind Freight")', WAIT);
    await page.locator('[data-testid=hotspot-item]', { hasText: 'Northwind Freight' }).waitFor(WAIT);
    await page.waitForSelector('[data-testid=recommendation-card]', WAIT);
  }, 180_000);

  it('an approver approves a recommendation (a mutation sent by its persisted id)', async () => {
    await page.selectOption('[data-testid=role-select]', 'approver');
    await page.click('[data-testid=sign-in]');
    await page.waitForSelector('[data-testid=profile-role]:has-text("approver")', WAIT);
    await page.waitForSelector('[data-testid=connection-pill][data-status=live]', WAIT);
    await page.waitForFunction(
      () =>
        !document
          .querySelector('[data-testid=recommendation-card] button[aria-label^="Approve"]')
          ?.hasAttribute('aria-disabled'),
      undefined,
      WAIT,
    );
    await page.locator('[data-testid=recommendation-card]').first().locator('button[aria-label^="Approve"]').click();
    await page.waitForSelector('[data-testid=toast]:has-text("Recommendation approved")', WAIT);
    await page.waitForSelector('[data-testid=gauge-approved]:has-text("1 approved")', WAIT);
  }, 120_000);

  it('every page works for an admin: activity and audit, goals, settings, import', async () => {
    await page.selectOption('[data-testid=role-select]', 'admin');
    await page.click('[data-testid=sign-in]');
    await page.waitForSelector('[data-testid=profile-role]:has-text("admin")', WAIT);
    await page.click('nav a[href="/activity"]');
    await page.locator('[data-testid=audit-entry][data-action="recommendation.approve"]').first().waitFor(WAIT);
    await page.click('nav a[href="/goals"]');
    const form = page.locator('[data-testid=goal-form]');
    await form.waitFor(WAIT);
    await form.getByLabel('Reduction (% below baseline)').fill('10');
    await form.getByLabel('Name').fill('Trusted: 10 % below baseline');
    await form.locator('button[type=submit]').click();
    await page.waitForSelector('[data-testid=goal-row]:has-text("Trusted: 10 % below baseline")', WAIT);
    await page.click('nav a[href="/settings"]');
    await page.waitForSelector('[data-testid=thresholds-card] dd', WAIT);
    await page.waitForSelector('[data-testid=baselines-card] tbody tr', WAIT);
    await page.click('nav a[href="/import"]');
    await page.waitForSelector('[data-testid=csv-input]', { ...WAIT, state: 'attached' });
    await page.click('nav a[href="/"]');
    await page.waitForSelector('[data-testid=pulse-card] .chip:has-text("vs target")', WAIT);
  }, 120_000);

  it('nothing the dashboard sent was refused; queries and mutations went out as ids; arbitrary documents are refused', async () => {
    expect(refusedResponses).toEqual([]);
    expect(await refusedCount()).toBe(0);
    expect(byId).toBeGreaterThan(10);
    expect(byText).toBe(0);
    expect(pageErrors).toEqual([]);
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ suppliers { totalCount } }' }),
    });
    expect(res.status).toBe(400);
    expect(await refusedCount()).toBe(1);
  });
});
