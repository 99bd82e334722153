// data-core's method engine, through its GraphQL API: estimateEmissions (batches of 1000) and the vehicle classes.
// Orchestration keeps no factor of its own: every kg of a what-if comes from here.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';

export interface ActivityInput {
  eventType?: string;
  distanceKm?: number | null;
  loadKg?: number | null;
  vehicleType?: string | null;
  fuelType?: string | null;
  fuelL?: number | null;
  fuelKg?: number | null;
  energyKwh?: number | null;
  gasKwh?: number | null;
  region?: string | null;
  country?: string | null;
  refrigerated?: boolean | null;
  productionUnits?: number | null;
  areaM2?: number | null;
  preferMethod?: 'ACTIVITY' | null;
}

export interface AppliedFactor {
  id: string;
  version: string;
  source: string;
  unit: string;
  boundary: string;
  result: number;
  role: string;
}

export interface Estimate {
  index: number;
  co2eKg: number | null;
  method: string | null;
  methodNote: string | null;
  vehicleClass: string | null;
  factorSet: string;
  factors: AppliedFactor[];
  errors: { field: string; reason: string }[];
}

export interface VehicleClassInfo {
  id: string;
  label: string;
  mode: string;
  electric: boolean;
  payloadKg: number | null;
}

const CHUNK = 1000;

export async function estimateEmissions(services: PluginServices<any>, activities: ActivityInput[]): Promise<Estimate[]> {
  const out: Estimate[] = [];
  for (let i = 0; i < activities.length; i += CHUNK) {
    const part = activities.slice(i, i + CHUNK);
    const data = await services.call<{ estimateEmissions: Estimate[] }>(
      'data-core',
      `query OrchestrationEstimate($a: [ActivityInput!]!) { estimateEmissions(activities: $a) {
        index co2eKg method methodNote vehicleClass factorSet factors { id version source unit boundary result role } errors { field reason } } }`,
      { a: part.map(clean) },
    );
    out.push(...data.estimateEmissions.map((e) => ({ ...e, index: e.index + i })));
  }
  return out;
}

export async function vehicleClasses(services: PluginServices<any>): Promise<VehicleClassInfo[]> {
  const data = await services.call<{ vehicleClasses: VehicleClassInfo[] }>('data-core', `query OrchestrationVehicleClasses { vehicleClasses { id label mode electric payloadKg } }`);
  return data.vehicleClasses;
}

export async function supplierCountry(services: PluginServices<any>, id: string): Promise<string | null> {
  const data = await services.call<{ supplier: { country: string | null } | null }>('data-core', `query OrchestrationSupplierCountry($id: ID!) { supplier(id: $id) { country } }`, { id });
  return data.supplier?.country ?? null;
}

/** GraphQL input: no undefined/null noise, event types upper-case. */
function clean(a: ActivityInput): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) if (v !== undefined && v !== null) o[k] = v;
  if (typeof o.eventType === 'string') o.eventType = o.eventType.toUpperCase();
  return o;
}
