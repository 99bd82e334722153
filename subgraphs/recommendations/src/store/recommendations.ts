// Persistence of recommendations (raw SQL: one transaction per hotspot, ON CONFLICT on (hotspot_id, action_key)
// so the same action is never stored twice) and the approve/dismiss state machine with its audit row.
import {
  badInput,
  canSeeSupplier,
  notFound,
  parseUuid,
  supplierScopeSql,
  type AuthClaims,
  type PluginServices,
} from '@carbon-nexus/plugin-sdk';
import type { SqlQueryable } from '@carbon-nexus/db';
import type { Candidate } from '../domain/types.ts';

export interface HistoryEntry {
  status: string;
  by: string;
  reason: string | null;
  at: string;
}

export interface RecRow {
  id: string;
  hotspotId: string;
  supplierId: string | null;
  actionKey: string;
  title: string;
  body: string;
  rootCause: string | null;
  co2Impact: number;
  costEstimate: number | null;
  costLevel: string | null;
  feasibilityScore: number | null;
  confidence: number | null;
  rank: number;
  score: number;
  source: string;
  sourceRef: string | null;
  measureId: string | null;
  evidence: unknown;
  status: string;
  history: HistoryEntry[];
  createdAt: Date;
  updatedAt: Date;
}

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

export function fromSql(r: Record<string, any>): RecRow {
  return {
    id: r.id,
    hotspotId: r.hotspot_id,
    supplierId: r.supplier_id ?? null,
    actionKey: r.action_key,
    title: r.title,
    body: r.body,
    rootCause: r.root_cause ?? null,
    co2Impact: Number(r.co2_impact),
    costEstimate: r.cost_estimate === null ? null : Number(r.cost_estimate),
    costLevel: r.cost_level ?? null,
    feasibilityScore: r.feasibility_score === null ? null : Number(r.feasibility_score),
    confidence: r.confidence === null ? null : Number(r.confidence),
    rank: Number(r.rank),
    score: Number(r.score),
    source: r.source,
    sourceRef: r.source_ref ?? null,
    measureId: r.measure_id ?? null,
    evidence: json(r.evidence),
    status: r.status,
    history: json(r.history) ?? [],
    createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at),
    updatedAt: r.updated_at instanceof Date ? r.updated_at : new Date(r.updated_at),
  };
}

const INSERT = `INSERT INTO recommendations
  (id, hotspot_id, supplier_id, action_key, title, body, root_cause, co2_impact, cost_estimate, cost_level,
   feasibility_score, confidence, rank, score, source, source_ref, measure_id, evidence, status, history, created_at, updated_at)
  VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb, 'open', $18::jsonb, now(), now())
  ON CONFLICT (hotspot_id, action_key) DO UPDATE SET
    body = EXCLUDED.body, root_cause = EXCLUDED.root_cause, co2_impact = EXCLUDED.co2_impact, cost_estimate = EXCLUDED.cost_estimate,
    cost_level = EXCLUDED.cost_level, feasibility_score = EXCLUDED.feasibility_score, confidence = EXCLUDED.confidence,
    score = EXCLUDED.score, source_ref = EXCLUDED.source_ref, evidence = EXCLUDED.evidence, updated_at = now()
    WHERE recommendations.status = 'open'
      AND (recommendations.co2_impact, recommendations.score, recommendations.body) IS DISTINCT FROM (EXCLUDED.co2_impact, EXCLUDED.score, EXCLUDED.body)
  RETURNING id, (xmax = 0) AS inserted`;

/**
 * Stores the candidates (already ranked): a new action is inserted; the same action for the same hotspot is never
 * stored twice — an OPEN one gets the fresh figures (e.g. after an escalation), a decided one is left alone.
 * Re-ranks the hotspot's recommendations. Returns the ids created and the ids refreshed.
 */
