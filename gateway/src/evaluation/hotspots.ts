// Hotspot evaluation on mock data: the real product (embedded, its own database), seeded mock data streamed through
// the real ingestion path (POST /ingest/event), then day by day what production does every hour — baselines from
// the history before the day, detection window by window — and a count of what it found:
//  - false alerts: alerts (creations and escalations) of hotspots that overlap no planned spike of their supplier,
//    per supplier-week of normal data;
//  - planned spikes detected: a hotspot of that supplier overlapping the spike, with the delay and the peak level.
// Used by `npm run eval` (cli/eval-hotspots.ts, full size) and by a test (small).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findPlatformRoot, loadPlatformConfig, signDevToken, createLogger } from '@carbon-nexus/plugin-sdk';
import type { Database } from '@carbon-nexus/db';
import { MOCK_SUPPLIERS, runStream, type PlannedSpike, type SpikeKind } from '@carbon-nexus/data-core/mock';
import { startGateway, type GatewayServer } from '../server.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface SpikePlan {
  supplier: string;
  kind: SpikeKind;
  factor: number;
  /** Day of the week (0 = Monday) and UTC hour it starts at, in the given week of the evaluation period (0-based). */
  weekday: number;
  week: number;
  hourUtc: number;
  hours: number;
}

export interface HotspotEvalOptions {
  /** Days of normal history before the evaluation period (baselines need it). */
  historyDays: number;
  /** Days evaluated: baselines as of each day's start, then detection over the day. */
  evalDays: number;
  /** Mock suppliers (external ids); default all. */
  suppliers?: string[];
  spikes: SpikePlan[];
  seed: number;
  /** Detection window, minutes (the range is walked window by window). */
  windowMinutes?: number;
  /** A prepared database (tests); default: PGlite in a fresh temp directory. */
  db?: Database;
  /** Also judge the same windows by the seed's rule alone (default true). */
  compareSeedRule?: boolean;
  /** Extra environment for the product (e.g. HOTSPOT_NOISE_SIGMAS). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface SpikeResult extends SpikePlan {
  name: string;
  what: string;
  from: string;
  to: string;
  detected: boolean;
  /** The supplier's kg CO2e during the spike / during the same hours one week before (data-core's figure). */
  figureRatio: number | null;
  /** Minutes from the spike's start to the end of the first window that raised its hotspot. */
  delayMin: number | null;
  peak: string | null;
  peakPercent: number | null;
  alerts: number;
}

export interface HotspotEvalResult {
  startedAt: string;
  periodFrom: string;
  periodTo: string;
  suppliers: { externalId: string; name: string; falseAlerts: number }[];
  supplierWeeks: number;
  windows: number;
  eventsAccepted: number;
  eventsRejected: number;
  alerts: number;
  falseAlerts: number;
  falseAlertsPerSupplierWeek: number;
  suppressed: number;
  spikes: SpikeResult[];
  /** The same data and windows judged by the seed's rule alone (minEvents 1, noiseSigmas 0). */
  seedRuleOnly: { alerts: number; falseAlerts: number; falseAlertsPerSupplierWeek: number; detected: number } | null;
  settings: {
    thresholds: {
      entityType: string;
      info: number;
      warn: number;
      critical: number;
      minEvents: number;
      noiseSigmas: number;
    }[];
    windowMinutes: number;
    baselineWeeks: number;
    baselineMinSamples: number;
  };
  seconds: number;
}

/** What each kind of planned spike changes, in words (what suppliers report, never emissions). */
export function describeSpike(supplier: string, kind: SpikeKind, factor: number): string {
  const s = MOCK_SUPPLIERS.find((x) => x.externalId === supplier)!;
  const figure = s.trips
    ? s.trips.fuelType === 'electric'
      ? 'metered kWh'
      : s.trips.fuelRecords
        ? 'fuel records'
        : 'distance × load'
    : s.delivery
      ? s.delivery.fuelType === 'electric'
        ? 'metered kWh'
        : 'distance'
      : 'metered kWh';
  const change: Record<SpikeKind, string> = {
    distance: `detours: distance ×${factor}, +10 min idling per trip`,
    load: `full payloads, no empty trips, hauls ×${(factor / 1.6).toFixed(2)}`,
    volume: `trips/rounds ×${factor}`,
    energy: `meter readings ×${factor}`,
  };
  return `${change[kind]} (figure from ${figure})`;
}

