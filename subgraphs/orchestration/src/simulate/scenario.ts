// What-if: a basis of activities (a supplier's recent events, a hotspot's events, or explicit activities), changed
// as asked (vehicle, fuel, load, distance, load factor, modal shift), recomputed with data-core's method engine
// (estimateEmissions) — the same factors and hierarchy that produced every stored figure. Nothing is modelled here.
//
// How "after" is reached, per basis event with stored figure B:
//  - to a battery-electric vehicle: the class's kWh/km × the grid of the supplier's region (direct; the diesel
//    truck's measured litres say nothing about an electric one);
//  - otherwise: B × A(changed) / A(original), A = the ACTIVITY estimate of each — a measured figure keeps its
//    measurement and moves by what the method engine says the change does (an ACTIVITY figure simply becomes
//    A(changed), since A(original) = B).
//  - road → rail: the shifted share of t·km at the rail factor (full WTW), the rest as above.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';
import type { OrchestrationConfig } from '../config.ts';
import { estimateEmissions, vehicleClasses } from '../datacore.ts';
import {
  changeActivities,
  checkRoadOnlyChanges,
  estimateRequests,
  outcome,
  scenarioItems,
  side,
  targetFuel,
  targetVehicle,
  validateInput,
  type SimulationInput,
  type SimulationOutcome,
} from '../domain/scenario.ts';
import { basisFromActivities, basisFromEvents } from './basis.ts';

export type { SimulationInput, SimulationOutcome } from '../domain/scenario.ts';

export async function simulate(
  services: PluginServices<OrchestrationConfig>,
  input: SimulationInput,
  now = new Date(),
  canSee: (supplierId: string) => boolean = () => true,
): Promise<SimulationOutcome> {
  validateInput(input);
  const fuel = targetFuel(input);
  const targets = targetVehicle(input, fuel, await vehicleClasses(services));
  const basis = input.activities?.length
    ? await basisFromActivities(services, input)
    : await basisFromEvents(services, input, now, canSee);
  checkRoadOnlyChanges(input, targets, basis.activity);
  const changed = changeActivities(input, basis, targets);
  const est = await estimateEmissions(services, estimateRequests(basis, changed));
  const after = side(scenarioItems(input, basis, changed, targets, est));
  return outcome(input, basis, changed, after, est[0]?.factorSet ?? null);
}
