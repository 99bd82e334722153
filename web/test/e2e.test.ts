// The seed's demo flow (section 8) in a real browser: the embedded product (gateway + all plugins in-process),
// compressed-time history and a planned spike ingested through data-core's HTTP API, the plugins' jobs run on demand,
// and the dashboard — built in web/dist and served by the gateway — driven in Debian Chromium via playwright-core.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { haveChromium, launchChromium } from '@carbon-nexus/gateway/testkit';
import { waitFor } from '@carbon-nexus/plugin-sdk/testkit';
import { startDemo, type Demo } from './demo-env.ts';
import { kg, pct } from '../src/app/lib/format.ts';
import {
  boundText,
  causeShareText,
  causeText,
  explainBaseline,
  hotspotEvidenceText,
  readDiagnosis,
  shareText,
  sigmaText,
} from '../src/app/lib/evidence.ts';

/** Waits for the product (asked over GraphQL every 500 ms), 60 s at most. */
const until = <T>(what: string, check: () => Promise<T | null | undefined | false>) => waitFor(what, check, 60000, 500);

const webDir = path.resolve(import.meta.dirname, '..');
const resultsDir = path.join(webDir, 'test-results');
const docsShot = path.resolve(webDir, '../docs/screenshots/dashboard.png');
const WAIT = { timeout: 60_000 };
const HOUR = 3_600_000;
// The browser renders local times in the test process's zone, so sentences can be compared with the helpers' own.
const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone;

async function predictionCount(demo: Demo, fromMs: number): Promise<number> {
  const r = await demo.gql<{ predictionAggregates: { count: number }[] }>(
    'query($f: String!, $t: String!) { predictionAggregates(from: $f, to: $t, bucket: DAY) { count } }',
    { f: new Date(fromMs).toISOString(), t: new Date(Date.now() + HOUR).toISOString() },
  );
  return (r.data?.predictionAggregates ?? []).reduce((s, p) => s + p.count, 0);
}

