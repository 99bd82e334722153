// Hotspots and alerts for gateway tests, raised the way production raises them: a supplier's events ingested by
// data-core, a manual baseline set through orchestration (setBaselineOverride) and orchestration's own detection
// (detectHotspots) over one past hour. No test writes orchestration's tables: what the tests read is what detection
// committed and published (alert.raised, hotspot.changed), with its seq, message and severity.
const HOUR = 3_600_000;

/** A GraphQL call through the gateway with a caller that may ingest, set baselines and detect (analyst or admin). */
export type Gql = (query: string, variables?: Record<string, unknown>) => Promise<{ data?: any; errors?: readonly any[] }>;

export function gqlAt(url: string, token: string): Gql {
  return async (query, variables = {}) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data?: any; errors?: any[] };
  };
}

/**
 * Where a test's hotspots are detected: windows starting at the last whole hour, each one ending a minute before the
 * previous one (60, 59, … minutes long). A window that ends inside an earlier hotspot's span leaves that hotspot
 * alone (orchestration's episode rule), so raising the next hotspot changes none of the earlier ones: no update,
 * no resolution, nothing published for them. The events sit in the first half hour, inside every window.
 */
export interface DetectionWindows {
  start: Date;
  /** Windows handed out so far. */
  used: number;
}

export function detectionWindows(now = Date.now()): DetectionWindows {
  return { start: new Date(Math.floor(now / HOUR) * HOUR - HOUR), used: 0 };
}

function nextWindow(w: DetectionWindows): { start: Date; end: Date; hours: number } {
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
}

const INGEST = `mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted rejected results { errors { field reason } } } }`;
const SERIES = `query($f: String!, $t: String!) { emissionsSeries(from: $f, to: $t, bucket: HOUR, groupBy: SUPPLIER) { key co2eKg } }`;
const OVERRIDE = `mutation($i: BaselineOverrideInput!) { setBaselineOverride(input: $i) { id } }`;
const DETECT = `mutation($s: String, $e: String) { detectHotspots(windowStart: $s, windowEnd: $e) { created alertsRaised } }`;
const FOUND = `query($s: [ID!]) { hotspots(supplierIds: $s, first: 5) { nodes { id severity percentAbove alerts { id cursor level } } } }`;

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
  for (let k = 0; k <= 64; k++)
    for (const v of [target * (1 + k * Number.EPSILON), target * (1 - k * Number.EPSILON)]) if (at(v) === percent) return v;
  return target;
}

export interface HotspotRequest {
  supplierId: string;
  /** Percent above the baseline (default thresholds: ≥ 80 INFO, ≥ 100 WARN, ≥ 150 CRITICAL). */
  percent: number;
  windows: DetectionWindows;
}

/**
 * Raises one supplier hotspot with its alert: three events of the supplier (detection's minimum), the window's kg
 * read back from data-core, a manual baseline `percent` under it, then one detection cycle over the next window.
 */
export async function raiseHotspot(gql: Gql, o: HotspotRequest): Promise<RaisedHotspot> {
  return (await prepareHotspot(gql, o))();
}

/**
 * raiseHotspot in two steps: the events and the baseline now, detection when the returned function is called (e.g.
 * while the bus is down). Call the detections in the order the hotspots were prepared.
 */
export async function prepareHotspot(gql: Gql, o: HotspotRequest): Promise<() => Promise<RaisedHotspot>> {
  const { start, end, hours } = nextWindow(o.windows);
  const events = [10, 20, 30].map((m) => leg(o.supplierId, start.getTime() + m * 60_000));
  const ingested = ok('ingestEvents', await gql(INGEST, { e: events })).ingestEvents;
  if (ingested.accepted !== events.length) throw new Error(`ingestEvents refused the fixture's events: ${JSON.stringify(ingested)}`);
  const series = ok('emissionsSeries', await gql(SERIES, { f: start.toISOString(), t: end.toISOString() })).emissionsSeries;
  const kg = series.filter((p: { key: string }) => p.key === o.supplierId).reduce((s: number, p: { co2eKg: number }) => s + p.co2eKg, 0);
  if (!(kg > 0)) throw new Error(`data-core has no figure for the fixture's events (${kg} kg)`);
  const valueKgPerHour = baselineFor(kg, o.percent, hours);
  ok('setBaselineOverride', await gql(OVERRIDE, { i: { entityType: 'supplier', entityId: o.supplierId, valueKgPerHour, reason: 'test fixture' } }));
  return () => detect(gql, o.supplierId, o.percent, start, end);
}

async function detect(gql: Gql, supplierId: string, percent: number, start: Date, end: Date): Promise<RaisedHotspot> {
  const detected = ok('detectHotspots', await gql(DETECT, { s: start.toISOString(), e: end.toISOString() })).detectHotspots;
  if (detected.created < 1) throw new Error(`detectHotspots created no hotspot at ${percent}%: ${JSON.stringify(detected)}`);
  const [h] = ok('hotspots', await gql(FOUND, { s: [supplierId] })).hotspots.nodes;
  const alert = h?.alerts.at(-1);
  if (!alert) throw new Error(`no hotspot with an alert for supplier ${supplierId}: ${JSON.stringify(h)}`);
  return { hotspotId: h.id, alertId: alert.id, alertSeq: alert.cursor, level: h.severity, percentAbove: h.percentAbove };
}
