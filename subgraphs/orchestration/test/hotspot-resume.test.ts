// hotspotDetected(after:) resumes from the hotspot change log with no gap and no duplicate. Changes are made the way
// production makes them — the REAL data-core's figures, manual baselines and orchestration's own detection cycles and
// acknowledgement — and what a resumed subscriber receives is compared with what was published on the bus (each
// hotspot.changed message carries its change's seq): exactly the later changes in seq order, then live ones once; a
// supplier-scoped token's replay holds only its supplier; a minimum severity filters the replay as it filters live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@carbon-nexus/db';
import type { SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import { createSupplier, figureOf, history, ingest, legsBefore, startKit, until } from './helpers.ts';
import { hotspotChanged, type HotspotChanged } from '../client/index.ts';

const ANALYST = { sub: 'ana', roles: ['analyst'], supplierIds: null };
const PER_HOUR = 4;
const DETECT = `mutation { detectHotspots { created escalated updated resolved } }`;
const OVERRIDE = `mutation($i: BaselineOverrideInput!) { setBaselineOverride(input: $i) { id } }`;
const CLEAR = `mutation($id: String!) { clearBaselineOverride(entityType: "supplier", entityId: $id) }`;
const STREAM = `subscription($after: String, $min: Severity, $s: [ID!]) {
  hotspotDetected(after: $after, minSeverity: $min, supplierIds: $s) {
    cursor change at hotspot { id entityId severity status supplier { id } } } }`;

type Event = {
  cursor: string;
  change: string;
  at: string;
  hotspot: { id: string; entityId: string; severity: string; status: string; supplier: { id: string } | null };
};
type Stream = AsyncIterableIterator<{ data?: { hotspotDetected: Event }; errors?: readonly any[] }>;

const TIMEOUT = Symbol('timeout');
/** The next event, or TIMEOUT when none arrives within `ms`. */
async function next(stream: Stream, ms = 10_000): Promise<Event | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([
    stream.next(),
    new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), ms))),
  ]);
  clearTimeout(timer);
  if (r === TIMEOUT) return r;
  if (r.done || !r.value.data) throw new Error(`stream ended: ${JSON.stringify(r.value)}`);
  return r.value.data.hotspotDetected;
}

async function take(stream: Stream, n: number): Promise<Event[]> {
  const got: Event[] = [];
  for (let i = 0; i < n; i++) {
    const e = await next(stream);
    if (e === TIMEOUT) throw new Error(`only ${i} of ${n} events arrived: ${JSON.stringify(got)}`);
    got.push(e);
  }
  return got;
}

