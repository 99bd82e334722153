// The import page against the real product as its own process (what `npm start` runs), in Chromium: an upload cut by
// a crash (SIGKILL) is shown after the restart as INTERRUPTED with what it stored and how to finish it; its rejected
// rows page to the end with row, column and reason; sending the file again from the page completes it (stored rows
// come back as duplicates); a file the importer cannot read fails with its reason; a clean file has no rejected rows.
// PGlite always, PostgreSQL too when DATABASE_URL is set.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { haveChromium, launchChromium } from '@carbon-nexus/gateway/testkit';
import { signDevToken, waitFor } from '@carbon-nexus/plugin-sdk/testkit';
import {
  freshPostgres,
  gql,
  startProduct,
  type ProductProcess,
} from '../../subgraphs/data-core/test/product-process.ts';

/** Waits for the product (asked over GraphQL every 500 ms), 120 s at most. */
const until = <T>(what: string, check: () => Promise<T | null | undefined | false>) =>
  waitFor(what, check, 120000, 500);

const resultsDir = path.resolve(import.meta.dirname, '../test-results');
const WAIT = { timeout: 60_000 };
const targets = ['pglite', ...(process.env.DATABASE_URL ? ['postgres'] : [])] as const;

const ROWS = 6000;
const FILE = 'fleet-march.csv';
const HEADER = 'external_id,supplier_external_id,event_type,timestamp,distance_km,load_kg,vehicle_type\n';
const base = Date.parse('2025-03-01T00:00:00Z');
/** Every 20th row (row numbers 8, 28, 48, …) has a distance that is not a number. */
const bad = (i: number) => i % 20 === 7;
const line = (i: number) =>
  `imp${i},IMP-T,transport,${new Date(base + i * 60_000).toISOString()},${bad(i) ? 'far' : 20 + (i % 300)},${1000 + (i % 5000)},rigid_truck\n`;
const chunk = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => line(from + k)).join('');
const badRows = Array.from({ length: ROWS }, (_, i) => i)
  .filter(bad)
  .map((i) => i + 1); // row n = n lines after the header
const n = (x: number) => x.toLocaleString('en-GB');

/** Pages the open job's rejected rows to the end; returns their row numbers in the order shown. */
async function pageToEnd(page: Page, scope: string): Promise<number[]> {
  const root = page.locator(scope);
  await root.locator('[data-testid=rejected-rows]').waitFor(WAIT);
  for (let i = 0; i < 100; i++) {
    if (await root.locator('[data-testid=rejected-end]').count()) break;
    const before = await root.locator('[data-testid=rejected-row]').count();
    await root.locator('[data-testid=rejected-more]').click();
    await page.waitForFunction(
      ([s, b]) => document.querySelectorAll(`${s} [data-testid=rejected-row]`).length > (b as number),
      [scope, before] as const,
      WAIT,
    );
  }
  await root.locator('[data-testid=rejected-end]').waitFor(WAIT);
  return root
    .locator('[data-testid=rejected-row]')
    .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-row'))));
}

