// The basis of a what-if: a supplier's recent events, a hotspot's events (its supplier, route and window), or
// explicit activities estimated by data-core's method engine.
import { badInput, isUuid, type PluginServices } from '@carbon-nexus/plugin-sdk';
import type { OrchestrationConfig } from '../config.ts';
import {
  estimateEmissions,
  eventsWithFactors,
  supplierCountry,
  type EventFilter,
  type EventWithFactors,
  type ActivityInput,
} from '../datacore.ts';
import { MAX_BASIS, type Activity, type Basis, type SimulationInput } from '../domain/scenario.ts';

function toActivity(e: EventWithFactors, country: string | null): ActivityInput {
  return {
    eventType: e.eventType,
    distanceKm: e.distanceKm,
    loadKg: e.loadKg,
    vehicleType: e.vehicleType,
    fuelType: e.fuelType,
    fuelL: e.fuelL,
    fuelKg: e.fuelKg ?? null,
    energyKwh: e.energyKwh,
    region: e.region,
    country,
    refrigerated: e.refrigerated,
    productionUnits: e.productionUnits,
    areaM2: e.areaM2,
  };
}

interface EventWindow {
  supplierId: string | null;
  route: string | null;
  activity: Activity;
  from: Date;
  to: Date;
  /** The window in words, for the explanation. */
  what: string;
}

/** The hotspot's supplier, route or event type and detection window (visible to the caller, else BAD_USER_INPUT). */
async function hotspotWindow(
  services: PluginServices<OrchestrationConfig>,
  input: SimulationInput,
  hotspotId: string,
  canSee: (supplierId: string) => boolean,
): Promise<EventWindow> {
  if (!isUuid(hotspotId)) throw badInput('input.hotspotId', 'must be a hotspot id (uuid)');
  const [h] = await services.db.query<{
    supplier_id: string | null;
    entity_type: string;
    entity_id: string;
    window_start: Date;
    window_end: Date;
  }>(
    `SELECT supplier_id::text AS supplier_id, entity_type, entity_id, window_start, window_end FROM hotspots WHERE id = $1`,
    [hotspotId],
  );
  if (!h || (h.supplier_id && !canSee(h.supplier_id))) throw badInput('input.hotspotId', `no hotspot ${hotspotId}`);
  if (input.supplierId && h.supplier_id && input.supplierId !== h.supplier_id)
    throw badInput('input.supplierId', "differs from the hotspot's supplier (give one of them)");
  const from = new Date(h.window_start);
  const to = new Date(h.window_end);
  return {
    supplierId: h.supplier_id,
    route: h.entity_type === 'route' ? h.entity_id : (input.route ?? null),
    activity:
      h.entity_type === 'event_type' ? (h.entity_id.toUpperCase() as Activity) : (input.activity ?? 'TRANSPORT'),
    from,
    to,
    what: `hotspot ${hotspotId} (${h.entity_type} ${h.entity_id}, window ${from.toISOString()} – ${to.toISOString()})`,
  };
}

/** The supplier's last `lookbackHours` (default 168). */
function recentWindow(input: SimulationInput, now: Date): EventWindow {
  if (!input.supplierId)
    throw badInput(
      'input.supplierId',
      'give a supplierId (its recent events are the basis), a hotspotId or explicit activities',
    );
  const lookback = input.lookbackHours ?? 168;
  return {
    supplierId: input.supplierId,
    route: input.route ?? null,
    activity: input.activity ?? 'TRANSPORT',
    from: new Date(now.getTime() - lookback * 3_600_000),
    to: now,
    what: `the last ${lookback} h`,
  };
}

export async function basisFromEvents(
  services: PluginServices<OrchestrationConfig>,
  input: SimulationInput,
  now: Date,
  canSee: (supplierId: string) => boolean,
): Promise<Basis> {
  const w = input.hotspotId ? await hotspotWindow(services, input, input.hotspotId, canSee) : recentWindow(input, now);
  const { supplierId, route, activity, from, to, what } = w;
  const filter: EventFilter = { eventTypes: [activity], from: from.toISOString(), to: to.toISOString() };
  if (supplierId) filter.supplierIds = [supplierId];
  const all = await eventsWithFactors(services, filter, 4 * MAX_BASIS);
  const onRoute = all.filter((e) => !route || e.route === route);
  const notes: string[] = [];
  const usable = onRoute.filter(
    (e) => e.dataSource !== 'GAP_FILL' && e.qualityStatus !== 'SUPERSEDED' && e.co2eKg != null,
  );
  const pending = onRoute.filter((e) => e.co2eKg == null).length;
  const fills = onRoute.filter((e) => e.dataSource === 'GAP_FILL').length;
  if (pending)
    notes.push(`${pending} event(s) with a pending figure (model estimate not arrived) are not in the basis`);
  if (fills) notes.push(`${fills} gap fill(s) carry no activity and are not in the basis`);
  if (usable.length > MAX_BASIS) notes.push(`basis limited to the ${MAX_BASIS} latest of ${usable.length} events`);
  const events = usable.slice(0, MAX_BASIS);
  const field = input.hotspotId ? 'input.hotspotId' : route ? 'input.route' : 'input.supplierId';
  if (!events.length)
    throw badInput(
      field,
      `no ${activity.toLowerCase()} events with a figure in ${what}${route ? ` on route ${route}` : ''}`,
    );
  const country = supplierId ? await supplierCountry(services, supplierId) : null;
  return {
    items: events.map((e) => ({
      activity: toActivity(e, country),
      before: e.co2eKg!,
      beforeMethod: (e.method ?? 'LEGACY').toUpperCase(),
      beforeFactors: e.factors ?? [],
    })),
    text: `Basis: ${events.length} ${activity.toLowerCase()} events of ${what}${route ? ` on route ${route}` : ''}`,
    supplierId,
    route,
    activity,
    from,
    to,
    notes,
  };
}

export async function basisFromActivities(
  services: PluginServices<OrchestrationConfig>,
  input: SimulationInput,
): Promise<Basis> {
  const acts = input.activities!;
  if (acts.length > MAX_BASIS) throw badInput('input.activities', `at most ${MAX_BASIS}`);
  const country = input.supplierId ? await supplierCountry(services, input.supplierId) : null;
  const withCountry = acts.map((a) => ({ ...a, country: a.country ?? country }));
  const est = await estimateEmissions(services, withCountry);
  est.forEach((e, i) => {
    if (e.errors.length) throw badInput(`input.activities[${i}].${e.errors[0].field}`, e.errors[0].reason);
    if (e.co2eKg == null)
      throw badInput(
        `input.activities[${i}]`,
        'needs metered energy or activity data (a model estimate cannot be simulated)',
      );
  });
  const activity = String(acts[0].eventType ?? 'TRANSPORT').toUpperCase() as Activity;
  return {
    items: withCountry.map((a, i) => ({
      activity: a,
      before: est[i].co2eKg!,
      beforeMethod: est[i].method ?? 'ACTIVITY',
      beforeFactors: est[i].factors,
    })),
    text: `Basis: the ${acts.length} activities given`,
    supplierId: input.supplierId ?? null,
    route: input.route ?? null,
    activity,
    from: null,
    to: null,
    notes: [],
  };
}
