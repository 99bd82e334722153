import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import crypto from 'node:crypto';
import mysql from 'mysql2/promise';
import { startSubgraph, type SubgraphServer } from '@carbon-nexus/plugin-sdk';
import { createTestDatabase, testDatabaseTargets } from '@carbon-nexus/plugin-sdk/testkit';
import type { Database } from '@carbon-nexus/db';
import { plugin } from './helpers.ts';
import { importMysql, datetimeToIso } from '../src/importer/mysql.ts';
import { eventsBetween, cmemFuelLitres, MOCK_SUPPLIERS, PHYSICS, type PlannedSpike } from '../src/mock/generator.ts';
import { runStream, parseStreamArgs, simClock } from '../src/mock/stream.ts';

const MYSQL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

describe('mock generator', () => {
  const opts = { seed: 7 };
  const day = Date.parse('2026-03-02T00:00:00Z'); // a Monday
  const week = eventsBetween(day, day + 7 * 86_400_000, opts);
  const of = (id: string, evs = week) => evs.filter((e) => e.supplierExternalId === id);

  it('is deterministic for a seed and differs across seeds', () => {
    const a = eventsBetween(day, day + 86_400_000, opts);
    expect(eventsBetween(day, day + 86_400_000, opts)).toEqual(a);
    expect(a.length).toBeGreaterThan(500);
    expect(eventsBetween(day, day + 86_400_000, { seed: 8 })).not.toEqual(a);
    expect(new Set(a.map((e) => e.supplierExternalId)).size).toBe(MOCK_SUPPLIERS.length);
    expect(new Set(a.map((e) => e.eventType))).toEqual(new Set(['TRANSPORT', 'FACTORY', 'WAREHOUSE', 'DELIVERY']));
    expect(new Set(a.map((e) => e.externalId)).size).toBe(a.length);
  });

  it('follows the CMEM truck physics: published consumption, never negative on a downhill', () => {
    // reference truck, 100 km at 80 km/h, 16.35 t: ~25 L
    const l = cmemFuelLitres(100_000, 80 / 3.6, 16_350);
    expect(l).toBeGreaterThan(20);
    expect(l).toBeLessThan(35);
    expect(cmemFuelLitres(100_000, 80 / 3.6, 30_000)).toBeGreaterThan(l);
    // 40 t articulated, 20 t aboard, 100 km at 80 km/h: 30–35 L (issue 16's reference trip)
    const artic = cmemFuelLitres(
      100_000,
      80 / 3.6,
      PHYSICS.articulated_40t.curbKg + 20_000,
      0,
      0,
      PHYSICS.articulated_40t,
    );
    expect(artic).toBeGreaterThan(30);
    expect(artic).toBeLessThan(35);
    // a steep descent: the engine still turns (friction), fuel never drops to zero or below
    const down = cmemFuelLitres(12_200, 80 / 3.6, 14_000, 0, Math.atan(-0.03));
    expect(down).toBeGreaterThan(0);
    expect(down).toBeCloseTo((0.2 * 33 * 5 * 12_200) / (80 / 3.6) / (44 * 737), 9);
    // every fuel record of a week is positive and within what a rigid 12–20 t truck burns per 100 km
    const trips = [...of('MOCK-T1'), ...of('MOCK-T3')];
    expect(trips.length).toBeGreaterThan(500);
    for (const e of trips) {
      const per100 = (Number(e.fuelL) / Number(e.distanceKm)) * 100;
      expect(per100).toBeGreaterThan(7); // empty, gently downhill: little more than engine friction
      expect(per100).toBeLessThan(60); // short refrigerated city legs with idling at the top
    }
    // the articulated fleet reports distance and load only (no fuel records): ACTIVITY method in data-core
    expect(
      of('MOCK-T2').every((e) => e.fuelL === undefined && Number(e.distanceKm) > 0 && e.loadKg !== undefined),
    ).toBe(true);
  });

  it('has daily and weekly seasonality', () => {
    const kwh = (id: string, from: string, to: string) =>
      of(id, eventsBetween(Date.parse(from), Date.parse(to), opts)).reduce((a, e) => a + Number(e.energyKwh), 0);
    expect(kwh('MOCK-F1', '2026-03-04T11:00:00Z', '2026-03-04T15:00:00Z')).toBeGreaterThan(
      kwh('MOCK-F1', '2026-03-04T01:00:00Z', '2026-03-04T05:00:00Z') * 1.15,
    );
    expect(kwh('MOCK-F1', '2026-03-04T00:00:00Z', '2026-03-05T00:00:00Z')).toBeGreaterThan(
      kwh('MOCK-F1', '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z') * 1.4,
    );
    const trips = (from: string, to: string) =>
      of('MOCK-T1', eventsBetween(Date.parse(from), Date.parse(to), opts)).length;
    expect(trips('2026-03-04T10:00:00Z', '2026-03-04T16:00:00Z')).toBeGreaterThan(
      trips('2026-03-04T00:00:00Z', '2026-03-04T06:00:00Z') * 1.5,
    );
  });

  it('a planned spike changes what the supplier reports, only inside its interval, consistently with the physics', () => {
    const from = Date.parse('2026-03-04T08:00:00Z');
    const spikeFrom = from + 3 * 3_600_000;
    const spike = (supplier: string, kind: PlannedSpike['kind']): PlannedSpike => ({
      supplier,
      kind,
      factor: 2.5,
      from: spikeFrom,
      to: spikeFrom + 2 * 3_600_000,
    });
    const base = eventsBetween(from, from + 6 * 3_600_000, opts);
    const run = (sp: PlannedSpike) => eventsBetween(from, from + 6 * 3_600_000, { ...opts, spikes: [sp] });
    const inSpike = (e: { timestamp: string }) =>
      Date.parse(e.timestamp) >= spikeFrom && Date.parse(e.timestamp) < spikeFrom + 2 * 3_600_000;
    const byId = new Map(base.map((e) => [e.externalId, e]));

    // distance (trucks with fuel records): detours at congested speed; fuel follows the physics (more than ×2)
    const dist = run(spike('MOCK-T1', 'distance'));
    expect(dist.filter((e) => e.supplierExternalId !== 'MOCK-T1')).toEqual(
      base.filter((e) => e.supplierExternalId !== 'MOCK-T1'),
    );
    let hot = 0;
    for (const e of of('MOCK-T1', dist)) {
      const b = byId.get(e.externalId)!;
      if (!inSpike(e)) {
        expect(e).toEqual(b);
        continue;
      }
      hot++;
      expect(e.attributes).toEqual({ scenario: 'hotspot', spike: 'distance' });
      expect(Number(e.distanceKm)).toBeCloseTo(Number(b.distanceKm) * 2.5, 0);
      expect(Number(e.fuelL) / Number(b.fuelL)).toBeGreaterThan(2);
    }
    expect(hot).toBeGreaterThan(5);
    // load (trucks without fuel records): full payloads, no empty trips, longer hauls
    const load = of('MOCK-T2', run(spike('MOCK-T2', 'load'))).filter(inSpike);
    expect(load.length).toBeGreaterThan(3);
    for (const e of load) expect(Number(e.loadKg)).toBeGreaterThanOrEqual(0.95 * PHYSICS.articulated_40t.maxLoadKg);
    // volume: more trips in the interval, the normal ones unchanged
    const vol = of('MOCK-D1', run(spike('MOCK-D1', 'volume')));
    expect(vol.filter(inSpike).length).toBeGreaterThan(of('MOCK-D1', base).filter(inSpike).length * 1.8);
    for (const e of vol) if (byId.has(e.externalId) && !inSpike(e)) expect(e).toEqual(byId.get(e.externalId));
    // energy (sites): meter readings × factor
    for (const e of of('MOCK-W2', run(spike('MOCK-W2', 'energy'))).filter(inSpike)) {
      expect(Number(e.energyKwh) / Number(byId.get(e.externalId)!.energyKwh)).toBeCloseTo(2.5, 1);
    }
  });

  it('a steady-rate spike keeps at least the peak trip rate at a quiet hour, and leaves the drawn trips as they were', () => {
    // 01:00–03:00 UTC in Manchester: the night rate is about a third of the peak (9 trips/h for MOCK-T1).
    const from = Date.parse('2026-03-04T01:00:00Z');
    const to = from + 2 * 3_600_000;
    const sp: PlannedSpike = { supplier: 'MOCK-T1', kind: 'distance', factor: 3, from, to, steadyRate: true };
    const inWindow = (e: { timestamp: string }) => Date.parse(e.timestamp) >= from && Date.parse(e.timestamp) < to;
    const quiet = of('MOCK-T1', eventsBetween(from, to, opts)).filter(inWindow);
    const steady = of('MOCK-T1', eventsBetween(from, to, { ...opts, spikes: [sp] })).filter(inWindow);
    expect(quiet.length).toBeLessThan(12);
    // 5-minute slots at 9/h: 0.75 trips per slot, spread evenly → 18 in two hours (the last slot's trips may end
    // just before the window opens, so allow one less).
    expect(steady.length).toBeGreaterThanOrEqual(17);
    for (let h = 0; h < 2; h++) {
      const hourly = steady.filter((e) => Math.floor((Date.parse(e.timestamp) - from) / 3_600_000) === h).length;
      expect(hourly).toBeGreaterThanOrEqual(8);
    }
    const steadyIds = new Set(steady.map((e) => e.externalId));
    for (const e of quiet) expect(steadyIds.has(e.externalId)).toBe(true);
  });

  it('parses CLI flags with clear errors', () => {
    expect(parseStreamArgs(['--help'])).toBe('help');
    expect(() => parseStreamArgs(['--speed', 'fast'])).toThrow('--speed must be a number');
    expect(() => parseStreamArgs(['--hotspot-supplier', 'X'])).toThrow('--hotspot-supplier must be one of');
    expect(() => parseStreamArgs(['--hotspot-supplier', 'MOCK-F1', '--hotspot-kind', 'load'])).toThrow(
      '--hotspot-kind for MOCK-F1 (factory) must be one of energy',
    );
    expect(parseStreamArgs(['--hotspot-supplier', 'MOCK-W1'])).toMatchObject({
      hotspotKind: 'energy',
      hotspotAt: 10,
      catchUp: 10,
    });
    expect(parseStreamArgs(['--hotspot-at=-1'])).toMatchObject({ hotspotAt: -1, catchUp: 0 });
  });

  it('the simulated clock runs fast until it meets real time, then is real time', () => {
    const start = Date.parse('2026-03-04T12:00:00Z');
    const c = simClock(start, 12, 10);
    expect(c.simStart).toBe(start - 110 * 60_000); // 120 simulated minutes pass in the 10 real minutes
    expect(c.at(start + 5 * 60_000)).toBe(start - 50 * 60_000);
    expect(c.at(start + 10 * 60_000)).toBe(start + 10 * 60_000);
    expect(c.at(start + 30 * 60_000)).toBe(start + 30 * 60_000);
    expect(c.realAt(start - 50 * 60_000)).toBe(start + 5 * 60_000);
  });

  it('converts DATETIME to an ISO timestamp in the source zone', () => {
    expect(datetimeToIso('2024-05-01 10:20:30', '+00:00')).toBe('2024-05-01T10:20:30Z');
    expect(datetimeToIso('2024-05-01 10:20:30', '+05:30')).toBe('2024-05-01T10:20:30+05:30');
    expect(datetimeToIso('0000-00-00 00:00:00', '+00:00')).toBeNull();
  });
});