export async function insertCandidates(
  db: PluginServices['db'],
  hotspotId: string,
  supplierId: string | null,
  candidates: Candidate[],
): Promise<{ created: string[]; refreshed: string[] }> {
  const at = new Date().toISOString();
  return db.transaction(async (tx) => {
    const created: string[] = [];
    const refreshed: string[] = [];
    for (const [i, c] of candidates.entries()) {
      const rows = await tx.query<{ id: string; inserted: boolean }>(INSERT, [
        hotspotId,
        supplierId,
        c.actionKey,
        c.title,
        c.body,
        c.rootCause,
        c.co2ImpactKg,
        c.costEstimate,
        c.costLevel,
        c.feasibility,
        c.confidence,
        i + 1,
        c.score,
        c.source,
        c.sourceRef,
        c.measureId,
        JSON.stringify(c.evidence),
        JSON.stringify([{ status: 'open', by: 'system', reason: `generated (${c.source})`, at }]),
      ]);
      if (rows[0]) (rows[0].inserted ? created : refreshed).push(rows[0].id);
    }
    if (created.length || refreshed.length) await rerank(tx, hotspotId);
    return { created, refreshed };
  });
}

/** rank = 1.. by score within the hotspot (older first on ties). */
async function rerank(tx: SqlQueryable, hotspotId: string) {
  await tx.query(
    `UPDATE recommendations r SET rank = x.rn
       FROM (SELECT id, row_number() OVER (ORDER BY score DESC, created_at, id) AS rn FROM recommendations WHERE hotspot_id = $1) x
      WHERE r.id = x.id AND r.rank <> x.rn`,
    [hotspotId],
  );
}

export async function getRows(db: SqlQueryable, ids: string[]): Promise<RecRow[]> {
  if (!ids.length) return [];
  const rows = await db.query(`SELECT * FROM recommendations WHERE id = ANY($1::uuid[])`, [ids]);
  return rows.map(fromSql);
}

/** Hotspots (of `ids`) that have a finished or running generation. */
export async function hotspotsWithRuns(db: SqlQueryable, ids: string[]): Promise<Set<string>> {
  const rows = await db.query<{ hotspot_id: string }>(
    `SELECT DISTINCT hotspot_id FROM recommendation_runs WHERE hotspot_id = ANY($1::uuid[]) AND status IN ('done', 'running')`,
    [ids],
  );
  return new Set(rows.map((r) => r.hotspot_id));
}

/** Recommendations by id within the caller's suppliers (null = all). */
export async function rowsById(
  db: SqlQueryable,
  ids: string[],
  suppliers: readonly string[] | null,
): Promise<Map<string, RecRow>> {
  const params: unknown[] = [ids];
  const rows = await db.query(
    `SELECT * FROM recommendations WHERE id = ANY($1::uuid[]) AND ${supplierScopeSql(suppliers, params)}`,
    params,
  );
  return new Map(rows.map(fromSql).map((r) => [r.id, r]));
}

/** Each hotspot's recommendations (rank order) within the caller's suppliers. */
export async function rowsByHotspot(
  db: SqlQueryable,
  ids: string[],
  suppliers: readonly string[] | null,
): Promise<Map<string, RecRow[]>> {
  const params: unknown[] = [ids];
  const rows = await db.query(
    `SELECT * FROM recommendations WHERE hotspot_id = ANY($1::uuid[]) AND ${supplierScopeSql(suppliers, params)} ORDER BY rank, created_at`,
    params,
  );
  return groupBy(rows.map(fromSql), ids, (r) => r.hotspotId);
}

/** Each supplier's recommendations, best first, at most 200 per status, within the caller's suppliers. */
export async function rowsBySupplier(
  db: SqlQueryable,
  ids: string[],
  suppliers: readonly string[] | null,
): Promise<Map<string, RecRow[]>> {
  const params: unknown[] = [ids];
  const rows = await db.query(
    `SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY supplier_id, status ORDER BY score DESC, id DESC) AS rn
       FROM recommendations WHERE supplier_id = ANY($1::uuid[]) AND ${supplierScopeSql(suppliers, params)}) x
     WHERE rn <= 200 ORDER BY score DESC, id DESC`,
    params,
  );
  return groupBy(rows.map(fromSql), ids, (r) => r.supplierId);
}