type Gql = <T = any>(query: string, variables?: Record<string, unknown>) => Promise<T>;

function client(url: string, token: string): Gql {
  return async (query, variables = {}) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join('; ')}`);
    return body.data;
  };
}

interface HotspotNode {
  id: string;
  entityId: string;
  windowStart: string;
  windowEnd: string;
  alerts: { level: string; percentAbove: number }[];
}

async function allHotspots(gql: Gql): Promise<HotspotNode[]> {
  const out: HotspotNode[] = [];
  for (const status of ['OPEN', 'ACKNOWLEDGED', 'RESOLVED']) {
    let after: string | null = null;
    for (;;) {
      const d: { hotspots: { nodes: HotspotNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
        await gql(
          `query($s: HotspotStatus, $a: String) { hotspots(status: $s, entityType: "supplier", first: 200, after: $a) {
          nodes { id entityId windowStart windowEnd alerts { level percentAbove } } pageInfo { hasNextPage endCursor } } }`,
          { s: status, a: after },
        );
      out.push(...d.hotspots.nodes);
      if (!d.hotspots.pageInfo.hasNextPage) break;
      after = d.hotspots.pageInfo.endCursor;
    }
  }
  return out;
}

const RANK: Record<string, number> = { INFO: 1, WARN: 2, CRITICAL: 3 };

export async function runHotspotEval(o: HotspotEvalOptions): Promise<HotspotEvalResult> {
  const log = o.log ?? (() => undefined);
  const started = Date.now();
  const windowMinutes = o.windowMinutes ?? 60;
  const root = findPlatformRoot();
  const { plugins } = await loadPlatformConfig(root);
  const tmp = o.db ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-nexus-eval-'));
  // Jobs off: this run decides when baselines and detection happen (as of each evaluated day).
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...o.env,
    DATA_DIR: tmp ?? process.env.DATA_DIR,
    HOTSPOT_WINDOW_MINUTES: String(windowMinutes),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  if (tmp) delete env.DATABASE_URL;
  let gw: GatewayServer | null = null;
  try {
    gw = await startGateway({
      plugins,
      port: 0,
      serveWeb: false,
      env,
      logger: createLogger({ name: 'eval', level: env.LOG_LEVEL }),
      host: { scheduler: false, ...(o.db ? { db: o.db } : {}) },
    });
    const token = await signDevToken({ sub: 'hotspot-eval', roles: ['admin'], expiresIn: '1d' });
    const gql = client(gw.url, token);
    const suppliers = MOCK_SUPPLIERS.filter((s) => !o.suppliers || o.suppliers.includes(s.externalId));

    // Timeline, whole hours in the past: history, then the evaluated days, ending an hour before now.
    const periodTo = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
    const periodFrom = periodTo - o.evalDays * DAY;
    const dayStart = (d: number) => periodFrom + d * DAY;
    const spikes: PlannedSpike[] = o.spikes.map((p) => {
      let day = Math.ceil(periodFrom / DAY) * DAY; // the first whole day of the period
      while ((new Date(day).getUTCDay() + 6) % 7 !== p.weekday) day += DAY;
      let from = day + p.week * 7 * DAY + p.hourUtc * HOUR;
      if (from + p.hours * HOUR > periodTo && from - 7 * DAY >= periodFrom) from -= 7 * DAY; // the period ends mid-week
      return { supplier: p.supplier, kind: p.kind, factor: p.factor, from, to: from + p.hours * HOUR };
    });
    for (const s of spikes)
      if (s.to > periodTo) throw new Error(`planned spike of ${s.supplier} ends after the evaluation period`);
    log(
      `streaming ${o.historyDays + o.evalDays} days of mock data for ${suppliers.length} suppliers (${spikes.length} planned spikes) through POST /ingest/event`,
    );
    const days = (Date.now() - (periodFrom - o.historyDays * DAY)) / DAY;
    const stats = await runStream({
      url: gw.url,
      speed: 1,
      hotspotAt: -1,
      catchUp: 0,
      windowMinutes,
      hotspotSupplier: suppliers[0].externalId,
      hotspotKind: 'distance',
      hotspotFactor: 2,
      hotspotHours: 1,
      spikes,
      suppliers: suppliers.map((s) => s.externalId),
      backfillDays: days,
      recalculateBaselines: false,
      durationMin: 0.001,
      seed: o.seed,
      batch: 1000,
      token,
      quiet: true,
      log: () => undefined,
    });
    log(
      `stream done: ${stats.accepted} accepted, ${stats.rejected} rejected (${Math.round((Date.now() - started) / 1000)} s)`,
    );

    const ids = await gql<{ suppliers: { nodes: { id: string; externalId: string; name: string }[] } }>(
      `{ suppliers(first: 500, search: "MOCK-") { nodes { id externalId name } } }`,
    );
    const extOf = new Map(ids.suppliers.nodes.map((s) => [s.id, s.externalId]));
    const idOf = new Map(ids.suppliers.nodes.map((s) => [s.externalId, s.id]));
    const supplierWeeks = (suppliers.length * o.evalDays) / 7;
    const overlaps = (h: { from: number; to: number }, s: PlannedSpike) => h.from < s.to && s.from < h.to;

    /** Every evaluated day: baselines from the history before it, then detection over it, window by window. */
    const detectAll = async (label: string) => {
      let windows = 0;
      let suppressed = 0;
      for (let d = 0; d < o.evalDays; d++) {
        await gql(`mutation($t: String) { recalculateBaselines(asOf: $t) { entities } }`, {
          t: new Date(dayStart(d)).toISOString(),
        });
        const r = await gql<{ detectHotspotsRange: { windows: number; suppressed: number; alertsRaised: number } }>(
          `mutation($f: String!, $t: String!, $w: Int) { detectHotspotsRange(from: $f, to: $t, windowMinutes: $w) { windows suppressed alertsRaised } }`,
          { f: new Date(dayStart(d)).toISOString(), t: new Date(dayStart(d + 1)).toISOString(), w: windowMinutes },
        );
        windows += r.detectHotspotsRange.windows;
        suppressed += r.detectHotspotsRange.suppressed;
        log(
          `${label} day ${d + 1}/${o.evalDays}: ${r.detectHotspotsRange.alertsRaised} alerts, ${r.detectHotspotsRange.suppressed} windows without enough evidence`,
        );
      }
      const hotspots = (await allHotspots(gql)).map((h) => ({
        ...h,
        supplier: extOf.get(h.entityId) ?? h.entityId,
        from: Date.parse(h.windowStart),
        to: Date.parse(h.windowEnd),
      }));
      const falseBy = new Map<string, number>();
      let alerts = 0;
      for (const h of hotspots) {
        alerts += h.alerts.length;
        if (!spikes.some((s) => s.supplier === h.supplier && overlaps(h, s)))
          falseBy.set(h.supplier, (falseBy.get(h.supplier) ?? 0) + h.alerts.length);
      }
      const falseAlerts = [...falseBy.values()].reduce((a, b) => a + b, 0);
      return { windows, suppressed, hotspots, falseBy, alerts, falseAlerts };
    };
    const kgOf = async (supplier: string, from: number, to: number) => {
      const d = await gql<{ emissionsSeries: { co2eKg: number }[] }>(
        `query($f: String!, $t: String!, $s: [ID!]) { emissionsSeries(from: $f, to: $t, bucket: HOUR, groupBy: SUPPLIER, supplierIds: $s) { co2eKg } }`,
        { f: new Date(from).toISOString(), t: new Date(to).toISOString(), s: [idOf.get(supplier)] },
      );
      return d.emissionsSeries.reduce((a, x) => a + x.co2eKg, 0);
    };

    const main = await detectAll('evidence rules');
    const { windows, suppressed, hotspots, falseBy, alerts, falseAlerts } = main;
    const spikeResults: SpikeResult[] = [];
    for (const [i, p] of o.spikes.entries()) {
      const s = spikes[i];
      const found = hotspots.filter((h) => h.supplier === s.supplier && overlaps(h, s)).sort((a, b) => a.from - b.from);
      const all = found.flatMap((h) => h.alerts);
      const peak = all.reduce<{ level: string; percentAbove: number } | null>(
        (best, a) =>
          !best || RANK[a.level] > RANK[best.level] || (a.level === best.level && a.percentAbove > best.percentAbove)
            ? a
            : best,
        null,
      );
      const before = await kgOf(s.supplier, s.from - 7 * DAY, s.to - 7 * DAY);
      const during = await kgOf(s.supplier, s.from, s.to);
      spikeResults.push({
        ...p,
        name: suppliers.find((x) => x.externalId === p.supplier)?.name ?? p.supplier,
        what: describeSpike(p.supplier, p.kind, p.factor),
        from: new Date(s.from).toISOString(),
        to: new Date(s.to).toISOString(),
        detected: found.length > 0,
        figureRatio: before > 0 ? during / before : null,
        delayMin: found.length ? Math.round((found[0].from + windowMinutes * 60_000 - s.from) / 60_000) : null,
        peak: peak?.level ?? null,
        peakPercent: peak ? Math.round(peak.percentAbove) : null,
        alerts: all.length,
      });
    }

    // The same data and windows under the seed's rule alone: what the evidence rules are worth.
    let seedRuleOnly: HotspotEvalResult['seedRuleOnly'] = null;
    if (o.compareSeedRule !== false) {
      // The evaluation's own throw-away database: start the second judgement from no hotspots.
      await gw.host!.db.query(`DELETE FROM alerts`);
      await gw.host!.db.query(`DELETE FROM hotspot_changes`);
      await gw.host!.db.query(`DELETE FROM hotspots`);
      await gql(
        `mutation { updateHotspotSettings(input: { thresholds: [{ entityType: "default", info: 80, warn: 100, critical: 150, minEvents: 1, noiseSigmas: 0 }] }) { windowMinutes } }`,
      );
      const plain = await detectAll('seed rule only');
      seedRuleOnly = {
        alerts: plain.alerts,
        falseAlerts: plain.falseAlerts,
        falseAlertsPerSupplierWeek: plain.falseAlerts / supplierWeeks,
        detected: spikes.filter((s) => plain.hotspots.some((h) => h.supplier === s.supplier && overlaps(h, s))).length,
      };
      await gql(`mutation { updateHotspotSettings(input: { thresholds: [], reset: ["default"] }) { windowMinutes } }`);
    }
    const settings = (
      await gql(
        `{ hotspotSettings { thresholds { entityType info warn critical minEvents noiseSigmas } windowMinutes baselineWeeks baselineMinSamples } }`,
      )
    ).hotspotSettings;
    return {
      seedRuleOnly,
      startedAt: new Date(started).toISOString(),
      periodFrom: new Date(periodFrom).toISOString(),
      periodTo: new Date(periodTo).toISOString(),
      suppliers: suppliers.map((s) => ({
        externalId: s.externalId,
        name: s.name,
        falseAlerts: falseBy.get(s.externalId) ?? 0,
      })),
      supplierWeeks,
      windows,
      eventsAccepted: stats.accepted,
      eventsRejected: stats.rejected,
      alerts,
      falseAlerts,
      falseAlertsPerSupplierWeek: falseAlerts / supplierWeeks,
      suppressed,
      spikes: spikeResults,
      settings,
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await gw?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The REPORT.md block (between the hotspot-eval markers). */
export function reportBlock(r: HotspotEvalResult, o: HotspotEvalOptions): string {
  const t = r.settings.thresholds.find((x) => x.entityType === 'supplier') ?? r.settings.thresholds[0];
  const lines = [
    '## Hotspot detection on mock data',
    '',
    `Generated by \`npm run eval\` (gateway/src/cli/eval-hotspots.ts) on ${r.startedAt.slice(0, 10)}: the embedded product on a fresh PGlite`,
    `database; ${o.historyDays} days of history and ${o.evalDays} evaluated days (${r.periodFrom.slice(0, 16)}Z … ${r.periodTo.slice(0, 16)}Z) of seeded`,
    `mock data (seed ${o.seed}, ${r.suppliers.length} suppliers, ${r.eventsAccepted.toLocaleString('en')} events, ${r.eventsRejected} rejected) sent through \`POST /ingest/event\`;`,
    `every evaluated day: \`recalculateBaselines(asOf: day start)\` (history before the day only), then`,
    `\`detectHotspotsRange\` over the day in ${r.settings.windowMinutes}-minute windows. Rules: INFO/WARN/CRITICAL at ${t.info}/${t.warn}/${t.critical} % above`,
    `baseline; a window counts with ≥ ${t.minEvents} events and an excess ≥ ${t.noiseSigmas} robust standard deviations of its baseline on the`,
    `square-root scale, alone or sustained over 3 hours (baselines: ${r.settings.baselineWeeks} weeks, per-hour medians from ≥ ${r.settings.baselineMinSamples} samples;`,
    'subgraphs/orchestration/README.md). A false alert is an alert (creation or escalation) of a hotspot that overlaps no',
    'planned spike of its supplier; a spike is detected when a hotspot of its supplier overlaps it.',
    '',
    '| measure | result |',
    '|---|---|',
    `| false alerts on normal data | ${r.falseAlerts} in ${r.supplierWeeks.toFixed(1)} supplier-weeks = **${r.falseAlertsPerSupplierWeek.toFixed(2)} per supplier-week** (target ≤ 1) |`,
    `| planned spikes detected | **${r.spikes.filter((s) => s.detected).length} of ${r.spikes.length}** |`,
    `| windows evaluated | ${r.windows.toLocaleString('en')} per supplier (${r.suppressed} supplier-windows above a threshold without enough evidence: not raised) |`,
    ...(r.seedRuleOnly
      ? [
          `| the same windows by the seed's rule alone (no evidence rules) | ${r.seedRuleOnly.falseAlerts} false alerts = ${r.seedRuleOnly.falseAlertsPerSupplierWeek.toFixed(2)} per supplier-week; ${r.seedRuleOnly.detected} of ${r.spikes.length} spikes |`,
        ]
      : []),
    '',
    '| supplier | false alerts |',
    '|---|---|',
    ...r.suppliers.map((s) => `| ${s.name} (${s.externalId}) | ${s.falseAlerts} |`),
    '',
    '| planned spike | what changed (what the supplier reports) | when (UTC) | figure vs a week before | detected | first alert after | peak level | peak % above |',
    '|---|---|---|---|---|---|---|---|',
    ...r.spikes.map(
      (s) =>
        `| ${s.name} (${s.supplier}) | ${s.what} | ${s.from.slice(0, 16).replace('T', ' ')}, ${s.hours} h | ${s.figureRatio === null ? '—' : `×${s.figureRatio.toFixed(2)}`} | ${s.detected ? 'yes' : '**no**'} | ${s.delayMin === null ? '—' : `${s.delayMin} min`} | ${s.peak ?? '—'} | ${s.peakPercent ?? '—'} |`,
    ),
    '',
    `"First alert after" is the end of the first ${r.settings.windowMinutes}-minute window that raised the hotspot, counted from the spike's start (windows`,
    'are whole hours here; the live detector slides its window every 5 minutes).',
  ];
  return lines.join('\n');
}

export const REPORT_START = '<!-- hotspot-eval:start -->';
export const REPORT_END = '<!-- hotspot-eval:end -->';

/** Writes the block between the markers of models/REPORT.md (appends the markers when missing). */
export function writeReportBlock(file: string, block: string): void {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const wrapped = `${REPORT_START}\n${block}\n${REPORT_END}`;
  const a = text.indexOf(REPORT_START);
  const b = text.indexOf(REPORT_END);
  const next =
    a >= 0 && b > a
      ? text.slice(0, a) + wrapped + text.slice(b + REPORT_END.length)
      : `${text.replace(/\s*$/, '')}\n\n${wrapped}\n`;
  fs.writeFileSync(file, next);
}
