// data-quality with the REAL data-core plugin: seeded activity with known injected anomalies and gaps.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createSubgraphTestkit, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { testDatabaseTargets } from '@carbon-nexus/db';
import { parsePluginConfig, type AuthClaims } from '@carbon-nexus/plugin-sdk';
import plugin from '../src/plugin.ts';
import { makeSeed, SUPPLIERS, type Seed } from './seed.ts';
import { qualityUpdated } from '../client/index.ts';

const H = 3_600_000;
const DAYS = 7;
const ANALYST: AuthClaims = { sub: 'ana', roles: ['analyst'], supplierIds: null };
const VIEWER: AuthClaims = { sub: 'vic', roles: ['viewer'], supplierIds: null };

const PANEL = `query($from: String!, $to: String!, $ids: [ID!], $after: String, $fAfter: String, $gAfter: String) {
  dataQualityPanel(from: $from, to: $to, supplierIds: $ids, first: 500) {
    gaps(after: $gAfter) { totalCount pageInfo { hasNextPage endCursor } nodes { id supplierId hourStart status co2eKg confidence predictedBy eventId expectedCount } }
    outliers(after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { eventId supplierId method metric value reason timestamp } }
    fills(after: $fAfter) { totalCount pageInfo { hasNextPage endCursor } nodes { supplierId hourStart co2eKg confidence predictedBy eventId status } }
  }
}`;
const BADGE = `query($from: String!, $to: String!, $ids: [ID!]) {
  dataQualityBadge(from: $from, to: $to, supplierIds: $ids) { realPct predictedPct realCount predictedCount suspectCount totalCount primaryDataShare label }
}`;
const RUN = `mutation($from: String, $to: String) { runDataQuality(from: $from, to: $to) { suppliersAssessed windowsWritten outliersFlagged gapsDetected gapsFilled fillsSuperseded model } }`;

