// estimateEmissions (the method engine on request, Climatiq-like: a batch with per-item errors), the accepted
// vehicle classes, and the recalculation job's progress / trigger.
import { badInput, requireRole } from '@carbon-nexus/plugin-sdk';
import type { EmissionMethod, Resolvers } from '../generated/resolvers-types.ts';
import { estimate, EstimateError, type ActivityData } from '../domain/estimate.ts';
import { GRID_REGIONS } from '../domain/grid.ts';
import { VEHICLE_CLASSES, payloadKg } from '../domain/vehicle-classes.ts';
import { factor, FACTOR_SET_VERSION } from '../domain/factors/index.ts';
import type { DataCoreState } from '../state.ts';

const MAX_ACTIVITIES = 1000;
const NUMERIC = [
  'distanceKm',
  'loadKg',
  'fuelL',
  'fuelKg',
  'energyKwh',
  'gasKwh',
  'productionUnits',
  'areaM2',
] as const;
const RANGE: Record<(typeof NUMERIC)[number], [number, string]> = {
  distanceKm: [20000, 'km'],
  loadKg: [60000, 'kg'],
  fuelL: [100000, 'L'],
  fuelKg: [100000, 'kg'],
  energyKwh: [1e8, 'kWh'],
  gasKwh: [1e8, 'kWh'],
  productionUnits: [1e9, 'units'],
  areaM2: [1e8, 'm²'],
};

type Input = Record<string, any>;
type FieldError = { field: string; reason: string };

function toActivity(a: Input): {
  activity?: ActivityData;
  country?: string | null;
  prefer?: 'activity';
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  const out: ActivityData = {
    eventType: String(a.eventType ?? 'TRANSPORT').toLowerCase() as ActivityData['eventType'],
  };
  for (const k of NUMERIC) {
    const v = a[k];
    if (v == null) continue;
    const [max, unit] = RANGE[k];
    if (!Number.isFinite(v) || v < 0 || v > max)
      errors.push({ field: k, reason: `must be between 0 and ${max} ${unit}` });
    else out[k] = v;
  }
  for (const k of ['vehicleType', 'fuelType'] as const) if (a[k] != null) out[k] = String(a[k]);
  if (a.refrigerated != null) out.refrigerated = !!a.refrigerated;
  if (a.region != null) {
    const r = String(a.region)
      .trim()
      .toUpperCase()
      .replace(/^GB$/, 'UK')
      .replace(/^EU27$/, 'EU');
    if (!(GRID_REGIONS as readonly string[]).includes(r))
      errors.push({ field: 'region', reason: `must be one of ${GRID_REGIONS.join(', ')}` });
    else out.region = r;
  }
  if (a.country != null && !/^[A-Za-z]{2}$/.test(String(a.country)))
    errors.push({ field: 'country', reason: 'must be an ISO 3166 alpha-2 code' });
  if (a.preferMethod != null && a.preferMethod !== 'ACTIVITY')
    errors.push({
      field: 'preferMethod',
      reason: 'only ACTIVITY can be preferred (measured fuel and energy are used when given)',
    });
  const transport = out.eventType === 'transport' || out.eventType === 'delivery';
  if (
    transport &&
    a.distanceKm == null &&
    out.fuelL === undefined &&
    out.fuelKg === undefined &&
    out.energyKwh === undefined
  )
    errors.push({ field: 'distanceKm', reason: 'required (or measured fuelL, fuelKg or energyKwh)' });
  return {
    activity: errors.length ? undefined : out,
    country: a.country ?? null,
    prefer: a.preferMethod === 'ACTIVITY' ? 'activity' : undefined,
    errors,
  };
}

export const estimateResolvers: Resolvers = {
  Query: {
    estimateEmissions(_p, { activities }) {
      if (activities.length > MAX_ACTIVITIES)
        throw badInput('activities', `at most ${MAX_ACTIVITIES} per call (got ${activities.length})`);
      return activities.map((raw, index) => {
        const empty = {
          index,
          factorSet: FACTOR_SET_VERSION,
          co2eKg: null,
          ttwKg: null,
          wttKg: null,
          tonneKm: null,
          method: null,
          boundary: null,
          factors: [],
          methodNote: null,
          vehicleClass: null,
          region: null,
        };
        const a = toActivity(raw as Input);
        if (!a.activity) return { ...empty, errors: a.errors };
        try {
          const r = estimate(a.activity, { supplierCountry: a.country, prefer: a.prefer });
          return {
            index,
            co2eKg: r.co2eKg,
            ttwKg: r.ttwKg,
            wttKg: r.wttKg,
            tonneKm: r.tonneKm,
            method: r.method.toUpperCase() as EmissionMethod,
            boundary: r.boundary,
            factors: r.factors.map((f) => ({ ...f, role: f.role.toUpperCase() })),
            methodNote: r.note,
            vehicleClass: r.vehicleClass,
            region: r.region,
            factorSet: FACTOR_SET_VERSION,
            errors: [],
          };
        } catch (err) {
          if (err instanceof EstimateError) return { ...empty, errors: [{ field: err.field, reason: err.reason }] };
          throw err;
        }
      });
    },
    vehicleClasses() {
      const km = (b: string) => factor(`desnz.hgv.${b}.laden-100.ttw`).value;
      const tkm = (b: string) => factor(`desnz.hgv.${b}.tkm-100.ttw`).value;
      return VEHICLE_CLASSES.map((c) => ({
        id: c.id,
        label: c.label,
        mode: c.mode,
        note: c.note ?? null,
        electric: !!c.electric,
        payloadKg: payloadKg(c, km, tkm),
      }));
    },
    async emissionRecalculation(_p, _a, ctx) {
      return (ctx.state as DataCoreState).recalc.progress();
    },
  },
  Mutation: {
    async recalculateEmissions(_p, _a, ctx) {
      const auth = requireRole(ctx.auth, 'admin');
      const state = ctx.state as DataCoreState;
      void state.recalc.start(); // tracked by the lifecycle: a stop waits for the batch in progress
      await ctx.services.audit({
        action: 'emissions.recalculate',
        entityType: 'emission_factors',
        entityId: 'factor-set',
        metadata: { by: auth.sub },
      });
      return state.recalc.progress();
    },
  },
};