describe.each(testDatabaseTargets())('hotspotDetected(after) resumes from the change log (%s)', (target) => {
  let kit: SubgraphTestkit;
  let a: string, b: string, c: string;
  let hourKg: number;
  /** Every hotspot.changed heard on the bus, by seq (the outbox relays at least once: duplicates collapse). */
  const heard = new Map<string, HotspotChanged>();
  const unsequenced: HotspotChanged[] = [];
  const inOrder = () => [...heard.values()].sort((x, y) => (BigInt(x.seq!) < BigInt(y.seq!) ? -1 : 1));
  const subscribe = async (vars: Record<string, unknown>, auth: object = ANALYST) =>
    kit.host.plugins.get('orchestration')!.subscribe(STREAM, vars, { auth: auth as any });
  const open = async (vars: Record<string, unknown>, auth?: object) => {
    const s = await subscribe(vars, auth);
    if (!(Symbol.asyncIterator in s)) throw new Error(`refused: ${JSON.stringify(s.errors)}`);
    return s as Stream;
  };
  const baseline = (id: string, divisor: number) =>
    kit.query(
      OVERRIDE,
      { i: { entityType: 'supplier', entityId: id, valueKgPerHour: hourKg / divisor } },
      { auth: ANALYST },
    );
  /** One detection cycle; resolves once its changes have been heard on the bus. */
  const detect = async () => {
    const before = heard.size;
    const d = await kit.query<{ detectHotspots: Record<string, number> }>(DETECT, {}, { auth: ANALYST });
    const n = Object.values(d.detectHotspots).reduce((s, x) => s + x, 0);
    await until(() => heard.size >= before + n, 10_000);
    return d.detectHotspots;
  };

  beforeAll(async () => {
    kit = await startKit({ target });
    a = await createSupplier(kit, 'Supplier A');
    b = await createSupplier(kit, 'Supplier B');
    c = await createSupplier(kit, 'Supplier C');
    const now = new Date();
    const past = history([a, b, c], now, 30, PER_HOUR);
    await ingest(kit, [...past, ...[a, b, c].flatMap((s) => legsBefore(s, now, PER_HOUR))]);
    hourKg = PER_HOUR * (await figureOf(kit, past[0].externalId));
    await kit.runJob('recalculateBaselines');
    kit.services.bus.subscribe(hotspotChanged, (p) => {
      if (p.seq === undefined) unsequenced.push(p);
      else heard.set(p.seq, p);
    });
    // Each supplier runs its usual four legs in the detection window; manual baselines under them set the levels.
    await baseline(a, 1.9); // +90 % -> INFO
    await baseline(c, 3); // +200 % -> CRITICAL
    expect(await detect()).toMatchObject({ created: 2, updated: 0 });
    await baseline(b, 2.1); // +110 % -> WARN
    expect(await detect()).toMatchObject({ created: 1, updated: 2 });
    await baseline(a, 3);
    expect(await detect()).toMatchObject({ escalated: 1, updated: 2 });
    // C acknowledged: a change too.
    const [alertOfC] = await kit.db.query<{ id: string }>(`SELECT id::text AS id FROM alerts WHERE supplier_id = $1`, [
      c,
    ]);
    const before = heard.size;
    await kit.query(`mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }`, { id: alertOfC.id }, { auth: ANALYST });
    await until(() => heard.size === before + 1);
  }, 300_000); // PGlite start + migration alone take 30-40 s on a loaded 2-core machine
  afterAll(async () => {
    await kit?.stop();
  });

  it('logs every change with a seq in commit order, as published', async () => {
    const log = await kit.db.query<{ seq: string; hotspot_id: string; change: string; severity: string }>(
      `SELECT seq::text AS seq, hotspot_id::text AS hotspot_id, change, severity FROM hotspot_changes ORDER BY seq`,
    );
    expect(log.map((r) => [r.seq, r.hotspot_id, r.change, r.severity])).toEqual(
      inOrder().map((p) => [p.seq, p.id, p.change, p.severity]),
    );
    expect(unsequenced).toEqual([]);
    // Three cycles (2 created; 1 created + 2 updated; 1 escalated + 2 updated), then the acknowledgement. Within a
    // cycle, creations come first; the order of the others follows the entities.
    const kinds = log.map((r) => r.change);
    expect(kinds.slice(0, 3)).toEqual(['created', 'created', 'created']);
    expect(kinds.slice(3, 5)).toEqual(['updated', 'updated']);
    expect(kinds.slice(5, 8).sort()).toEqual(['escalated', 'updated', 'updated']);
    expect(kinds[8]).toBe('acknowledged');
    expect(new Set(log.map((r) => r.seq)).size).toBe(log.length);
  });

  it('replays exactly the changes after a cursor in seq order, then continues live with no duplicate', async () => {
    const mid = inOrder()[2].seq!;
    const stream = await open({ after: mid });
    // Made after the subscription started but before anything was read: in the log and in the live buffer alike,
    // and must arrive once. A back at its baseline -> resolved; B and C updated.
    await kit.query(CLEAR, { id: a }, { auth: ANALYST });
    expect(await detect()).toMatchObject({ resolved: 1, updated: 2 });
    const missed = inOrder().filter((p) => BigInt(p.seq!) > BigInt(mid));
    expect(missed).toHaveLength(9);
    const replayed = await take(stream, missed.length);
    expect(replayed.map((e) => [e.cursor, e.change, e.hotspot.id])).toEqual(
      missed.map((p) => [p.seq, p.change.toUpperCase(), p.id]),
    );
    // The hotspot of a replayed change is its current row: A's escalation replays with A resolved.
    const escalation = replayed.find((e) => e.change === 'ESCALATED')!;
    expect(escalation.hotspot).toMatchObject({ entityId: a, severity: 'CRITICAL', status: 'RESOLVED' });
    const [logged] = await kit.db.query<{ at: Date | string }>(`SELECT at FROM hotspot_changes WHERE seq = $1`, [
      escalation.cursor,
    ]);
    expect(escalation.at).toBe(new Date(logged.at).toISOString());
    // Live: B escalates to CRITICAL, C is updated — each once, right after the replay.
    await baseline(b, 3);
    expect(await detect()).toMatchObject({ escalated: 1, updated: 1 });
    const live = inOrder().filter((p) => BigInt(p.seq!) > BigInt(replayed.at(-1)!.cursor));
    expect(live.map((p) => `${p.supplierId}:${p.change}`).sort()).toEqual([`${b}:escalated`, `${c}:updated`].sort());
    const got = await take(stream, 2);
    expect(got.map((e) => [e.cursor, e.change, e.hotspot.id])).toEqual(
      live.map((p) => [p.seq, p.change.toUpperCase(), p.id]),
    );
    expect(await next(stream, 500)).toBe(TIMEOUT); // no second copy of anything
    expect((await stream.return!()).done).toBe(true);
  });

  it("a supplier-scoped token's replay holds only its supplier's changes, even when it asks for others", async () => {
    const scoped = { sub: 'b-partner', roles: ['partner'], supplierIds: [b] };
    const ofB = inOrder().filter((p) => p.supplierId === b);
    expect(ofB.map((p) => p.change)).toEqual(['created', 'updated', 'updated', 'escalated']);
    const stream = await open({ after: '0', s: [a, b, c] }, scoped);
    const got = await take(stream, ofB.length);
    expect(got.map((e) => e.cursor)).toEqual(ofB.map((p) => p.seq));
    expect(got.every((e) => e.hotspot.supplier?.id === b)).toBe(true);
    expect(await next(stream, 500)).toBe(TIMEOUT);
    await stream.return!();
    // Only other suppliers asked for: nothing at all.
    const none = await open({ after: '0', s: [a] }, scoped);
    expect(await next(none, 500)).toBe(TIMEOUT);
    await none.return!();
  });

  it('minSeverity and supplierIds filter the replay by the change as they filter live changes', async () => {
    const stream = await open({ after: '0', min: 'CRITICAL', s: [a, c] });
    const expected = inOrder().filter((p) => p.severity === 'critical' && (p.supplierId === a || p.supplierId === c));
    expect(expected.length).toBeGreaterThan(3);
    const got = await take(stream, expected.length);
    expect(got.map((e) => [e.cursor, e.change])).toEqual(expected.map((p) => [p.seq, p.change.toUpperCase()]));
    expect(await next(stream, 500)).toBe(TIMEOUT);
    await stream.return!();
  });

  it('refuses a cursor that is not a change seq, naming `after`', async () => {
    for (const after of ['yesterday', '-1', '1.5', '99999999999999999999', '9223372036854775808']) {
      const r = await subscribe({ after });
      expect(Symbol.asyncIterator in r, after).toBe(false);
      expect((r as { errors: any[] }).errors[0].extensions, after).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'after',
      });
    }
  });
});
