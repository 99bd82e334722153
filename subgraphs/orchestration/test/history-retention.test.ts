// History retention: the pruneHistory job cuts alerts and the hotspot change log to their retention periods as a seq
// prefix, records how far it got, and a subscriber resuming from a cursor below that mark is refused (naming `after`)
// instead of silently missing the removed rows; a cursor at the mark resumes with every kept row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@carbon-nexus/db';
import type { SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { createSupplier, startKit } from './helpers.ts';

const ANALYST = { sub: 'ana', roles: ['analyst'], supplierIds: null };
const HOTSPOTS = `subscription($after: String) { hotspotDetected(after: $after) { cursor change hotspot { id } } }`;
const ALERTS = `subscription($after: String) { alertRaised(after: $after) { id cursor } }`;

type Result = { data?: Record<string, any>; errors?: readonly { message: string; extensions?: any }[] };

describe.each(testDatabaseTargets())('history retention (%s)', (target) => {
  let kit: SubgraphTestkit;
  let supplier: string;
  let hotspot: string;
  /** seq of each inserted row, by label. */
  const changes: Record<string, string> = {};
  const alerts: Record<string, { id: string; seq: string }> = {};

  const subscribe = (query: string, after: string | null) =>
    kit.host.plugins.get('orchestration')!.subscribe(query, { after }, { auth: ANALYST as any });
  /** The events a resumed stream replays before going live (it ends when nothing more arrives within 1 s). */
  async function replayed(query: string, after: string): Promise<Record<string, any>[]> {
    const s = await subscribe(query, after);
    if (!(Symbol.asyncIterator in s)) throw new Error(`refused: ${JSON.stringify((s as Result).errors)}`);
    const it = s as AsyncIterableIterator<Result>;
    const got: Record<string, any>[] = [];
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const r = await Promise.race([
        it.next(),
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 1000))),
      ]);
      clearTimeout(timer);
      if (!r || r.done) break;
      got.push(Object.values(r.value.data!)[0]);
    }
    await it.return?.();
    return got;
  }
  const refusal = async (query: string, after: string) => {
    const s = await subscribe(query, after);
    expect(Symbol.asyncIterator in s).toBe(false);
    return (s as Result).errors![0];
  };

  beforeAll(async () => {
    kit = await startKit({ target, env: { HOTSPOT_CHANGES_RETENTION_DAYS: '30', ALERTS_RETENTION_DAYS: '365' } });
    supplier = await createSupplier(kit, 'Retained Haulage');
    [{ id: hotspot }] = await kit.db.query<{ id: string }>(
      `INSERT INTO hotspots (id, entity_type, entity_id, supplier_id, metric_value, baseline, percent_above, severity, status, window_start, window_end)
       VALUES (gen_random_uuid(), 'supplier', $1::text, $1::uuid, 300, 100, 200, 'critical', 'open', now() - interval '1 hour', now())
       RETURNING id::text AS id`,
      [supplier],
    );
    // In seq order: two changes older than 30 days, one recent, one old again (logged late: the cut must still
    // remove everything below it), then two recent ones.
    for (const [label, daysAgo] of [
      ['old1', 45],
      ['old2', 40],
      ['early-recent', 2],
      ['late-old', 31],
      ['recent1', 1],
      ['recent2', 0],
    ] as const) {
      const [row] = await kit.db.query<{ seq: string }>(
        `INSERT INTO hotspot_changes (hotspot_id, change, severity, supplier_id, at)
         VALUES ($1, 'updated', 'critical', $2, now() - make_interval(days => $3)) RETURNING seq::text AS seq`,
        [hotspot, supplier, daysAgo],
      );
      changes[label] = row.seq;
    }
    for (const [label, daysAgo] of [
      ['ancient', 400],
      ['year-old', 366],
      ['month-old', 30],
      ['today', 0],
    ] as const) {
      const [row] = await kit.db.query<{ id: string; seq: string }>(
        `INSERT INTO alerts (id, hotspot_id, supplier_id, level, message, created_at)
         VALUES (gen_random_uuid(), $1, $2, 'critical', $3, now() - make_interval(days => $4))
         RETURNING id::text AS id, seq::text AS seq`,
        [hotspot, supplier, `alert ${label}`, daysAgo],
      );
      alerts[label] = row;
    }
  }, 120_000);
  afterAll(() => kit?.stop());

  it('a cursor is accepted before anything was pruned, even the oldest one', async () => {
    const got = await replayed(HOTSPOTS, '0');
    expect(got.map((e) => e.cursor)).toEqual(Object.values(changes));
  });

  it('removes the rows older than their retention as a seq prefix and records the mark', async () => {
    await kit.runJob('pruneHistory');
    const kept = await kit.db.query<{ seq: string }>(`SELECT seq::text AS seq FROM hotspot_changes ORDER BY seq`);
    expect(kept.map((r) => r.seq)).toEqual([changes.recent1, changes.recent2]);
    const keptAlerts = await kit.db.query<{ id: string }>(`SELECT id::text AS id FROM alerts ORDER BY seq`);
    expect(keptAlerts.map((r) => r.id)).toEqual([alerts['month-old'].id, alerts.today.id]);
    const marks = await kit.db.query<{ stream: string; pruned_through: string; rows_pruned: string }>(
      `SELECT stream, pruned_through::text AS pruned_through, rows_pruned::text AS rows_pruned FROM history_retention ORDER BY stream`,
    );
    expect(marks).toEqual([
      { stream: 'alerts', pruned_through: alerts['year-old'].seq, rows_pruned: '2' },
      { stream: 'hotspot_changes', pruned_through: changes['late-old'], rows_pruned: '4' },
    ]);
    // Nothing newly old: a second run removes nothing and keeps the marks.
    await kit.runJob('pruneHistory');
    const again = await kit.db.query<{ rows_pruned: string }>(
      `SELECT rows_pruned::text AS rows_pruned FROM history_retention ORDER BY stream`,
    );
    expect(again.map((r) => r.rows_pruned)).toEqual(['2', '4']);
  });

  it('refuses a resume cursor below the mark, naming after and the setting', async () => {
    const e = await refusal(HOTSPOTS, changes.old2);
    expect(e.extensions?.code).toBe('BAD_USER_INPUT');
    expect(e.extensions?.field).toBe('after');
    expect(e.message).toContain(`cursor ${changes.old2} has expired`);
    expect(e.message).toContain('HOTSPOT_CHANGES_RETENTION_DAYS');
    const a = await refusal(ALERTS, alerts.ancient.seq);
    expect(a.extensions?.field).toBe('after');
    expect(a.message).toContain('ALERTS_RETENTION_DAYS');
    // "from the start" is older than the kept history too
    expect((await refusal(HOTSPOTS, '0')).extensions?.field).toBe('after');
  });

  it('resumes from the mark (or later) with every kept row, in order', async () => {
    expect((await replayed(HOTSPOTS, changes['late-old'])).map((e) => e.cursor)).toEqual([
      changes.recent1,
      changes.recent2,
    ]);
    expect((await replayed(HOTSPOTS, changes.recent1)).map((e) => e.cursor)).toEqual([changes.recent2]);
    expect((await replayed(ALERTS, alerts['year-old'].seq)).map((e) => e.id)).toEqual([
      alerts['month-old'].id,
      alerts.today.id,
    ]);
  });

  it('refuses a retention setting out of range at start, naming it', async () => {
    await expect(startKit({ target, env: { HOTSPOT_CHANGES_RETENTION_DAYS: '0' } })).rejects.toThrow(
      /HOTSPOT_CHANGES_RETENTION_DAYS/,
    );
  });
});