async function shot(page: Page, name: string, fullPage = true) {
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

describe('dashboard demo flow (seed section 8)', () => {
  let demo: Demo;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let predictionsBeforeSpike = 0;

  beforeAll(async () => {
    const t0 = Date.now();
    const lap = (what: string) => console.log(`[e2e] ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    demo = await startDemo();
    lap('started');
    const seeded = await demo.seedHistory({ days: Number(process.env.E2E_DAYS ?? 8) });
    lap('seeded');
    expect(seeded).toBeGreaterThan(500);
    // ml-engine predicts every normalized event (asynchronously, from the bus); baselines come from predictions.
    await until(
      'predictions for the history',
      async () => (await predictionCount(demo, Date.now() - 9 * 24 * HOUR)) >= seeded,
    );
    lap('predicted');
    await demo.gw.host!.runJob('orchestration', 'recalculateBaselines');
    lap('baselines');
    await demo.gw.host!.runJob('data-quality', 'assessQuality');
    lap('quality');
    await demo.gw.host!.runJob('ml-engine', 'forecastDaily');
    lap('forecast');
    if (!haveChromium) return;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, timezoneId: TZ });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // The browser's own complaints about our sockets (e.g. a message sent on a socket already closing when a sign-in
    // replaces the connection) are errors too.
    page.on('console', (m) => {
      if (m.type() === 'error' && /WebSocket/i.test(m.text()))
        pageErrors.push(`console: ${m.text()} [${expect.getState().currentTestName}]`);
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('the gateway serves the built dashboard at / and its client routes, and the explorer at /graphql', async () => {
    expect(fs.existsSync(path.join(webDir, 'dist/index.html'))).toBe(true);
    for (const p of ['/', '/activity', '/goals', '/settings', '/import']) {
      const res = await fetch(`${demo.url}${p}`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<div id="root">');
    }
    const explorer = await fetch(`${demo.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await explorer.text()).toContain('GraphQL explorer');
  });

  // The browser part runs wherever Chromium is installed (CI sets CHROMIUM_PATH).
  const browserIt = it.runIf(haveChromium);

  browserIt(
    'shows the live pulse and the supplier heatmap, and both change when the stream spikes',
    async () => {
      await page.goto(demo.url);
      // First visit signs in as a read-only viewer.
      await page.waitForSelector('[data-testid=profile-role]:has-text("viewer")', WAIT);
      await page.waitForSelector('[data-testid=connection-pill][data-status=live]', WAIT);
      const pulse = page.locator('[data-testid=pulse-value]');
      await pulse.waitFor(WAIT);
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid=heatmap-row]').length >= 5,
        undefined,
        WAIT,
      );
      const before = Number((await pulse.textContent())!.replace(/[^\d.]/g, ''));
      const heatBefore = await page.locator('.heatmap').getAttribute('data-generation');
      await shot(page, '01-dashboard-before-spike');

      predictionsBeforeSpike = await predictionCount(demo, Date.now() - 2 * HOUR);
      const accepted = await demo.spike('northwind', { events: 3, scale: 1.3 });
      expect(accepted).toBe(3);
      // The emissionPulse subscription pushes the new rate; the heatmap refetches and pulses the changed cells.
      await page.waitForFunction(
        (prev) =>
          Number(document.querySelector('[data-testid=pulse-value]')?.textContent?.replace(/[^\d.]/g, '')) > prev,
        before,
        WAIT,
      );
      await page.waitForFunction(
        (g) => document.querySelector('.heatmap')?.getAttribute('data-generation') !== g,
        heatBefore,
        WAIT,
      );
      expect(await page.locator('[data-testid=pulse-trend]').getAttribute('aria-label')).toMatch(
        /Trend (up|down|flat)/,
      );
      const after = Number((await pulse.textContent())!.replace(/[^\d.]/g, ''));
      expect(after).toBeGreaterThan(before);
    },
    120_000,
  );

  browserIt(
    'a hotspot fires: the alert pops up, the hotspot is listed and a recommendation card appears',
    async () => {
      await until(
        'predictions for the spike',
        async () => (await predictionCount(demo, Date.now() - 2 * HOUR)) >= predictionsBeforeSpike + 3,
      );
      await demo.gw.host!.runJob('orchestration', 'detectHotspots');
      await page.waitForSelector('[data-testid=toast]:has-text("Northwind Freight")', WAIT);
      const hotspot = page.locator('[data-testid=hotspot-item]', { hasText: 'Northwind Freight' });
      await hotspot.waitFor(WAIT);
      expect(await hotspot.locator('[data-testid=hotspot-pct]').textContent()).toMatch(/^\+[\d,.]+% above baseline$/);
      await page.waitForSelector('[data-testid=recommendation-card]', WAIT);
      // A viewer sees the queue but cannot decide: the buttons explain why.
      const approve = page.locator('[data-testid=recommendation-card] button[aria-label^="Approve"]').first();
      expect(await approve.getAttribute('aria-disabled')).toBe('true');
      expect(await approve.getAttribute('title')).toMatch(/approver role/);
      await shot(page, '02-hotspot-alert-recommendation');
    },
    120_000,
  );

  browserIt(
    'the hotspot states its evidence in a sentence, and the baseline behind it on demand',
    async () => {
      const r = await demo.gql<{
        hotspots: {
          nodes: {
            id: string;
            entityName: string | null;
            entityType: string;
            entityId: string;
            eventCount: number | null;
            predictedKg: number;
            baselineKg: number;
            baselineSpreadKg: number | null;
            excessSigmas: number | null;
            windowStart: string;
            windowEnd: string;
          }[];
        };
      }>(
        '{ hotspots(first: 8) { nodes { id entityName entityType entityId eventCount predictedKg baselineKg baselineSpreadKg excessSigmas windowStart windowEnd } } }',
      );
      const h = r.data!.hotspots.nodes.find((x) => x.entityName === 'Northwind Freight')!;
      expect(h.eventCount).toBeGreaterThanOrEqual(3);
      const item = page.locator('[data-testid=hotspot-item]', { hasText: 'Northwind Freight' });
      const sentence = hotspotEvidenceText(h, TZ);
      // e.g. "5 events, 3.4× the usual for Friday 14:46–15:46 (±10 %)"
      expect(sentence).toMatch(
        new RegExp(
          `^${h.eventCount} events, [\\d.,]+× the usual for \\w+day \\d\\d:\\d\\d–\\d\\d:\\d\\d \\(±\\d+ %\\)$`,
        ),
      );
      await page.waitForFunction(
        (s) => [...document.querySelectorAll('[data-testid=hotspot-evidence]')].some((e) => e.textContent === s),
        sentence,
        WAIT,
      );
      await item.locator('[data-testid=hotspot-details]').click();
      const how = item.locator('[data-testid=hotspot-baseline-how]');
      await how.waitFor(WAIT);
      const b = await demo.gql(
        'query($t: String!, $ids: [String!]) { baselines(entityType: $t, entityIds: $ids, hourly: true, first: 400) { nodes { hourOfWeek valueKgPerHour spreadKgPerHour samples eventsPerHour method isOverride } } }',
        { t: h.entityType, ids: [h.entityId] },
      );
      const base = explainBaseline(b.data.baselines.nodes, h.windowStart, h.windowEnd)!;
      expect(base.how).toMatch(/^the median of \d+ /);
      await page.waitForFunction(
        (t) => document.querySelector('[data-testid=hotspot-baseline-how]')?.textContent?.includes(t),
        `The usual level is ${base.how}`,
        WAIT,
      );
      expect(await how.textContent()).toMatch(/at least \d+ events and an excess beyond [\d.]+ σ/);
      expect(await item.locator('[data-testid=hotspot-events]').textContent()).toBe(
        `${h.eventCount} (usually ${base.usualEvents!.toLocaleString('en-GB', { maximumFractionDigits: 1 })})`,
      );
      expect(await item.locator('[data-testid=hotspot-sigma]').textContent()).toContain(sigmaText(h)!);
      await shot(page, '02b-hotspot-evidence');
      await item.locator('[data-testid=hotspot-details]').click();
      await how.waitFor({ state: 'detached', timeout: 10_000 });
    },
    60_000,
  );

  browserIt(
    'a recommendation card explains its cause, diagnosis and bound; Simulate runs its what-if and shows the delta beside the estimate',
    async () => {
      const card = page
        .locator('[data-testid=recommendation-card]')
        .filter({ has: page.locator('button[aria-label^="Simulate"]:not([aria-disabled])') })
        .first();
      await card.waitFor(WAIT);
      const id = (await card.getAttribute('data-rec-id'))!;
      const q = await demo.gql(
        'query($id: ID!) { recommendation(id: $id) { id title body co2ImpactKg cause impactBound simulation diagnosis evidence } }',
        { id },
      );
      const rec = q.data.recommendation;
      const d = readDiagnosis(rec.diagnosis)!;
      expect(d.basis).toBe('own-history');
      expect(d.findings.length).toBeGreaterThan(0);
      expect(rec.cause).toBeTruthy();
      // the cause in plain words, with its share of the excess
      const share = causeShareText(rec.cause, d, rec.evidence.excessKg);
      expect(await card.locator('[data-testid=rec-cause]').textContent()).toBe(
        `Cause ${causeText(rec.cause, d)}${share ? ` · ${share}` : ''}`,
      );
      expect(await card.locator('[data-testid=rec-cause]').textContent()).not.toContain('_');
      // how the expected kg was bounded
      const bound = boundText(rec)!;
      expect(bound).toMatch(/capped at|middle of the published|record correction|rule of thumb/);
      expect(await card.locator('[data-testid=rec-bound]').textContent()).toBe(bound);
      // the diagnosis: statement and each finding with its share of the excess and evidence
      await card.locator('[data-testid=rec-diagnosis] > summary').click();
      expect(await card.locator('[data-testid=rec-diagnosis-statement]').textContent()).toBe(d.statement);
      const findings = card.locator('[data-testid=rec-finding]');
      expect(await findings.count()).toBe(d.findings.length);
      for (const [i, f] of d.findings.entries()) {
        const li = findings.nth(i);
        expect(await li.getAttribute('data-cause')).toBe(f.cause);
        expect(await li.locator('[data-testid=rec-finding-share]').textContent()).toBe(
          f.share > 0 ? `${shareText(f.share)} · ${kg(f.attributedKg)}` : 'contributing',
        );
        expect(await li.textContent()).toContain(f.evidence);
      }
      // and why this measure (the recommendation's own explanation)
      await card.locator('.rec__why > summary').click();
      expect(await card.locator('.rec__why p').textContent()).toBe(rec.body);
      await shot(page, '02c-recommendation-diagnosis');
      // Simulate: the what-if opens on the recommendation's own input and runs it at once.
      await card.locator('button[aria-label^="Simulate"]').click();
      const modal = page.locator('[data-testid=whatif-modal]');
      await modal.waitFor(WAIT);
      const delta = modal.locator('[data-testid=whatif-delta]');
      await delta.waitFor(WAIT);
      const same = await demo.gql(
        'mutation($i: SimulationInput!) { simulate(input: $i) { delta deltaPct basisEvents } }',
        { i: rec.simulation },
      );
      expect(same.errors).toBeUndefined();
      const sim = same.data.simulate;
      expect(sim.basisEvents).toBeGreaterThan(0);
      expect(await delta.textContent()).toBe(
        `${sim.delta > 0 ? '+' : ''}${kg(sim.delta)} (${sim.deltaPct > 0 ? '+' : ''}${pct(sim.deltaPct, 1)})`,
      );
      expect(await modal.locator('[data-testid=whatif-rec-estimate]').textContent()).toContain(kg(rec.co2ImpactKg));
      expect(await modal.locator('[data-testid=whatif-rec-compare]').count()).toBe(1);
      await shot(page, '02d-recommendation-simulated', false);
      await page.keyboard.press('Escape');
      await modal.waitFor({ state: 'detached', timeout: 10_000 });
      // back on the card, beside its own estimate
      const signed = `${sim.delta > 0 ? '+' : sim.delta < 0 ? '−' : ''}${kg(Math.abs(sim.delta))}`;
      expect(await card.locator('[data-testid=rec-simulated]').textContent()).toBe(
        `What-if: ${signed} (${sim.deltaPct > 0 ? '+' : ''}${pct(sim.deltaPct, 1)}) on the hotspot's ${sim.basisEvents} ${sim.basisEvents === 1 ? 'event' : 'events'}`,
      );
    },
    120_000,
  );

  browserIt(
    'each event shows its method with the factors, TTW/WTT split and note, and the model estimate beside the recorded figure',
    async () => {
      await page.waitForSelector('[data-testid=activity-item] [data-testid=figure-model]', WAIT);
      const item = page
        .locator('[data-testid=activity-item]')
        .filter({ has: page.locator('[data-testid=figure-model]') })
        .first();
      const id = (await item.getAttribute('data-event-id'))!;
      const r = await demo.gql(
        'query($ids: [ID!]) { events(filter: { ids: $ids }) { nodes { id co2eKg ttwKg wttKg method methodNote boundary factorSet factors { id version boundary source } prediction { co2eKg } } } }',
        { ids: [id] },
      );
      const ev = r.data.events.nodes[0];
      expect(['FUEL', 'ENERGY', 'ACTIVITY']).toContain(ev.method);
      expect(ev.factors.length).toBeGreaterThan(0);
      expect(await item.locator('[data-testid=figure-value]').textContent()).toBe(kg(ev.co2eKg));
      expect(await item.locator('[data-testid=figure-model]').textContent()).toBe(
        `model estimate ${kg(ev.prediction.co2eKg)}`,
      );
      expect(await item.locator('[data-testid=figure-model]').getAttribute('title')).toBe(
        `model estimate ${kg(ev.prediction.co2eKg)}, recorded ${kg(ev.co2eKg)}`,
      );
      await item.locator('[data-testid=method-chip]').click();
      const pop = item.locator('[data-testid=method-popover]');
      await pop.waitFor(WAIT);
      expect(await pop.locator('.method__head strong').textContent()).toBe(ev.method);
      expect(await pop.locator('[data-testid=method-split]').textContent()).toBe(
        `${kg(ev.co2eKg)} CO2e ${ev.boundary} = ${kg(ev.ttwKg)} TTW (tank-to-wheel) + ${kg(ev.wttKg)} WTT (well-to-tank)`,
      );
      if (ev.methodNote) expect(await pop.locator('[data-testid=method-note]').textContent()).toBe(ev.methodNote);
      const shown = pop.locator('[data-testid=method-factor]');
      expect(await shown.count()).toBe(ev.factors.length);
      for (const [i, f] of ev.factors.entries()) {
        const t = (await shown.nth(i).textContent())!;
        for (const part of [f.id, f.version, f.boundary, f.source]) expect(t).toContain(part);
      }
      expect(await pop.textContent()).toContain(`Factor set ${ev.factorSet}`);
      await shot(page, '02e-event-method', false);
      await page.keyboard.press('Escape');
      await pop.waitFor({ state: 'detached', timeout: 10_000 });
    },
    60_000,
  );

  browserIt(
    'an approver approves the recommendation and the decision shows in the audit trail',
    async () => {
      await page.selectOption('[data-testid=role-select]', 'approver');
      await page.click('[data-testid=sign-in]');
      await page.waitForSelector('[data-testid=profile-role]:has-text("approver")', WAIT);
      await page.waitForSelector('[data-testid=connection-pill][data-status=live]', WAIT);
      const card = page.locator('[data-testid=recommendation-card]').first();
      await card.waitFor(WAIT);
      const title = (await card.locator('.rec__title').textContent())!;
      const approve = card.locator('button[aria-label^="Approve"]');
      await page.waitForFunction(
        () =>
          !document
            .querySelector('[data-testid=recommendation-card] button[aria-label^="Approve"]')
            ?.hasAttribute('aria-disabled'),
        undefined,
        WAIT,
      );
      await approve.click();
      await page.waitForSelector('[data-testid=toast]:has-text("Recommendation approved")', WAIT);
      // The gauge counts approved recommendations.
      await page.waitForSelector('[data-testid=gauge-approved]:has-text("1 approved")', WAIT);

      // The audit log (auditLog, written by the recommendations plugin in the approval's transaction).
      const log = await demo.gql<{
        auditLog: { nodes: { action: string; userId: string; entityType: string; metadata: { title?: string } }[] };
      }>(
        'query($f: AuditLogFilter) { auditLog(filter: $f, first: 5) { nodes { action userId entityType metadata } } }',
        { f: { action: 'recommendation.approve' } },
        demo.tokens.approver,
      );
      expect(log.errors).toBeUndefined();
      expect(log.data!.auditLog.nodes[0]).toMatchObject({
        action: 'recommendation.approve',
        userId: 'dev-approver',
        entityType: 'recommendation',
        metadata: { title },
      });

      await page.click('nav a[href="/activity"]');
      const entry = page.locator('[data-testid=audit-entry][data-action="recommendation.approve"]', { hasText: title });
      await entry.first().waitFor(WAIT);
      expect(await entry.first().textContent()).toContain('dev-approver');
      // Filtering by action keeps only approvals.
      await page.waitForSelector('[data-testid=audit-filter-action] option[value="recommendation.approve"]', {
        ...WAIT,
        state: 'attached',
      });
      await page.selectOption('[data-testid=audit-filter-action]', 'recommendation.approve');
      await page.waitForFunction(
        () => {
          const rows = [...document.querySelectorAll('[data-testid=audit-entry]')];
          return rows.length > 0 && rows.every((r) => r.getAttribute('data-action') === 'recommendation.approve');
        },
        undefined,
        WAIT,
      );
      await page.selectOption('[data-testid=audit-filter-action]', '');
      await shot(page, '03-audit-trail');
      // Events with their figures: filtered by method, paged, and no pending figure once the estimates arrived.
      const events = page.locator('[data-testid=events-card]');
      await events.locator('[data-testid=event-row]').first().waitFor(WAIT);
      await page.selectOption('[data-testid=events-filter-method]', 'ENERGY');
      await page.waitForFunction(
        () => {
          const rows = [...document.querySelectorAll('[data-testid=event-row]')];
          return rows.length === 25 && rows.every((r) => r.getAttribute('data-method') === 'ENERGY');
        },
        undefined,
        WAIT,
      );
      await events.locator('[data-testid=events-more]').click();
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid=event-row]').length === 50,
        undefined,
        WAIT,
      );
      const ids = await events
        .locator('[data-testid=event-row]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-id')));
      expect(new Set(ids).size).toBe(50);
      expect(await events.locator('[data-testid=event-row][data-method=ENERGY]').count()).toBe(50);
      await page.click('[data-testid=events-filter-pending]');
      await events.locator('text=No events match these filters').waitFor(WAIT);
      expect(await events.textContent()).toContain('no model estimate is pending');
      await page.click('nav a[href="/"]');
    },
    120_000,
  );

  browserIt(
    'the what-if simulator, opened from the hotspot, shows a CO2e delta',
    async () => {
      const hotspot = page.locator('[data-testid=hotspot-item]', { hasText: 'Northwind Freight' });
      await hotspot.waitFor(WAIT);
      await hotspot.locator('button[aria-label^="Simulate"]').click();
      const modal = page.locator('[data-testid=whatif-modal]');
      await modal.waitFor(WAIT);
      // Prefilled with the hotspot's supplier.
      expect(await modal.locator('select[aria-label=Supplier] option:checked').textContent()).toContain(
        'Northwind Freight',
      );
      await modal.locator('select[aria-label=Fuel]').selectOption('electric');
      await modal.locator('input[aria-label="Load change, percent"]').fill('20');
      await modal.locator('[data-testid=whatif-run]').click();
      const delta = modal.locator('[data-testid=whatif-delta]');
      await delta.waitFor(WAIT);
      const text = (await delta.textContent())!;
      expect(text).toMatch(/kg|t/);
      expect(Number(text.replace(/\(.*$/, '').replace(/[^\d.-]/g, ''))).not.toBe(0);
      await shot(page, '04-what-if', false);
      await page.keyboard.press('Escape');
      await modal.waitFor({ state: 'detached', timeout: 10_000 });
    },
    120_000,
  );

  browserIt(
    'the data-quality badge shows real and predicted percentages adding up to 100 and opens the panel',
    async () => {
      const badge = page.locator('[data-testid=dq-badge]');
      await page.waitForSelector('[data-testid=dq-real]', WAIT);
      const real = Number((await page.locator('[data-testid=dq-real]').textContent())!.replace('%', ''));
      const predicted = Number((await page.locator('[data-testid=dq-predicted]').textContent())!.replace('%', ''));
      expect(real + predicted).toBeCloseTo(100, 1);
      expect(real).toBeGreaterThan(0);
      // The seeded history leaves a six-hour gap for one supplier: the gap-filler's predictions are counted.
      expect(predicted).toBeGreaterThan(0);
      await badge.click();
      const panel = page.locator('[data-testid=dq-panel]');
      await panel.waitFor(WAIT);
      await panel.locator('table').first().waitFor(WAIT);
      expect(await panel.locator('[role=tab]').first().textContent()).toMatch(/Gaps\s*[1-9]/);
      await shot(page, '05-data-quality-panel', false);
      await page.keyboard.press('Escape');
    },
    120_000,
  );

  browserIt(
    'a goal set on the goals page is stored in the graph and drives the pulse card and the savings gauge',
    async () => {
      await page.click('nav a[href="/goals"]');
      const form = page.locator('[data-testid=goal-form]');
      await form.waitFor(WAIT);
      // Client-side validation names the problem before anything is sent.
      await form.getByLabel('Reduction (% below baseline)').fill('150');
      expect(await form.locator('#goal-value-help').textContent()).toMatch(/at most 100/);
      expect(await form.locator('button[type=submit]').isDisabled()).toBe(true);
      await form.getByLabel('Reduction (% below baseline)').fill('10');
      await form.getByLabel('Name').fill('Demo: 10 % below baseline');
      await form.locator('button[type=submit]').click();
      await page.waitForSelector('[data-testid=toast]:has-text("Goal saved")', WAIT);
      await page.waitForSelector('[data-testid=goal-row]:has-text("Demo: 10 % below baseline")', WAIT);
      // The goal lives in orchestration, with its figures computed from the baselines.
      const r = await demo.gql<{
        goals: {
          name: string;
          scope: string;
          period: string;
          reductionPct: number;
          baselineKg: number;
          targetKgPerHour: number;
          requiredSavingsKg: number;
        }[];
      }>('{ goals { name scope period reductionPct baselineKg targetKgPerHour requiredSavingsKg } }');
      const goal = r.data!.goals.find((g) => g.scope === 'ALL')!;
      expect(goal).toMatchObject({ name: 'Demo: 10 % below baseline', period: 'DAY', reductionPct: 10 });
      expect(goal.baselineKg).toBeGreaterThan(0);
      expect(goal.requiredSavingsKg).toBeCloseTo(goal.baselineKg * 0.1, 6);
      const audit = await demo.gql(
        '{ auditLog(filter: { action: "goal.create" }, first: 1) { nodes { userId entityType } } }',
        {},
        demo.tokens.approver,
      );
      expect(audit.data.auditLog.nodes[0]).toEqual({ userId: 'dev-approver', entityType: 'goal' });
      await shot(page, '05b-goals');

      await page.click('nav a[href="/"]');
      await page.waitForSelector('[data-testid=pulse-card] .chip:has-text("vs target")', WAIT);
      expect(
        await page.locator('[data-testid=pulse-card] .chip:has-text("vs target")').getAttribute('title'),
      ).toContain(kg(goal.targetKgPerHour));
      await page.waitForSelector(`[data-testid=gauge-card] :text("of ${kg(goal.requiredSavingsKg)}")`, WAIT);
      expect(await page.locator('[data-testid=gauge-goal]').textContent()).toBe(
        `goal: ${kg(goal.requiredSavingsKg)} less per day`,
      );
    },
    60_000,
  );

  browserIt(
    'CSV import streams a file, shows progress, the result summary and per-row errors',
    async () => {
      await page.selectOption('[data-testid=role-select]', 'analyst');
      await page.click('[data-testid=sign-in]');
      await page.waitForSelector('[data-testid=profile-role]:has-text("analyst")', WAIT);
      await page.click('nav a[href="/import"]');
      const t = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
      const csv = [
        'external_id,supplier_external_id,event_type,timestamp,distance_km,load_kg,vehicle_type,fuel_type',
        `csv-1,northwind,transport,${t(30)},120,8000,rigid_truck,diesel`,
        `csv-2,baltic,transport,${t(25)},180,12000,articulated_truck,diesel`,
        `csv-3,northwind,transport,${t(20)},not-a-number,8000,rigid_truck,diesel`,
        `csv-4,baltic,transport,${t(15)},95,6000,articulated_truck,diesel`,
      ].join('\n');
      await page.setInputFiles('[data-testid=csv-input]', {
        name: 'shipments.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(csv),
      });
      await page.waitForSelector('[data-testid=upload-progress] .chip:has-text("completed")', WAIT);
      expect(await page.locator('[data-testid=rows-accepted]').textContent()).toBe('3');
      expect(await page.locator('[data-testid=rows-rejected]').textContent()).toBe('1');
      await page.waitForSelector('[data-testid=upload-progress] [data-testid=rejected-end]', WAIT);
      const errors = page.locator('[data-testid=row-errors] tbody tr');
      expect(await errors.count()).toBe(1);
      expect(await errors.first().textContent()).toMatch(/^3distance_?km/i);
      expect(
        Number(await page.locator('[data-testid=upload-progress] [role=progressbar]').getAttribute('aria-valuenow')),
      ).toBe(100);
      await page.waitForSelector('[data-testid=imports-card] td:has-text("shipments.csv")', WAIT);
      await shot(page, '06-csv-import');
      await page.click('nav a[href="/"]');
    },
    60_000,
  );

  browserIt(
    'settings: an admin registers a partner webhook endpoint (secret shown once) and sees the thresholds',
    async () => {
      const receiver = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(204).end());
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      try {
        const port = (receiver.address() as AddressInfo).port;
        await page.selectOption('[data-testid=role-select]', 'admin');
        await page.click('[data-testid=sign-in]');
        await page.waitForSelector('[data-testid=profile-role]:has-text("admin")', WAIT);
        await page.click('nav a[href="/settings"]');
        await page.getByLabel('HTTPS URL').fill(`http://127.0.0.1:${port}/carbon-hooks`);
        await page.getByLabel('Description').fill('Partner TMS');
        await page.click('[data-testid=webhooks-card] button:has-text("Register")');
        expect(await page.locator('[data-testid=webhook-secret]').textContent({ timeout: 60_000 })).toMatch(/^whsec_/);
        await page.waitForSelector(`[data-testid=webhook-row]:has-text("127.0.0.1:${port}/carbon-hooks")`, WAIT);
        await page.waitForSelector('[data-testid=thresholds-card] dd', WAIT);
        await page.waitForSelector('[data-testid=baselines-card] tbody tr', WAIT);
        // Hotspot thresholds: validated in the form, saved through updateHotspotSettings (admin), audited.
        const info = page.locator('[data-testid=threshold-info]');
        await page.waitForFunction(
          () => (document.querySelector('[data-testid=threshold-info]') as HTMLInputElement | null)?.value === '80',
          undefined,
          WAIT,
        );
        await info.fill('120');
        expect(await page.locator('#thr-warn-help').textContent()).toMatch(/Must be above INFO/);
        expect(await page.locator('[data-testid=thresholds-save]').isDisabled()).toBe(true);
        await info.fill('70');
        await page.click('[data-testid=thresholds-save]');
        await page.waitForSelector('[data-testid=thresholds-saved]', WAIT);
        await page.waitForSelector('[data-testid=hotspot-thresholds-card] .chip:has-text("saved")', WAIT);
        const settings = await demo.gql(
          '{ hotspotSettings { thresholds { entityType info warn critical source updatedBy } } }',
        );
        expect(settings.data.hotspotSettings.thresholds).toEqual([
          { entityType: 'default', info: 70, warn: 100, critical: 150, source: 'SETTINGS', updatedBy: 'dev-admin' },
        ]);
        const audit = await demo.gql(
          '{ auditLog(filter: { action: "hotspotSettings.update" }, first: 1) { nodes { userId } } }',
        );
        expect(audit.data.auditLog.nodes).toEqual([{ userId: 'dev-admin' }]);
        await shot(page, '06b-settings');
      } finally {
        receiver.close();
      }
      await page.click('nav a[href="/"]');
    },
    60_000,
  );

  browserIt(
    'a dropped subscription connection reconnects and the status pill says so',
    async () => {
      await page.evaluate(() => (window as any).__carbonNexusWs.terminate());
      await page.waitForSelector('[data-testid=connection-pill][data-status=reconnecting]', WAIT);
      await page.waitForSelector('[data-testid=connection-pill][data-status=live]', WAIT);
    },
    60_000,
  );

  browserIt(
    'looks finished on desktop and tablet (screenshots for docs)',
    async () => {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForSelector('[data-testid=forecast-card] svg', WAIT);
      await page.waitForTimeout(1500); // let chart entry animations settle before the picture (not an assertion)
      const file = await shot(page, '07-dashboard');
      fs.mkdirSync(path.dirname(docsShot), { recursive: true });
      fs.copyFileSync(file, docsShot);
      await page.setViewportSize({ width: 800, height: 1000 });
      await page.waitForTimeout(800);
      // No horizontal overflow at tablet width.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
      await shot(page, '08-dashboard-tablet');
      expect(pageErrors).toEqual([]);
    },
    60_000,
  );
});