describe.runIf(haveChromium).each(targets)('import page on the real product (%s)', (target) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  let product: ProductProcess;
  let browser: Browser;
  let page: Page;
  let token: string;
  let jobId: string;
  let stored: { rowsAccepted: number; rowsRejected: number; rowsTotal: number };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    let where: { dataDir?: string; databaseUrl?: string };
    if (target === 'postgres') {
      const db = await freshPostgres();
      cleanups.push(() => db.drop());
      where = { databaseUrl: db.url };
    } else {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cn-web-import-'));
      cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
      where = { dataDir };
    }
    token = await signDevToken({ sub: 'e2e-importer', roles: ['analyst'] });
    const first = await startProduct(where);
    cleanups.push(() => first.kill());
    await gql(
      first.url,
      token,
      `mutation { createSupplier(input: { name: "Import carrier", externalId: "IMP-T", category: TRANSPORT, country: "GB" }) { id } }`,
    );
    // The upload goes out in pieces, as a browser's would; once part of it is stored the process dies.
    jobId = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        `${first.url}/ingest/csv?filename=${FILE}`,
        { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` } },
        (res) => {
          res.on('error', () => undefined);
          res.resume();
        },
      );
      req.on('error', () => undefined); // the connection dies with the process
      req.write(HEADER + chunk(0, 500));
      req.once('response', async (res) => {
        const id = String(res.headers['x-import-job-id']);
        try {
          // Send at most 3,500 rows (never the whole file, so the job cannot finish), then wait for the
          // importer to have stored part of it: on a loaded machine it may lag far behind what was sent.
          let sent = 500;
          for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
            const job = (
              await gql(first.url, token, `query($id: ID!) { importJob(id: $id) { rowsAccepted rowsRejected } }`, {
                id,
              })
            ).importJob;
            if (job.rowsAccepted >= 1500 && job.rowsRejected > 60) break;
            if (sent < 3500) {
              if (!req.write(chunk(sent, sent + 500))) await new Promise((r) => req.once('drain', r));
              sent += 500;
            }
            await new Promise((r) => setTimeout(r, sent < 3500 ? 20 : 100));
          }
          await first.kill();
          resolve(id);
        } catch (err) {
          reject(err);
        }
      });
    });
    // Restarted on the same data; on PostgreSQL the job ends once its heartbeat is 2 s stale.
    product = await startProduct({ ...where, env: { DATA_CORE_JOB_STALE_SECONDS: '2' } });
    cleanups.push(() => product.kill());
    stored = await until('the job to be INTERRUPTED', async () => {
      const j = (
        await gql(
          product.url,
          token,
          `query($id: ID!) { importJob(id: $id) { status rowsAccepted rowsRejected rowsTotal } }`,
          { id: jobId },
        )
      ).importJob;
      return j.status === 'INTERRUPTED' && j;
    });
    expect(stored.rowsAccepted).toBeGreaterThanOrEqual(1500);
    expect(stored.rowsAccepted).toBeLessThan(ROWS - badRows.length);
    expect(stored.rowsRejected).toBeGreaterThan(50); // more than one page

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${product.url}/import`);
    await page.waitForSelector('[data-testid=profile-role]:has-text("viewer")', WAIT);
    await page.selectOption('[data-testid=role-select]', 'analyst');
    await page.click('[data-testid=sign-in]');
    await page.waitForSelector('[data-testid=profile-role]:has-text("analyst")', WAIT);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }, 120_000);

  it('shows the interrupted job with what it stored and how to finish it, and pages its rejected rows to the end', async () => {
    const row = page.locator('[data-testid=import-row]', { hasText: FILE });
    await row.waitFor(WAIT);
    expect(await row.getAttribute('data-status')).toBe('INTERRUPTED');
    expect(await row.locator('.chip').textContent()).toBe('interrupted');
    await row.locator('[data-testid=import-row-open]').click();
    const detail = page.locator('[data-testid=import-detail-card]');
    const notice = detail.locator('[data-testid=import-interrupted]');
    await notice.waitFor(WAIT);
    expect(await detail.locator('[data-testid=interrupted-stored]').textContent()).toBe(
      `${n(stored.rowsAccepted)} rows accepted`,
    );
    expect(await notice.textContent()).toContain(`${n(stored.rowsRejected)} rejected`);
    expect(await notice.textContent()).toContain('send the same file again');
    expect(await notice.textContent()).toContain(FILE);
    expect(await detail.locator('[data-testid=rows-accepted]').textContent()).toBe(n(stored.rowsAccepted));
    expect(await detail.locator('[data-testid=rows-rejected]').textContent()).toBe(n(stored.rowsRejected));

    expect(await detail.locator('[data-testid=rejected-count]').textContent()).toBe(
      `50 of ${n(stored.rowsRejected)} shown`,
    );
    const rows = await pageToEnd(page, '[data-testid=import-detail-card]');
    // every rejected row once, in file order, each one of the file's bad rows, the first of them included
    expect(rows.length).toBe(stored.rowsRejected);
    expect(new Set(rows).size).toBe(rows.length);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(rows.every((r) => badRows.includes(r))).toBe(true);
    expect(rows[0]).toBe(badRows[0]);
    const last = detail.locator('[data-testid=rejected-row]').last();
    expect(await last.locator('td').nth(1).textContent()).toBe('distance_km');
    expect(await last.locator('td').nth(2).textContent()).toMatch(/\S/);
    // what was received for the row
    await last.locator('.received summary').click();
    expect(await last.locator('.received').textContent()).toContain('far');
    fs.mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: path.join(resultsDir, `09-import-interrupted-${target}.png`), fullPage: true });
  }, 180_000);

  it('sending the file again from the page completes it: the stored rows come back as duplicates', async () => {
    const detail = page.locator('[data-testid=import-detail-card]');
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser', WAIT),
      detail.locator('[data-testid=import-choose-again]').click(),
    ]);
    await chooser.setFiles({ name: FILE, mimeType: 'text/csv', buffer: Buffer.from(HEADER + chunk(0, ROWS)) });
    const up = page.locator('[data-testid=upload-progress]');
    await up.locator('.chip:has-text("completed")').waitFor({ timeout: 300_000 });
    const valid = ROWS - badRows.length;
    expect(await up.locator('[data-testid=rows-total]').textContent()).toBe(n(ROWS));
    expect(await up.locator('[data-testid=rows-accepted]').textContent()).toBe(n(valid - stored.rowsAccepted));
    expect(await up.locator('[data-testid=rows-duplicate]').textContent()).toBe(n(stored.rowsAccepted));
    expect(await up.locator('[data-testid=rows-rejected]').textContent()).toBe(n(badRows.length));
    const rows = await pageToEnd(page, '[data-testid=upload-progress]');
    expect(rows).toEqual(badRows);
    // every valid row is stored once
    const events = (await gql(product.url, token, `{ suppliers(search: "Import carrier") { nodes { id } } }`)).suppliers
      .nodes;
    let count = 0;
    let after: string | null = null;
    for (;;) {
      const d: any = await gql(
        product.url,
        token,
        `query($s: [ID!], $after: String) { events(filter: { supplierIds: $s }, first: 1000, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`,
        { s: [events[0].id], after },
      );
      count += d.events.nodes.length;
      if (!d.events.pageInfo.hasNextPage) break;
      after = d.events.pageInfo.endCursor;
    }
    expect(count).toBe(valid);
    await page.waitForSelector(`[data-testid=import-row][data-status=COMPLETED]:has-text("${FILE}")`, WAIT);
  }, 360_000);

  it('a file the importer cannot read fails with its reason; a clean file says it has no rejected rows', async () => {
    // an .xlsx workbook is a ZIP archive
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 1)]);
    await page.setInputFiles('[data-testid=csv-input]', { name: 'fleet.xlsx', mimeType: 'text/csv', buffer: zip });
    const up = page.locator('[data-testid=upload-progress]');
    const failed = up.locator('[data-testid=import-failed]');
    await failed.waitFor(WAIT);
    const job = (await gql(product.url, token, `{ importJobs(first: 1) { source status error } }`)).importJobs[0];
    expect(job).toMatchObject({ source: 'fleet.xlsx', status: 'FAILED' });
    expect(job.error).toBeTruthy();
    expect(await failed.textContent()).toContain(job.error);
    expect(await up.locator('.upload__head .chip').textContent()).toBe('failed');

    const t = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    const clean = `${HEADER}clean-1,IMP-T,transport,${t(30)},120,8000,rigid_truck\nclean-2,IMP-T,transport,${t(20)},80,6000,rigid_truck\n`;
    await page.setInputFiles('[data-testid=csv-input]', {
      name: 'clean.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(clean),
    });
    await up.locator('.chip:has-text("completed")').waitFor(WAIT);
    expect(await up.locator('[data-testid=rows-accepted]').textContent()).toBe('2');
    expect(await up.locator('[data-testid=rejected-empty]').textContent()).toBe(
      'No rejected rows: every row was stored or was a duplicate.',
    );
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