function groupBy(rows: RecRow[], keys: string[], key: (r: RecRow) => string | null): Map<string, RecRow[]> {
  return new Map(keys.map((k) => [k, rows.filter((r) => key(r) === k)]));
}

export interface ListFilter {
  status: string | null;
  hotspotId: string | null;
  supplierId: string | null;
  source: string | null;
  suppliers: readonly string[] | null;
}

/** One page of recommendations, best first (score, then id), after the keyset `after`, and how many match. */
export async function listPage(
  db: SqlQueryable,
  f: ListFilter,
  first: number,
  after: readonly [score: number, id: string] | null,
): Promise<{ rows: RecRow[]; hasNextPage: boolean; totalCount: number }> {
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (column: string, value: string | null) => {
    if (value === null) return;
    params.push(value);
    where.push(`${column} = $${params.length}`);
  };
  add('status', f.status);
  add('hotspot_id', f.hotspotId);
  add('supplier_id', f.supplierId);
  add('source', f.source);
  where.push(supplierScopeSql(f.suppliers, params));
  const base = where.join(' AND ');
  const countParams = [...params];
  let keyset = '';
  if (after) {
    params.push(after[0], after[1]);
    const [s, i] = [params.length - 1, params.length];
    keyset = ` AND (score < $${s} OR (score = $${s} AND id < $${i}::uuid))`;
  }
  params.push(first + 1);
  const [rows, count] = await Promise.all([
    db.query(
      `SELECT * FROM recommendations WHERE ${base}${keyset} ORDER BY score DESC, id DESC LIMIT $${params.length}`,
      params,
    ),
    db.query<{ n: string | number }>(`SELECT count(*) AS n FROM recommendations WHERE ${base}`, countParams),
  ]);
  return {
    rows: rows.slice(0, first).map(fromSql),
    hasNextPage: rows.length > first,
    totalCount: Number(count[0]?.n ?? 0),
  };
}

/**
 * approve / dismiss in one transaction: row lock, visibility, transition check, status + history update and the
 * audit_logs row. The caller publishes after the commit.
 */
export async function changeStatus(
  services: PluginServices,
  auth: AuthClaims,
  id: string,
  to: 'approved' | 'dismissed',
  reason: string | null,
): Promise<{ row: RecRow; from: string }> {
  parseUuid('id', id);
  return services.db.transaction(async (tx) => {
    const [raw] = await tx.query(`SELECT * FROM recommendations WHERE id = $1 FOR UPDATE`, [id]);
    if (!raw) throw notFound('recommendation', id);
    const cur = fromSql(raw);
    if (!canSeeSupplier(auth, cur.supplierId)) throw notFound('recommendation', id);
    if (cur.status === to) throw badInput('id', `recommendation ${id} is already ${to}`);
    const entry: HistoryEntry = { status: to, by: auth.sub, reason, at: new Date().toISOString() };
    const [updated] = await tx.query(
      `UPDATE recommendations SET status = $2, history = history || $3::jsonb, updated_at = now() WHERE id = $1 RETURNING *`,
      [id, to, JSON.stringify([entry])],
    );
    await services.audit(
      {
        action: to === 'approved' ? 'recommendation.approve' : 'recommendation.dismiss',
        entityType: 'recommendation',
        entityId: id,
        metadata: {
          reason,
          from: cur.status,
          to,
          hotspotId: cur.hotspotId,
          supplierId: cur.supplierId,
          title: cur.title,
        },
      },
      tx,
    );
    return { row: fromSql(updated!), from: cur.status };
  });
}