describe.each(testDatabaseTargets())('mock stream + MariaDB import on %s', (target) => {
  let db: Database;
  let srv: SubgraphServer;
  let base: string;
  beforeAll(async () => {
    db = await createTestDatabase(target);
    srv = await startSubgraph(plugin, {
      db,
      port: 0,
      env: { ...process.env, BUS_URL: undefined, REDIS_URL: undefined },
    });
    base = srv.url.replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await srv?.close();
    await db?.close();
  });

  it('streams through the real API; the planned spike is in the reported fuel, and the stored figure follows it', async () => {
    // 3600x: one simulated hour per real second; the clock meets real time 6 s in, when the spike fills the last hour.
    const stats = await runStream({
      url: base,
      speed: 3600,
      hotspotAt: 0.1,
      catchUp: 0.1,
      windowMinutes: 60,
      hotspotSupplier: 'MOCK-T1',
      hotspotKind: 'distance',
      hotspotFactor: 2.5,
      hotspotHours: 2,
      backfillDays: 1,
      recalculateBaselines: false,
      durationMin: 0.12,
      seed: 42,
      batch: 500,
      quiet: true,
      tickMs: 200,
      log: () => undefined,
    });
    expect(stats.rejected).toBe(0);
    expect(stats.accepted).toBeGreaterThan(700);
    const spikeFrom = Date.parse(stats.spike!.from);
    expect(Date.parse(stats.simTo)).toBeGreaterThan(spikeFrom + 60 * 60_000 - 60_000); // the whole last hour was sent
    const rows = await db.query<{ external_id: string; timestamp: Date; co2e_kg: number; attributes: any }>(
      `SELECT e.external_id, e."timestamp", e.co2e_kg, e.attributes FROM events_normalized e JOIN suppliers s ON s.id = e.supplier_id
       WHERE s.external_id = 'MOCK-T1' AND e.data_source = 'mock' AND e."timestamp" >= $1::timestamptz`,
      // 12 hours before the spike: enough unspiked trips whatever the hour and day the test runs at (a weekend
      // night has ~1.7 an hour; 3 hours of it once held only 3).
      [new Date(spikeFrom - 12 * 3_600_000).toISOString()],
    );
    const hot = rows.filter((r) => new Date(r.timestamp).getTime() >= spikeFrom);
    const before = rows.filter((r) => new Date(r.timestamp).getTime() < spikeFrom);
    expect(hot.length).toBeGreaterThan(3);
    expect(before.length).toBeGreaterThan(10);
    // The trips the stream sent (the planned spike, steady rate on), regenerated from the seed, by external id.
    // With factor 1 the same spike draws the same trips — the steady rate's added ones included, which a quiet hour
    // consists of — with the same random numbers, only the distance not multiplied: each trip's twin without the detour.
    const drawn = (factor: number) =>
      new Map(
        eventsBetween(spikeFrom - 13 * 3_600_000, Date.now(), {
          seed: 42,
          spikes: [
            {
              supplier: 'MOCK-T1',
              kind: 'distance',
              factor,
              from: spikeFrom,
              to: Date.parse(stats.spike!.to),
              steadyRate: true,
            },
          ],
        }).map((e) => [e.externalId, e]),
      );
    const sent = drawn(2.5);
    const twins = drawn(1);
    // FUEL method: kg CO2e per reported litre is one factor for every trip, spiked or not — the spike reaches the figure
    const perLitre = rows.map((r) => r.co2e_kg / Number(sent.get(r.external_id)!.fuelL));
    for (const k of perLitre) expect(k).toBeCloseTo(perLitre[0], 6);
    expect(perLitre[0]).toBeGreaterThan(2.5); // at least the diesel TTW factor (kg CO2e/L)
    expect(perLitre[0]).toBeLessThan(3.5);
    for (const r of hot) {
      expect(r.attributes).toMatchObject({ scenario: 'hotspot', spike: 'distance' });
      const twin = twins.get(r.external_id)!;
      expect(Number(sent.get(r.external_id)!.distanceKm) / Number(twin.distanceKm)).toBeCloseTo(2.5, 1);
      expect(r.co2e_kg / (perLitre[0] * Number(twin.fuelL))).toBeGreaterThan(2);
    }
    for (const r of before) expect(r.attributes?.scenario).toBeUndefined();
    // re-sending the same seed is deduplicated
    const again = await runStream({
      url: base,
      speed: 1,
      hotspotAt: -1,
      catchUp: 0,
      windowMinutes: 60,
      hotspotSupplier: 'MOCK-T1',
      hotspotKind: 'distance',
      hotspotFactor: 2.5,
      hotspotHours: 1,
      backfillDays: 0.5,
      recalculateBaselines: false,
      durationMin: 0.001,
      seed: 42,
      batch: 500,
      quiet: true,
      log: () => undefined,
    });
    expect(again.duplicates).toBeGreaterThan(0);
  });

  it('imports legacy MariaDB tables (DATETIME, JSON), resumably, with verified counts', async () => {
    const suffix = crypto.randomBytes(4).toString('hex');
    const st = `legacy_sup_${suffix}`;
    const et = `legacy_ev_${suffix}`;
    const conn = await mysql.createConnection(MYSQL);
    try {
      await conn.query(`CREATE TABLE ${st} (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(100), category VARCHAR(20), country CHAR(2),
        location JSON, fleet_info JSON, baseline_emission DOUBLE, last_seen_at DATETIME, created_at DATETIME)`);
      await conn.query(`CREATE TABLE ${et} (id BIGINT PRIMARY KEY AUTO_INCREMENT, supplier_id INT, event_type VARCHAR(20),
        distance_km DOUBLE, load_kg DOUBLE, vehicle_type VARCHAR(30), fuel_type VARCHAR(20), speed DOUBLE, energy_kwh DOUBLE,
        timestamp DATETIME, payload JSON, legacy_note VARCHAR(50))`);
      await conn.query(`INSERT INTO ${st} (name, category, country, location, fleet_info, baseline_emission, last_seen_at, created_at) VALUES
        ('Legacy Haul', 'transport', 'GB', '{"lat": 51.5, "lon": -0.1, "city": "London"}', '{"vehicles": 12}', 80, '2024-05-01 10:00:00', '2020-01-01 00:00:00'),
        ('Legacy Plant', 'factory', 'IN', NULL, NULL, 300, NULL, '2021-01-01 00:00:00')`);
      const values: string[] = [];
      for (let i = 0; i < 250; i++) {
        const ts = new Date(Date.UTC(2024, 4, 1, 0, 0, 0) + i * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
        if (i % 2 === 0)
          values.push(
            `(1, 'transport', ${10 + i}, 5000, 'rigid_truck', 'diesel', 70, NULL, '${ts}', '{"trip": ${i}}', 'n${i}')`,
          );
        else values.push(`(2, 'factory', NULL, NULL, NULL, NULL, NULL, ${100 + i}, '${ts}', NULL, NULL)`);
      }
      values.push(
        `(1, 'transport', -5, 5000, 'rigid_truck', 'diesel', 70, NULL, '2024-06-01 00:00:00', NULL, 'bad distance')`,
      );
      values.push(`(99, 'factory', NULL, NULL, NULL, NULL, NULL, 10, '2024-06-01 00:00:00', NULL, 'unknown supplier')`);
      await conn.query(
        `INSERT INTO ${et} (supplier_id, event_type, distance_km, load_kg, vehicle_type, fuel_type, speed, energy_kwh, timestamp, payload, legacy_note) VALUES ${values.join(',')}`,
      );

      const host = srv.host.plugins.get('data-core')!;
      const opts = {
        from: MYSQL,
        suppliersTable: st,
        eventsTable: et,
        prefix: `legacy-${suffix}:`,
        sourceTz: '+00:00',
        batch: 100,
      };
      const first = await importMysql(host.services, { ...opts, maxRows: 120 });
      expect(first.status).toBe('interrupted');
      const second = await importMysql(host.services, opts);
      expect(second).toMatchObject({ status: 'completed', resumed: true, jobId: first.jobId });
      expect(second.suppliers).toEqual({ source: 2, imported: 2 });
      expect(second.events).toMatchObject({ source: 252, recorded: 252, accepted: 250, rejected: 2, duplicates: 0 });
      // a third run re-reads everything and records only duplicates
      const third = await importMysql(host.services, { ...opts, fresh: true });
      expect(third.events).toMatchObject({ source: 252, accepted: 0, duplicates: 250, rejected: 2 });
      const [sup] = await db.query<any>(
        `SELECT name, country, location, fleet_info, last_seen_at FROM suppliers WHERE external_id = $1`,
        [`legacy-${suffix}:1`],
      );
      expect(sup).toMatchObject({
        name: 'Legacy Haul',
        country: 'GB',
        location: { lat: 51.5, lon: -0.1, city: 'London' },
        fleet_info: { vehicles: 12 },
      });
      const ev = await db.query<any>(
        `SELECT e."timestamp", e.attributes, e.data_source, e.co2e_kg, e.factor_id, e.method FROM events_normalized e WHERE e.external_id = $1`,
        [`legacy-${suffix}:1`],
      );
      expect(new Date(ev[0].timestamp).toISOString()).toBe('2024-05-01T00:00:00.000Z');
      expect(ev[0].attributes).toMatchObject({ trip: 0, legacy_legacy_note: 'n0' });
      expect(ev[0].data_source).toBe('import');
      // rigid_truck, 10 km, 5 t: DESNZ 2025 "All rigids" per-km factor at 5 t ÷ the band's 100 %-laden payload.
      const f = 5 / (0.93695 / 0.13155);
      expect(ev[0].method).toBe('activity');
      expect(ev[0].co2e_kg).toBeCloseTo(
        10 * (0.67912 + (0.93695 - 0.67912) * f + 0.16044 + (0.22218 - 0.16044) * f),
        6,
      );
      const job = await db.query<any>(`SELECT status, error_sample, checkpoint FROM import_jobs WHERE id = $1`, [
        second.jobId,
      ]);
      expect(job[0].status).toBe('completed');
      expect(job[0].checkpoint.events).toBe('252');
      expect(job[0].error_sample.map((e: any) => e.column).sort()).toEqual([`${et}.distance_km`, `${et}.supplier_id`]);
    } finally {
      await conn.query(`DROP TABLE IF EXISTS ${st}`);
      await conn.query(`DROP TABLE IF EXISTS ${et}`);
      await conn.end();
    }
  });
});
