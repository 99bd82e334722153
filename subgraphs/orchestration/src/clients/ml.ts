// ml-engine through its GraphQL API (services.call): prediction aggregates and predictions.
import type { PluginServices } from '@carbon-nexus/plugin-sdk';

export interface AggregateRow {
  bucketStart: string;
  key: string;
  /** kg CO2e */
  co2eKg: number;
  count: number;
}

export type AggregateGroup = 'SUPPLIER' | 'EVENT_TYPE' | 'ROUTE' | 'NONE';

export const GROUP_OF_ENTITY: Record<string, AggregateGroup> = { supplier: 'SUPPLIER', event_type: 'EVENT_TYPE', route: 'ROUTE', total: 'NONE' };

// Enum and scalar type names are ml-engine's; literals keep this call independent of them.
function aggregatesDoc(from: Date, to: Date, bucket: 'HOUR' | 'DAY', groupBy: AggregateGroup): string {
  return `query OrchestrationAggregates { predictionAggregates(from: ${JSON.stringify(from.toISOString())}, to: ${JSON.stringify(
    to.toISOString(),
  )}, bucket: ${bucket}, groupBy: ${groupBy}) { bucketStart key co2eKg count } }`;
}

export async function predictionAggregates(
  services: PluginServices<any>,
  from: Date,
  to: Date,
  bucket: 'HOUR' | 'DAY',
  groupBy: AggregateGroup,
): Promise<AggregateRow[]> {
  const data = await services.call<{ predictionAggregates: AggregateRow[] }>('ml-engine', aggregatesDoc(from, to, bucket, groupBy));
  return data.predictionAggregates;
}
