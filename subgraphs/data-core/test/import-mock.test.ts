import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import crypto from 'node:crypto';
import mysql from 'mysql2/promise';
import { startSubgraph, type SubgraphServer } from '@carbon-nexus/plugin-sdk';
import { createTestDatabase, testDatabaseTargets } from '@carbon-nexus/plugin-sdk/testkit';
import type { Database } from '@carbon-nexus/db';
import { plugin } from './helpers.ts';
import { importMysql, datetimeToIso } from '../src/importer/mysql.ts';
import { eventsBetween, cmemFuelLitres, MOCK_SUPPLIERS } from '../src/mock/generator.ts';
import { runStream, parseStreamArgs } from '../src/mock/stream.ts';

const MYSQL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

describe('mock generator', () => {
  const opts = { seed: 7, hotspotFrom: null, hotspotSupplier: 'MOCK-T1' };
  it('is deterministic for a seed and differs across seeds', () => {
    const from = Date.parse('2026-03-02T00:00:00Z');
    const a = eventsBetween(from, from + 86_400_000, opts);
    const b = eventsBetween(from, from + 86_400_000, opts);
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(300);
    expect(eventsBetween(from, from + 86_400_000, { ...opts, seed: 8 })).not.toEqual(a);
    expect(new Set(a.map((e) => e.supplierExternalId)).size).toBe(MOCK_SUPPLIERS.length);
    expect(new Set(a.map((e) => e.eventType))).toEqual(new Set(['TRANSPORT', 'FACTORY', 'WAREHOUSE', 'DELIVERY']));
  });
  it('follows the CMEM truck physics and has daily and weekly seasonality', () => {
    // 100 km at 80 km/h, 16.35 t: ~25 L per 100 km
    const l = cmemFuelLitres(100_000, 80 / 3.6, 16_350);
    expect(l).toBeGreaterThan(20);
    expect(l).toBeLessThan(35);
    expect(cmemFuelLitres(100_000, 80 / 3.6, 30_000)).toBeGreaterThan(l);
    const f1 = (day: string, hours: [number, number]) =>
      eventsBetween(Date.parse(`${day}T${String(hours[0]).padStart(2, '0')}:00:00Z`), Date.parse(`${day}T${String(hours[1]).padStart(2, '0')}:00:00Z`), opts)
        .filter((e) => e.supplierExternalId === 'MOCK-F1')
        .reduce((a, e) => a + Number(e.energyKwh), 0);
    expect(f1('2026-03-04', [11, 15])).toBeGreaterThan(f1('2026-03-04', [1, 5]) * 1.2); // day > night (Wednesday)
    expect(f1('2026-03-04', [0, 23])).toBeGreaterThan(f1('2026-03-08', [0, 23]) * 1.4); // weekday > Sunday
  });
  it('triples the hotspot supplier from the planned time only', () => {
    const from = Date.parse('2026-03-04T08:00:00Z');
    const hot = from + 3 * 3_600_000;
    const base = eventsBetween(from, from + 6 * 3_600_000, opts);
    const withHot = eventsBetween(from, from + 6 * 3_600_000, { ...opts, hotspotFrom: hot });
    const pairs = base.map((e, i) => [e, withHot[i]] as const).filter(([e]) => e.supplierExternalId === 'MOCK-T1');
    for (const [e, h] of pairs) {
      if (Date.parse(e.timestamp) < hot) expect(h).toEqual(e);
      else expect(Number(h.fuelL)).toBeCloseTo(Number(e.fuelL) * 3, 2);
    }
    expect(base.filter((e) => e.supplierExternalId !== 'MOCK-T1')).toEqual(withHot.filter((e) => e.supplierExternalId !== 'MOCK-T1'));
  });
  it('parses CLI flags with clear errors', () => {
    expect(parseStreamArgs(['--help'])).toBe('help');
    expect(() => parseStreamArgs(['--speed', 'fast'])).toThrow('--speed must be a number');
    expect(() => parseStreamArgs(['--hotspot-supplier', 'X'])).toThrow('--hotspot-supplier must be one of');
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
    srv = await startSubgraph(plugin, { db, port: 0, env: { ...process.env, BUS_URL: undefined, REDIS_URL: undefined } });
    base = srv.url.replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await srv?.close();
    await db?.close();
  });

  it('streams through the real API and the planned hotspot appears in the data', async () => {
    // 3600x: one simulated hour per real second; hotspot 3 s (= 3 simulated hours) into a 6 s run.
    const stats = await runStream({
      url: base, speed: 3600, hotspotAt: 0.05, hotspotSupplier: 'MOCK-T1', backfillDays: 1, durationMin: 0.1, planMin: 0.1,
      seed: 42, batch: 500, quiet: true, tickMs: 200, log: () => undefined,
    });
    expect(stats.rejected).toBe(0);
    expect(stats.accepted).toBeGreaterThan(300);
    const hotFrom = Date.parse(stats.hotspotFrom!);
    const rows = await db.query<{ external_id: string; timestamp: Date; co2e_kg: number; attributes: any }>(
      `SELECT e.external_id, e."timestamp", e.co2e_kg, e.attributes FROM events_normalized e JOIN suppliers s ON s.id = e.supplier_id
       WHERE s.external_id = 'MOCK-T1' AND e.data_source = 'mock' AND e."timestamp" >= $1::timestamptz`,
      [new Date(hotFrom - 3 * 3_600_000).toISOString()],
    );
    const hot = rows.filter((r) => new Date(r.timestamp).getTime() >= hotFrom);
    const before = rows.filter((r) => new Date(r.timestamp).getTime() < hotFrom);
    expect(hot.length).toBeGreaterThan(2);
    expect(before.length).toBeGreaterThan(2);
    // the same slots without the hotspot, regenerated from the seed: stored emissions are 3x that
    const normal = new Map(
      eventsBetween(hotFrom - 3 * 3_600_000 - 1, Date.now(), { seed: 42, hotspotFrom: null, hotspotSupplier: 'MOCK-T1' }).map((e) => [e.externalId, e]),
    );
    for (const r of hot) {
      expect(r.attributes.scenario).toBe('hotspot');
      expect(r.co2e_kg / (Number(normal.get(r.external_id)!.fuelL) * 2.57082)).toBeCloseTo(3, 2);
    }
    for (const r of before) expect(r.co2e_kg / (Number(normal.get(r.external_id)!.fuelL) * 2.57082)).toBeCloseTo(1, 2);
    // re-sending the same seed is deduplicated
    const again = await runStream({ url: base, speed: 1, hotspotAt: -1, hotspotSupplier: 'MOCK-T1', backfillDays: 1, durationMin: 0.001, planMin: 0.001, seed: 42, batch: 500, quiet: true, log: () => undefined });
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
        if (i % 2 === 0) values.push(`(1, 'transport', ${10 + i}, 5000, 'rigid_truck', 'diesel', 70, NULL, '${ts}', '{"trip": ${i}}', 'n${i}')`);
        else values.push(`(2, 'factory', NULL, NULL, NULL, NULL, NULL, ${100 + i}, '${ts}', NULL, NULL)`);
      }
      values.push(`(1, 'transport', -5, 5000, 'rigid_truck', 'diesel', 70, NULL, '2024-06-01 00:00:00', NULL, 'bad distance')`);
      values.push(`(99, 'factory', NULL, NULL, NULL, NULL, NULL, 10, '2024-06-01 00:00:00', NULL, 'unknown supplier')`);
      await conn.query(`INSERT INTO ${et} (supplier_id, event_type, distance_km, load_kg, vehicle_type, fuel_type, speed, energy_kwh, timestamp, payload, legacy_note) VALUES ${values.join(',')}`);

      const host = srv.host.plugins.get('data-core')!;
      const opts = { from: MYSQL, suppliersTable: st, eventsTable: et, prefix: `legacy-${suffix}:`, sourceTz: '+00:00', batch: 100 };
      const first = await importMysql(host.services, { ...opts, maxRows: 120 });
      expect(first.status).toBe('interrupted');
      const second = await importMysql(host.services, opts);
      expect(second).toMatchObject({ status: 'completed', resumed: true, jobId: first.jobId });
      expect(second.suppliers).toEqual({ source: 2, imported: 2 });
      expect(second.events).toMatchObject({ source: 252, recorded: 252, accepted: 250, rejected: 2, duplicates: 0 });
      // a third run re-reads everything and records only duplicates
      const third = await importMysql(host.services, { ...opts, fresh: true });
      expect(third.events).toMatchObject({ source: 252, accepted: 0, duplicates: 250, rejected: 2 });
      const [sup] = await db.query<any>(`SELECT name, country, location, fleet_info, last_seen_at FROM suppliers WHERE external_id = $1`, [`legacy-${suffix}:1`]);
      expect(sup).toMatchObject({ name: 'Legacy Haul', country: 'GB', location: { lat: 51.5, lon: -0.1, city: 'London' }, fleet_info: { vehicles: 12 } });
      const ev = await db.query<any>(
        `SELECT e."timestamp", e.attributes, e.data_source, e.co2e_kg, e.factor_id FROM events_normalized e WHERE e.external_id = $1`,
        [`legacy-${suffix}:1`],
      );
      expect(new Date(ev[0].timestamp).toISOString()).toBe('2024-05-01T00:00:00.000Z');
      expect(ev[0].attributes).toMatchObject({ trip: 0, legacy_legacy_note: 'n0' });
      expect(ev[0].data_source).toBe('import');
      expect(ev[0].co2e_kg).toBeCloseTo(5 * 10 * 0.09516, 6);
      const job = await db.query<any>(`SELECT status, error_sample, checkpoint FROM import_jobs WHERE id = $1`, [second.jobId]);
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