describe.each(testDatabaseTargets())('data-quality on %s with data-core', (target) => {
  let kit: SubgraphTestkit;
  const ids: string[] = [];
  let seed: Seed;
  const eventIdOf = new Map<string, string>(); // externalId -> event id
  let end = 0;
  let start = 0;
  const iso = (t: number) => new Date(t).toISOString();

  async function ingest(inputs: Record<string, unknown>[]) {
    for (let i = 0; i < inputs.length; i += 2000) {
      const batch = inputs.slice(i, i + 2000);
      const r = await kit.query<any>(
        `mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted rejected results { index status eventId errors { field reason } } } }`,
        { e: batch },
        { plugin: 'data-core' },
      );
      expect(
        r.ingestEvents.rejected,
        JSON.stringify(r.ingestEvents.results.find((x: any) => x.status === 'REJECTED')),
      ).toBe(0);
      r.ingestEvents.results.forEach((x: any) => eventIdOf.set(batch[x.index].externalId as string, x.eventId));
    }
  }

  async function allPanel(from: number, to: number, supplierIds?: string[]) {
    const gaps: any[] = [];
    const outliers: any[] = [];
    const fills: any[] = [];
    let after: string | null = null;
    let fAfter: string | null = null;
    let gAfter: string | null = null;
    for (let i = 0; i < 20; i++) {
      const r: any = await kit.query(PANEL, {
        from: iso(from),
        to: iso(to),
        ids: supplierIds ?? null,
        after,
        fAfter,
        gAfter,
      });
      const p = r.dataQualityPanel;
      if (i === 0 || after) outliers.push(...p.outliers.nodes);
      if (i === 0 || fAfter) fills.push(...p.fills.nodes);
      if (i === 0 || gAfter) gaps.push(...p.gaps.nodes);
      after = p.outliers.pageInfo.hasNextPage ? p.outliers.pageInfo.endCursor : null;
      fAfter = p.fills.pageInfo.hasNextPage ? p.fills.pageInfo.endCursor : null;
      gAfter = p.gaps.pageInfo.hasNextPage ? p.gaps.pageInfo.endCursor : null;
      if (!after && !fAfter && !gAfter) break;
    }
    return { gaps, outliers, fills };
  }

  beforeAll(async () => {
    const { default: dataCore } = await import('@carbon-nexus/data-core');
    kit = await createSubgraphTestkit(plugin, { with: [dataCore], target });
    for (const s of SUPPLIERS) {
      const r = await kit.query<any>(
        `mutation($i: SupplierInput!) { createSupplier(input: $i) { id } }`,
        { i: { name: s.name, category: s.category, country: s.country } },
        { plugin: 'data-core' },
      );
      ids.push(r.createSupplier.id);
    }
    // Anchored at the last UTC midnight: the same hour-of-day pattern (and so the same seeded data) on every run.
    end = Math.floor(Date.now() / (24 * H)) * 24 * H;
    start = end - DAYS * 24 * H;
    seed = makeSeed(ids, end, DAYS * 24);
    const withheld = new Set([...seed.gaps.entries()].flatMap(([si, hs]) => hs.map((h) => `${si}|${h}`)));
    const t0 = Date.now();
    await ingest(seed.events.filter((e) => !withheld.has(`${e.supplier}|${e.hour}`)).map((e) => e.input));
    console.log(`[${target}] seeded ${seed.events.length} events in ${Date.now() - t0} ms`);
  });

  afterAll(async () => {
    await kit?.stop();
  });

  it('runDataQuality needs analyst+, validates its range, and runs as the platform', async () => {
    const denied = await kit.execute(RUN, { from: iso(start), to: iso(end) }, { auth: VIEWER });
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bad = await kit.execute(RUN, { from: iso(end), to: iso(start) }, { auth: ANALYST });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    const r = await kit.query<any>(RUN, { from: iso(start), to: iso(end) }, { auth: ANALYST });
    expect(r.runDataQuality.model).toBe('gapfill@1.1.0');
    expect(r.runDataQuality.suppliersAssessed).toBe(SUPPLIERS.length);
    expect(r.runDataQuality.gapsFilled).toBe(r.runDataQuality.gapsDetected);
    const audit = await kit.db.query<{ action: string; user_id: string }>(
      `SELECT action, user_id FROM audit_logs WHERE action = 'data-quality.run'`,
    );
    expect(audit).toEqual([{ action: 'data-quality.run', user_id: 'ana' }]);
  });

  it('outlier precision and recall ≥ 0.9 against the injected anomalies, with reasons in data-core', async () => {
    const { outliers } = await allPanel(start, end);
    const flagged = new Set(outliers.map((o) => o.eventId));
    const truth = new Set(
      seed.events
        .filter((e) => e.anomaly)
        .map((e) => eventIdOf.get(e.input.externalId as string)!)
        .filter(Boolean),
    );
    const tp = [...flagged].filter((id) => truth.has(id)).length;
    const precision = tp / flagged.size;
    const recall = tp / truth.size;
    const byMethod = {
      iqr: new Set(outliers.filter((o) => o.method === 'IQR').map((o) => o.eventId)).size,
      dbscan: new Set(outliers.filter((o) => o.method === 'DBSCAN').map((o) => o.eventId)).size,
    };
    const iqrIds = new Set(outliers.filter((o) => o.method === 'IQR').map((o) => o.eventId));
    const perKind: Record<string, string> = {};
    for (const kind of new Set(seed.events.map((e) => e.anomaly).filter(Boolean))) {
      const evs = seed.events
        .filter((e) => e.anomaly === kind)
        .map((e) => eventIdOf.get(e.input.externalId as string)!);
      perKind[kind!] =
        `${evs.filter((id) => flagged.has(id)).length}/${evs.length} (dbscan-only ${evs.filter((id) => flagged.has(id) && !iqrIds.has(id)).length})`;
    }
    console.log(
      `[${target}] outliers: injected=${truth.size} flagged=${flagged.size} tp=${tp} precision=${precision.toFixed(3)} recall=${recall.toFixed(3)} iqr=${byMethod.iqr} dbscan=${byMethod.dbscan} per kind ${JSON.stringify(perKind)}`,
    );
    expect(truth.size).toBeGreaterThan(40);
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(byMethod.dbscan).toBeGreaterThan(0);
    // data-core holds them as SUSPECT with our reason.
    const sample = [...flagged].slice(0, 50);
    const ev = await kit.query<any>(
      `query($ids: [ID!]) { events(filter: { ids: $ids }, first: 100) { nodes { id qualityStatus qualityReason } } }`,
      { ids: sample },
      { plugin: 'data-core' },
    );
    expect(ev.events.nodes).toHaveLength(sample.length);
    for (const n of ev.events.nodes) {
      expect(n.qualityStatus).toBe('SUSPECT');
      expect(n.qualityReason).toMatch(/IQR|DBSCAN/);
      expect(n.qualityReason).toMatch(/for supplier /);
    }
    const tkm = outliers.find((o) => o.metric === 'co2e_per_tkm');
    expect(tkm.reason).toMatch(
      /^co2e per t·km \(kg CO2e\/t·km\) [\d.]+ above IQR upper fence [\d.]+ \(k=1\.5, log scale, spread floor 10 %\) for supplier /,
    );
  });

  it('detects every injected gap (recall 1.0) and fills it as a predicted event in data-core', async () => {
    const { gaps, fills } = await allPanel(start, end);
    const detected = new Set(gaps.map((g) => `${g.supplierId}|${Date.parse(g.hourStart)}`));
    const injected = [...seed.gaps.entries()].flatMap(([si, hs]) => hs.map((h) => `${ids[si]}|${h}`));
    const found = injected.filter((k) => detected.has(k)).length;
    const recall = found / injected.length;
    console.log(
      `[${target}] gaps: injected=${injected.length} detected=${detected.size} recall=${recall.toFixed(3)} precision=${(found / detected.size).toFixed(3)}`,
    );
    expect(recall).toBe(1);
    expect(fills.length).toBe(gaps.length);
    for (const f of fills) {
      expect(f.status).toBe('FILLED');
      expect(f.predictedBy).toBe('gapfill@1.1.0');
      expect(f.confidence).toBeGreaterThan(0);
      expect(f.confidence).toBeLessThan(1);
      expect(f.co2eKg).toBeGreaterThan(0);
    }
    const ev = await kit.query<any>(
      `query($from: String!, $to: String!) { events(filter: { from: $from, to: $to, dataSources: [GAP_FILL] }, first: 1000) { nodes { id supplierId timestamp co2eKg dataSource qualityStatus confidence predictedBy } } }`,
      { from: iso(start), to: iso(end) },
      { plugin: 'data-core' },
    );
    expect(ev.events.nodes).toHaveLength(fills.length);
    const fillById = new Map(fills.map((f) => [f.eventId, f]));
    for (const e of ev.events.nodes) {
      expect(e.qualityStatus).toBe('PREDICTED');
      expect(e.predictedBy).toBe('gapfill@1.1.0');
      expect(Date.parse(e.timestamp) % H).toBe(0);
      expect(e.co2eKg).toBeCloseTo(fillById.get(e.id).co2eKg, 3);
    }
    // Completeness windows: a gap hour is 0 % complete and shows its fill as predicted.
    const [si, hours] = [...seed.gaps.entries()][0];
    const w = await kit.query<any>(
      `query($ids: [ID!], $from: String, $to: String) { dataQualityWindows(granularity: HOUR, supplierIds: $ids, from: $from, to: $to, first: 5) { totalCount nodes { windowStart completenessPct predictedPct predictedCount realCount expectedCount } } }`,
      { ids: [ids[si]], from: iso(hours[0]), to: iso(hours[0] + H) },
    );
    expect(w.dataQualityWindows.nodes[0]).toMatchObject({
      windowStart: iso(hours[0]),
      completenessPct: 0,
      predictedPct: 100,
      predictedCount: 1,
      realCount: 0,
    });
  });

  it('the badge counts fills as predicted, adds up to exactly 100, and moves when late real data supersedes a fill', async () => {
    const realIngested =
      seed.events.length -
      [...seed.gaps.entries()].reduce(
        (a, [si, hs]) => a + seed.events.filter((e) => e.supplier === si && hs.includes(e.hour)).length,
        0,
      );
    const fills = (await allPanel(start, end)).fills;
    const b1 = (await kit.query<any>(BADGE, { from: iso(start), to: iso(end) })).dataQualityBadge;
    expect(b1.realCount).toBe(realIngested);
    expect(b1.predictedCount).toBe(fills.length);
    expect(b1.realPct + b1.predictedPct).toBe(100);
    expect(b1.label).toBe(`${b1.realPct}% Real | ${b1.predictedPct}% Predicted`);
    expect(b1.primaryDataShare).toBeGreaterThan(90);
    expect(b1.primaryDataShare).toBeLessThan(100);
    // Late real data for supplier 0's gap hours.
    const late0 = seed.events.filter((e) => e.supplier === 0 && seed.gaps.get(0)!.includes(e.hour)).map((e) => e.input);
    await ingest(late0);
    const b2 = (await kit.query<any>(BADGE, { from: iso(start), to: iso(end) })).dataQualityBadge;
    expect(b2.predictedCount).toBe(b1.predictedCount - seed.gaps.get(0)!.length);
    expect(b2.realCount).toBe(b1.realCount + late0.length);
    expect(b2.realPct).toBeGreaterThan(b1.realPct);
    expect(b2.realPct + b2.predictedPct).toBe(100);
    // Supplier-filtered badge for supplier 0 is now fully real.
    const b3 = (await kit.query<any>(BADGE, { from: iso(start), to: iso(end), ids: [ids[0]] })).dataQualityBadge;
    expect(b3).toMatchObject({ realPct: 100, predictedPct: 0, predictedCount: 0, primaryDataShare: 100 });
  });

  it('gap-fill MAPE on the withheld real hours, and a re-run never re-fills an hour with real data', async () => {
    const rest = seed.events
      .filter((e) => e.supplier !== 0 && seed.gaps.get(e.supplier)!.includes(e.hour))
      .map((e) => e.input);
    await ingest(rest);
    const fills = (await allPanel(start, end)).fills;
    const series = await kit.query<any>(
      `query($from: String!, $to: String!) { emissionsSeries(from: $from, to: $to, bucket: HOUR, groupBy: SUPPLIER) { bucketStart key co2eKg predictedCount } }`,
      { from: iso(start), to: iso(end) },
      { plugin: 'data-core' },
    );
    const truth = new Map<string, number>(
      series.emissionsSeries.map((p: any) => [`${p.key}|${Date.parse(p.bucketStart)}`, p.co2eKg]),
    );
    const injected = new Set([...seed.gaps.entries()].flatMap(([si, hs]) => hs.map((h) => `${ids[si]}|${h}`)));
    const errs = fills
      .map((f) => [`${f.supplierId}|${Date.parse(f.hourStart)}`, f.co2eKg] as const)
      .filter(([k]) => injected.has(k))
      .map(([k, v]) => Math.abs(v - truth.get(k)!) / truth.get(k)!);
    const mape = (100 * errs.reduce((a, b) => a + b, 0)) / errs.length;
    // Baseline for context: linear interpolation between the nearest non-gap hours with real data.
    const interp = [...injected].map((k) => {
      const [sid, h] = [k.split('|')[0], Number(k.split('|')[1])];
      const near = (dir: number) => {
        for (let t = h + dir * H, i = 0; i < 48; i++, t += dir * H)
          if (!injected.has(`${sid}|${t}`) && truth.has(`${sid}|${t}`)) return [t, truth.get(`${sid}|${t}`)!];
        return null;
      };
      const a = near(-1)!;
      const b = near(1)!;
      const v = a[1] + ((b[1] - a[1]) * (h - a[0])) / (b[0] - a[0]);
      return Math.abs(v - truth.get(k)!) / truth.get(k)!;
    });
    const interpMape = (100 * interp.reduce((x, y) => x + y, 0)) / interp.length;
    console.log(
      `[${target}] gap-fill MAPE on ${errs.length} withheld real hours: ${mape.toFixed(1)} % (linear interpolation baseline ${interpMape.toFixed(1)} %)`,
    );
    expect(errs.length).toBe(injected.size);
    expect(mape).toBeLessThan(35);
    expect(series.emissionsSeries.every((p: any) => p.predictedCount === 0)).toBe(true);

    const r = (await kit.query<any>(RUN, { from: iso(start), to: iso(end) })).runDataQuality;
    expect(r.gapsFilled).toBe(0);
    expect(r.fillsSuperseded).toBe(fills.length);
    const { gaps } = await allPanel(start, end);
    expect(gaps.every((g) => g.status === 'SUPERSEDED')).toBe(true);
    const ev = await kit.query<any>(
      `query($from: String!, $to: String!) { events(filter: { from: $from, to: $to, dataSources: [GAP_FILL] }, first: 1000) { nodes { qualityStatus } } }`,
      { from: iso(start), to: iso(end) },
      { plugin: 'data-core' },
    );
    expect(ev.events.nodes.every((n: any) => n.qualityStatus === 'SUPERSEDED')).toBe(true);
  });

  it('cadence: learned, overridable (audited, analyst+), and the override drives completeness', async () => {
    const sid = ids[3];
    const c0 = (
      await kit.query<any>(
        `query($id: ID!) { supplierCadence(supplierId: $id) { eventsPerHour source learnedEventsPerHour activeHoursOfDay } }`,
        { id: sid },
      )
    ).supplierCadence;
    expect(c0.source).toBe('LEARNED');
    expect(c0.learnedEventsPerHour).toBeGreaterThanOrEqual(5);
    expect(c0.learnedEventsPerHour).toBeLessThanOrEqual(7);
    expect(c0.activeHoursOfDay).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
    const SET = `mutation($id: ID!, $v: Float) { setExpectedCadence(supplierId: $id, eventsPerHour: $v) { eventsPerHour source overrideEventsPerHour overrideBy } }`;
    expect((await kit.execute(SET, { id: sid, v: 12 }, { auth: VIEWER })).errors?.[0].extensions?.code).toBe(
      'FORBIDDEN',
    );
    expect((await kit.execute(SET, { id: sid, v: -1 }, { auth: ANALYST })).errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'eventsPerHour',
    });
    const set = (await kit.query<any>(SET, { id: sid, v: c0.learnedEventsPerHour * 2 }, { auth: ANALYST }))
      .setExpectedCadence;
    expect(set).toMatchObject({ source: 'OVERRIDE', eventsPerHour: c0.learnedEventsPerHour * 2, overrideBy: 'ana' });
    const audit = await kit.db.query<{ entity_id: string }>(
      `SELECT entity_id FROM audit_logs WHERE action = 'data-quality.cadence.set'`,
    );
    expect(audit.map((a) => a.entity_id)).toEqual([sid]);
    await kit.query(RUN, { from: iso(start), to: iso(end) });
    const days = await kit.entities(
      'Supplier',
      [{ id: sid }],
      `cadence { source eventsPerHour } dataQuality(granularity: DAY, first: 3) { windowStart completenessPct expectedCount realCount }`,
    );
    const e = days.data!._entities[0];
    expect(e.cadence.source).toBe('OVERRIDE');
    const full = e.dataQuality.filter((w: any) => Date.parse(w.windowStart) >= start + 24 * H);
    expect(full.length).toBeGreaterThan(0);
    for (const w of full) {
      expect(w.completenessPct).toBeGreaterThan(35);
      expect(w.completenessPct).toBeLessThan(65);
    }
    const cleared = (await kit.query<any>(SET, { id: sid, v: null }, { auth: ANALYST })).setExpectedCadence;
    expect(cleared.source).toBe('LEARNED');
  });

  it('PACT indicators stay in range and reflect primary data share', async () => {
    const Q = `query($id: ID!, $from: String!, $to: String!) { pactIndicators(supplierId: $id, from: $from, to: $to) {
      coveragePercent primaryDataShare technologicalDQR temporalDQR geographicalDQR completenessDQR reliabilityDQR pcafScore pcafRationale realCount predictedCount } }`;
    for (const id of ids) {
      const p = (await kit.query<any>(Q, { id, from: iso(start), to: iso(end) })).pactIndicators;
      for (const k of ['technologicalDQR', 'temporalDQR', 'geographicalDQR', 'completenessDQR', 'reliabilityDQR']) {
        expect(p[k]).toBeGreaterThanOrEqual(1);
        expect(p[k]).toBeLessThanOrEqual(3);
      }
      expect(p.pcafScore).toBeGreaterThanOrEqual(1);
      expect(p.pcafScore).toBeLessThanOrEqual(5);
      expect(p.coveragePercent).toBeGreaterThan(95);
      expect(p.primaryDataShare).toBe(100); // all fills superseded by now
      expect(p.pcafRationale).toMatch(/primary data share/);
    }
    // Transport with fuel litres and routes: measured, geo-specific -> technological and geographical DQR 1.
    const t = (await kit.query<any>(Q, { id: ids[0], from: iso(start), to: iso(end) })).pactIndicators;
    expect(t.technologicalDQR).toBe(1);
    expect(t.geographicalDQR).toBe(1);
    const bad = await kit.execute(Q, { id: 'nope', from: iso(start), to: iso(end) });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'supplierId' });
  });

  it('supplier-scoped callers only see their own suppliers', async () => {
    const scoped: AuthClaims = { sub: 'partner-0', roles: ['viewer'], supplierIds: [ids[0]] };
    const w = await kit.query<any>(
      `{ dataQualityWindows(granularity: DAY, first: 100) { totalCount nodes { supplierId } } }`,
      {},
      { auth: scoped },
    );
    expect(w.dataQualityWindows.totalCount).toBeGreaterThan(0);
    expect(new Set(w.dataQualityWindows.nodes.map((n: any) => n.supplierId))).toEqual(new Set([ids[0]]));
    const b = await kit.execute(BADGE, { from: iso(start), to: iso(end), ids: [ids[1]] }, { auth: scoped });
    expect(b.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const ent = await kit.entities(
      'Supplier',
      [{ id: ids[0] }, { id: ids[1] }],
      'id dataQuality(first: 1) { supplierId }',
      { auth: scoped },
    );
    expect(ent.data!._entities[0].dataQuality[0].supplierId).toBe(ids[0]);
    expect(ent.data!._entities[1]).toBeNull();
    const p = await kit.execute(
      `query($from: String!, $to: String!) { dataQualityPanel(from: $from, to: $to) { outliers { nodes { supplierId } } } }`,
      { from: iso(start), to: iso(end) },
      { auth: scoped },
    );
    expect(new Set(p.data!.dataQualityPanel.outliers.nodes.map((n: any) => n.supplierId))).toEqual(new Set([ids[0]]));
  });

  it('thresholds are configurable (analyst+, audited) and change what is flagged', async () => {
    const T = `mutation($i: OutlierThresholdsInput!) { setOutlierThresholds(input: $i) { iqrK iqrLogScale iqrRelativeFloor dbscanEps dbscanMinPts minSamples updatedBy } }`;
    expect((await kit.execute(T, { i: { iqrK: 3 } }, { auth: VIEWER })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await kit.execute(T, { i: { iqrK: 0 } }, { auth: ANALYST })).errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.iqrK',
    });
    expect(
      (await kit.execute(T, { i: { iqrRelativeFloor: 1.5 } }, { auth: ANALYST })).errors?.[0].extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.iqrRelativeFloor' });
    expect(
      (await kit.query<any>(`{ outlierThresholds { iqrRelativeFloor } }`)).outlierThresholds.iqrRelativeFloor,
    ).toBe(0.1);
    // Everything k = 1.5 flags is already flagged: a re-run adds nothing; a tighter k flags more on the next run.
    expect((await kit.query<any>(RUN, { from: iso(start), to: iso(end) })).runDataQuality.outliersFlagged).toBe(0);
    const r = (await kit.query<any>(T, { i: { iqrK: 0.75, dbscanEps: 2 } }, { auth: ANALYST })).setOutlierThresholds;
    expect(r).toMatchObject({
      iqrK: 0.75,
      iqrLogScale: true,
      iqrRelativeFloor: 0.1,
      dbscanEps: 2,
      dbscanMinPts: 10,
      minSamples: 20,
      updatedBy: 'ana',
    });
    expect((await kit.query<any>(`{ outlierThresholds { iqrK } }`)).outlierThresholds.iqrK).toBe(0.75);
    const audit = await kit.db.query(`SELECT 1 FROM audit_logs WHERE action = 'data-quality.thresholds.set'`);
    expect(audit).toHaveLength(1);
    expect(
      (await kit.query<any>(RUN, { from: iso(start), to: iso(end) })).runDataQuality.outliersFlagged,
    ).toBeGreaterThan(50);
  });

  it('the scheduled job assesses the lookback window and signals quality.updated', async () => {
    // Let signals of earlier runs (delivered on a later tick) drain before listening.
    await new Promise((r) => setTimeout(r, 50));
    const got: { supplierIds: string[]; from: string; to: string }[] = [];
    const off = kit.services.bus.subscribe(qualityUpdated, (p) => void got.push(p));
    try {
      await kit.runJob('assessQuality');
      for (let i = 0; i < 50 && !got.length; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      off();
    }
    expect(got).toHaveLength(1);
    expect(new Set(got[0].supplierIds)).toEqual(new Set(ids));
    expect(Date.parse(got[0].to) - Date.parse(got[0].from)).toBe(48 * H);
    expect(Date.parse(got[0].to) % H).toBe(0);
  });
});

describe('data-quality configuration', () => {
  it('a bad setting is a clear error naming the setting; defaults are the documented ones', () => {
    expect(() => parsePluginConfig(plugin, { QUALITY_LOOKBACK_HOURS: '0' })).toThrow(/QUALITY_LOOKBACK_HOURS/);
    expect(() => parsePluginConfig(plugin, { QUALITY_CRON: 'every now and then' })).toThrow(/QUALITY_CRON/);
    expect(() => parsePluginConfig(plugin, { QUALITY_IQR_K: 'wide' })).toThrow(/QUALITY_IQR_K/);
    expect(parsePluginConfig(plugin, {})).toMatchObject({
      QUALITY_CRON: '*/15 * * * *',
      QUALITY_IQR_K: 1.5,
      QUALITY_LOOKBACK_HOURS: 48,
      QUALITY_CADENCE_DAYS: 14,
    });
  });
});
