// Hotspots and alerts for gateway tests, raised the way production raises them: a supplier's events ingested by
// data-core, a manual baseline set through orchestration (setBaselineOverride) and orchestration's own detection
// (detectHotspots) over a past window. No test writes orchestration's tables: what the tests read is what detection
// committed and published (alert.raised, hotspot.changed), with its seq, message and severity.
const HOUR = 3_600_000;

/** A GraphQL call through the gateway, as a caller that may ingest, set baselines and detect (analyst or admin). */
export type Gql = (query: string, variables?: Record<string, unknown>) => Promise<GqlResult>;
type GqlResult = { data?: any; errors?: readonly any[] };

export function gqlAt(url: string, token: string): Gql {
  return async (query, variables = {}) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResult;
  };
}

/**
 * Where a test's hotspots are detected, so that raising the next one changes none of the earlier ones (no update,
 * no resolution, nothing published for them), by orchestration's episode rules:
 *  - nested (default): windows from the start of the last whole hour, each ending a minute before the previous one
 *    (60, 59, … minutes). A window ending inside an earlier hotspot's span leaves it alone. One hotspot per
 *    supplier; escalateHotspot works here (it detects in the hotspot's own window again).
 *  - disjoint: whole hours stepping back two at a time from the last one. An earlier window has no hotspot of the
 *    entity ending before it, so a supplier gets a new hotspot (and alert) each time: several per supplier.
 * The fixture's events sit in the first half hour of the window.
 */
export interface DetectionWindows {
  start: Date;
  disjoint: boolean;
  /** Windows handed out so far. */
  used: number;
}

export function detectionWindows(opts: { now?: number; disjoint?: boolean } = {}): DetectionWindows {
  const lastWholeHour = Math.floor((opts.now ?? Date.now()) / HOUR) * HOUR - HOUR;
  return { start: new Date(lastWholeHour), disjoint: !!opts.disjoint, used: 0 };
}

interface Window {
  start: Date;
  end: Date;
  hours: number;
}

function nextWindow(w: DetectionWindows): Window {
  if (w.disjoint) {
    const start = w.start.getTime() - 2 * HOUR * w.used++;
    return { start: new Date(start), end: new Date(start + HOUR), hours: 1 };
  }
  const minutes = 60 - w.used++;
  if (minutes <= 30) throw new Error('detectionWindows: at most 30 hotspots per set of windows');
  return { start: w.start, end: new Date(w.start.getTime() + minutes * 60_000), hours: (minutes * 60_000) / HOUR };
}

export interface RaisedHotspot {
  hotspotId: string;
  alertId: string;
  /** The alert's seq (its cursor for alertRaised(after:) and the REST stream). */
  alertSeq: string;
  level: 'INFO' | 'WARN' | 'CRITICAL';
  percentAbove: number;
  supplierId: string;
  /** The window it was detected in (escalateHotspot detects there again). */
  window: Window;
}

const INGEST = `mutation($e: [EventInput!]!) {
  ingestEvents(events: $e) { accepted rejected results { errors { field reason } } }
}`;
const SERIES = `query($f: String!, $t: String!) {
  emissionsSeries(from: $f, to: $t, bucket: HOUR, groupBy: SUPPLIER) { key co2eKg }
}`;
const OVERRIDE = `mutation($i: BaselineOverrideInput!) { setBaselineOverride(input: $i) { id } }`;
const DETECT = `mutation($s: String, $e: String) {
  detectHotspots(windowStart: $s, windowEnd: $e) {
    entitiesEvaluated created escalated updated resolved alertsRaised suppressed
  }
}`;
const FOUND = `query($s: [ID!]) {
  hotspots(supplierIds: $s, first: 100) { nodes { id windowStart severity percentAbove alerts { id cursor } } }
}`;

interface FoundHotspot {
  id: string;
  windowStart: string;
  severity: RaisedHotspot['level'];
  percentAbove: number;
  alerts: { id: string; cursor: string }[];
}

function ok<T>(what: string, r: { data?: T; errors?: readonly any[] }): T {
  if (r.errors?.length || !r.data) throw new Error(`${what}: ${JSON.stringify(r.errors ?? r)}`);
  return r.data;
}

let serial = 0;
/** A road-freight leg with every activity field, so data-core records its figure at ingestion (method ACTIVITY). */
function leg(supplierId: string, at: number) {
  return {
    externalId: `hotspot-fixture-${process.pid}-${++serial}`,
    supplierId,
    eventType: 'TRANSPORT',
    timestamp: new Date(at).toISOString(),
    distanceKm: 180,
    loadKg: 14_000,
    vehicleType: 'rigid_truck',
    fuelType: 'diesel',
    speedKmh: 70,
    region: 'EU',
    route: 'FIXTURE',
  };
}

/**
 * The baseline (kg/h, all hours) that puts `kg` exactly `percent` above it as detection computes it: window
 * baseline b = hours × value, percent = (kg − b) / b × 100. The nearest double to the exact value, nudged by a few
 * ulps when the arithmetic lands a hair off, so a test's figure is the one it names.
 */
