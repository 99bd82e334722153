// Benchmark fixture: the same seeded data for every topology (suppliers, hotspots, predictions).
import type { SqlRunner } from '@carbon-nexus/db';

export const JOIN_QUERY = /* GraphQL */ `
  query SupplierOverview($first: Int!, $search: String) {
    suppliers(first: $first, search: $search) {
      totalCount
      nodes {
        id
        name
        category
        hotspots { id severity percentAbove predictedKg baselineKg }
        predictions(first: 5) { id co2eKg lowerKg upperKg modelVersion }
      }
    }
  }
`;

/** Deterministic data: `n` suppliers, each with 2 open hotspots and 5 predictions. */
export async function seedFixture(db: SqlRunner, n = 60): Promise<void> {
  await db.exec(`
    INSERT INTO suppliers (id, name, category, updated_at)
    SELECT md5('s' || i)::uuid, 'Supplier ' || lpad(i::text, 3, '0'), (ARRAY['transport','factory','warehouse','delivery'])[1 + i % 4], now()
    FROM generate_series(1, ${n}) i ON CONFLICT DO NOTHING;
    INSERT INTO hotspots (id, entity_type, entity_id, supplier_id, metric_value, baseline, percent_above, severity, status, window_start, window_end)
    SELECT md5('h' || i || '-' || k)::uuid, 'supplier', md5('s' || i)::uuid::text, md5('s' || i)::uuid, 100 + i, 60, (40 + i)::float / 60 * 100,
           (ARRAY['info','warn','critical'])[1 + (i + k) % 3], 'open', now() - interval '1 hour', now()
    FROM generate_series(1, ${n}) i, generate_series(1, 2) k ON CONFLICT DO NOTHING;
    INSERT INTO predictions (id, model, model_version, input_hash, supplier_id, event_type, timestamp, output_co2_kg, lower, upper, confidence, feature_importance)
    SELECT md5('p' || i || '-' || k)::uuid, 'logistics', '1.0.0', md5('p' || i || '-' || k), md5('s' || i)::uuid, 'transport',
           now() - (k || ' hours')::interval, 10 * k + i, 9 * k + i, 11 * k + i, 0.8, '{}'
    FROM generate_series(1, ${n}) i, generate_series(1, 5) k ON CONFLICT DO NOTHING;
  `);
}
