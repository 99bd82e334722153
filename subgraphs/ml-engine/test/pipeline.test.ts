// The pipeline end to end with the REAL data-core: events ingested there are announced (outbox → bus), read back
// and predicted here. What needs only data-core's answers runs against a mock in pipeline-mocked.test.ts.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createSubgraphTestkit, waitFor, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { testDatabaseTargets } from '@carbon-nexus/db';
import mlEngine from '../src/plugin.ts';
import { createPipeline } from '../src/jobs/pipeline.ts';
import { predictionCreated } from '../client/index.ts';

const INGEST = /* GraphQL */ `
  mutation($events: [EventInput!]!) {
    ingestEvents(events: $events) { accepted rejected duplicates results { index status eventId errors { field reason } } }
  }
`;

describe.each(testDatabaseTargets())(
  'event.normalized → predictions → prediction.created with the real data-core (%s)',
  (target) => {
    let kit: SubgraphTestkit;
    let supplierId: string;
    const created: { ids: string[]; count: number; supplierIds: string[]; from: string; to: string }[] = [];
    let unsubscribe: () => void;
    const t0 = Date.UTC(2026, 10, 20, 8, 0, 0);
    const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();

    beforeAll(async () => {
      const dataCore = (await import('@carbon-nexus/data-core')).default;
      kit = await createSubgraphTestkit(mlEngine, { with: [dataCore], target });
      const r = await kit.query(
        `mutation { createSupplier(input: { name: "North Haulage", category: TRANSPORT, country: "GB" }) { id } }`,
        {},
        { plugin: 'data-core' },
      );
      supplierId = r.createSupplier.id;
      unsubscribe = kit.services.bus.subscribe(predictionCreated, (p) => void created.push(p));
    });
    afterAll(async () => {
      unsubscribe?.();
      await kit?.stop();
    });

    it('predicts every road/facility event once, stores event context and publishes prediction.created', async () => {
      const events = [
        {
          externalId: 't1',
          supplierId,
          eventType: 'TRANSPORT',
          timestamp: at(0),
          distanceKm: 320,
          loadKg: 12000,
          vehicleType: 'articulated_truck',
          fuelType: 'diesel',
          speedKmh: 72,
          route: 'R1',
          region: 'UK',
        },
        {
          externalId: 't2',
          supplierId,
          eventType: 'TRANSPORT',
          timestamp: at(10),
          distanceKm: 80,
          loadKg: 900,
          vehicleType: 'van',
          fuelType: 'diesel',
          route: 'R2',
          region: 'EU',
        },
        {
          externalId: 't3',
          supplierId,
          eventType: 'TRANSPORT',
          timestamp: at(20),
          distanceKm: 60,
          loadKg: 700,
          vehicleType: 'ev_van',
          fuelType: 'electric',
          energyKwh: 14,
          route: 'R2',
          region: 'IN',
        },
        {
          externalId: 'd1',
          supplierId,
          eventType: 'DELIVERY',
          timestamp: at(30),
          distanceKm: 45,
          stops: 60,
          parcels: 120,
          vehicleType: 'van',
          fuelType: 'diesel',
          route: 'L1',
          region: 'UK',
        },
        {
          externalId: 'f1',
          supplierId,
          eventType: 'FACTORY',
          timestamp: at(40),
          productionUnits: 2000,
          energyKwh: 5000,
          facilityId: 'F1',
          region: 'CN',
        },
        {
          externalId: 'w1',
          supplierId,
          eventType: 'WAREHOUSE',
          timestamp: at(50),
          areaM2: 20000,
          refrigerated: true,
          energyKwh: 9000,
          facilityId: 'W1',
          region: 'US',
        },
      ];
      const { ingestEvents } = await kit.query(INGEST, { events }, { plugin: 'data-core' });
      expect(ingestEvents.results.filter((r: any) => r.status !== 'ACCEPTED')).toEqual([]);
      expect(ingestEvents.accepted).toBe(events.length);
      const eventIds: string[] = ingestEvents.results.map((r: any) => r.eventId);

      await waitFor('6 predictions announced', () =>
        created.reduce((a, c) => a + c.count, 0) >= 6 ? true : undefined,
      );
      const announced = created.flatMap((c) => c.ids);
      expect(announced).toHaveLength(6);
      expect(created.every((c) => c.supplierIds.includes(supplierId))).toBe(true);
      expect(created[0]!.from <= created[0]!.to).toBe(true);

      const rows = await kit.db.query<any>(
        `SELECT id, model, model_version, event_id, supplier_id, event_type, entity_type, entity_id, route, "timestamp", output_co2_kg, lower, upper, confidence, feature_importance
       FROM predictions WHERE event_id IS NOT NULL`,
      );
      expect(rows).toHaveLength(6);
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(announced));
      expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set(eventIds));
      const byEvent = new Map(rows.map((r) => [r.event_id, r]));
      const modelOf = (i: number) => byEvent.get(eventIds[i]!)!.model;
      expect([0, 1, 2].map(modelOf)).toEqual(['logistics', 'logistics', 'logistics']);
      expect(modelOf(3)).toBe('last-mile');
      expect(modelOf(4)).toBe('factory');
      expect(modelOf(5)).toBe('warehouse');
      for (const [i, e] of events.entries()) {
        const r = byEvent.get(eventIds[i]!)!;
        expect(r.supplier_id).toBe(supplierId);
        expect(r.event_type).toBe(e.eventType.toLowerCase());
        expect(new Date(r.timestamp).toISOString()).toBe(e.timestamp);
        expect(r.model_version).toMatch(/^\d+\.\d+\.\d+/);
        expect(r.output_co2_kg).toBeGreaterThan(0);
        expect(r.lower).toBeLessThanOrEqual(r.output_co2_kg);
        expect(r.upper).toBeGreaterThanOrEqual(r.output_co2_kg);
        const fi = r.feature_importance;
        const sum = fi.contributions.reduce((a: number, c: any) => a + c.contributionKg, 0);
        expect(Math.abs(sum - (r.output_co2_kg - fi.expectedKg))).toBeLessThan(1e-6 * Math.max(1, r.output_co2_kg));
      }
      const t1 = byEvent.get(eventIds[0]!)!;
      expect(t1.route).toBe('R1');
      expect(t1.feature_importance.features).toMatchObject({
        distance_km: 320,
        load_kg: 12000,
        speed_kmh: 72,
        vehicle_class: 1,
        grid_factor_kg_per_kwh: 0.177,
      });
      // the EV van on the Indian grid is mapped to the battery-electric class
      expect(byEvent.get(eventIds[2]!)!.feature_importance.features.vehicle_class).toBe(3);
      // the 320 km articulated leg emits far more than the 80 km van leg
      expect(t1.output_co2_kg).toBeGreaterThan(byEvent.get(eventIds[1]!)!.output_co2_kg * 2);
      // the warehouse event had no throughput, hours or ambient temperature: defaults lower its confidence
      expect(byEvent.get(eventIds[5]!)!.feature_importance.defaulted).toEqual(
        expect.arrayContaining(['throughput_t', 'hours']),
      );
    });

    it('drain() keeps what was received: predicted, or still queued for the next start (never dropped)', async () => {
      const { ingestEvents } = await kit.query(
        INGEST,
        {
          events: [
            {
              externalId: 't10',
              supplierId,
              eventType: 'TRANSPORT',
              timestamp: at(500),
              distanceKm: 210,
              loadKg: 8000,
              vehicleType: 'rigid_truck',
            },
          ],
        },
        { plugin: 'data-core' },
      );
      const id = ingestEvents.results[0].eventId;
      await kit.state.pipeline.drain();
      const where = async () => {
        const [p] = await kit.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM predictions WHERE event_id = $1`,
          [id],
        );
        const [q] = await kit.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ml_pending_events WHERE event_id = $1`,
          [id],
        );
        return { predicted: p.n, queued: q.n };
      };
      // The signal may still be on its way (outbox → bus) when the pipeline stopped: then the catch-up of the next
      // start finds the event. Either way a new pipeline on the same database predicts it exactly once.
      const next = createPipeline(kit.services, kit.state.engine);
      next.start();
      await next.catchUpDone();
      await next.idle();
      await next.drain();
      expect(await where()).toEqual({ predicted: 1, queued: 0 });
    });
  },
);