export function baselineFor(kg: number, percent: number, hours: number): number {
  const target = kg / (1 + percent / 100) / hours;
  const at = (value: number) => ((kg - hours * value) / (hours * value)) * 100;
  for (let k = 0; k <= 64; k++) {
    const near = [target * (1 + k * Number.EPSILON), target * (1 - k * Number.EPSILON)];
    for (const v of near) if (at(v) === percent) return v;
  }
  return target;
}

export interface HotspotRequest {
  supplierId: string;
  /** Percent above the baseline (default thresholds: ≥ 80 INFO, ≥ 100 WARN, ≥ 150 CRITICAL). */
  percent: number;
  windows: DetectionWindows;
  /** false: measure the supplier's own events already in the window instead of ingesting three (see minEvents). */
  ingest?: boolean;
}

/**
 * Raises one supplier hotspot with its alert: three events of the supplier (detection's minimum, HOTSPOT_MIN_EVENTS),
 * the window's kg read back from data-core, a manual baseline `percent` under it, then one detection cycle over the
 * next window.
 */
export async function raiseHotspot(gql: Gql, o: HotspotRequest): Promise<RaisedHotspot> {
  return (await prepareHotspot(gql, o))();
}

/**
 * raiseHotspot in two steps: the events ingested and measured now; the baseline and the detection when the returned
 * function is called (e.g. while the bus is down). Without a baseline the supplier is not evaluated, so a prepared
 * supplier stays out of other detections until then. Call them in the order the hotspots were prepared.
 */
export async function prepareHotspot(gql: Gql, o: HotspotRequest): Promise<() => Promise<RaisedHotspot>> {
  const window = nextWindow(o.windows);
  if (o.ingest !== false) await ingestLegs(gql, o.supplierId, window);
  const kg = await measuredKg(gql, o.supplierId, window);
  return async () => {
    await setBaseline(gql, o.supplierId, baselineFor(kg, o.percent, window.hours));
    return detect(gql, o.supplierId, o.percent, window, 'created');
  };
}

/**
 * A higher level for a raised hotspot, with its alert: a lower baseline, then detection over the hotspot's own window
 * again (it continues that hotspot and escalates it). Other hotspots of later-prepared windows are updated in place.
 */
export async function escalateHotspot(gql: Gql, raised: RaisedHotspot, percent: number): Promise<RaisedHotspot> {
  const { supplierId, window } = raised;
  await setBaseline(gql, supplierId, baselineFor(await measuredKg(gql, supplierId, window), percent, window.hours));
  return detect(gql, supplierId, percent, window, 'escalated');
}

async function ingestLegs(gql: Gql, supplierId: string, window: Window): Promise<void> {
  const events = [10, 20, 30].map((m) => leg(supplierId, window.start.getTime() + m * 60_000));
  const ingested = ok('ingestEvents', await gql(INGEST, { e: events })).ingestEvents;
  if (ingested.accepted !== events.length) throw new Error(`ingestEvents refused events: ${JSON.stringify(ingested)}`);
}

/** The supplier's kg CO2e in the window, as data-core reports it to detection. */
async function measuredKg(gql: Gql, supplierId: string, { start, end }: Window): Promise<number> {
  const series: { key: string; co2eKg: number }[] = ok(
    'emissionsSeries',
    await gql(SERIES, { f: start.toISOString(), t: end.toISOString() }),
  ).emissionsSeries;
  const kg = series.filter((p) => p.key === supplierId).reduce((sum, p) => sum + p.co2eKg, 0);
  if (!(kg > 0)) throw new Error(`data-core has no figure for supplier ${supplierId} in the window (${kg} kg)`);
  return kg;
}

async function setBaseline(gql: Gql, supplierId: string, valueKgPerHour: number): Promise<void> {
  const input = { entityType: 'supplier', entityId: supplierId, valueKgPerHour, reason: 'test fixture' };
  ok('setBaselineOverride', await gql(OVERRIDE, { i: input }));
}

async function detect(gql: Gql, supplierId: string, percent: number, window: Window, change: 'created' | 'escalated') {
  const vars = { s: window.start.toISOString(), e: window.end.toISOString() };
  const detected = ok('detectHotspots', await gql(DETECT, vars)).detectHotspots;
  if (detected[change] < 1) throw new Error(`detect: none ${change} at ${percent}%: ${JSON.stringify(detected)}`);
  const nodes: FoundHotspot[] = ok('hotspots', await gql(FOUND, { s: [supplierId] })).hotspots.nodes;
  const h = nodes.find((n) => Date.parse(n.windowStart) === window.start.getTime());
  const alert = h?.alerts.at(-1);
  if (!h || !alert) throw new Error(`no hotspot with an alert for supplier ${supplierId}: ${JSON.stringify(nodes)}`);
  const raised: RaisedHotspot = {
    hotspotId: h.id,
    alertId: alert.id,
    alertSeq: alert.cursor,
    level: h.severity,
    percentAbove: h.percentAbove,
    supplierId,
    window,
  };
  return raised;
}
