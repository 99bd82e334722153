import { createSubgraphTestkit, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';
import type { TestDatabaseTarget } from '@carbon-nexus/db';
import plugin from '../src/plugin.ts';

export { plugin };

export async function kitFor(target: TestDatabaseTarget): Promise<SubgraphTestkit> {
  return createSubgraphTestkit(plugin, { target, env: { ...process.env, BUS_URL: undefined, REDIS_URL: undefined } });
}

export const CREATE = `mutation($input: SupplierInput!) { createSupplier(input: $input) { id name category country externalId } }`;

export async function supplier(kit: SubgraphTestkit, input: Record<string, unknown>): Promise<string> {
  const r = await kit.query<{ createSupplier: { id: string } }>(CREATE, { input });
  return r.createSupplier.id;
}

export const INGEST = `mutation($events: [EventInput!]!) { ingestEvents(events: $events) {
  accepted rejected duplicates results { index status eventId errors { field reason } } } }`;

export async function ingest(kit: SubgraphTestkit, events: Record<string, unknown>[], auth?: any) {
  const r = await kit.query<{ ingestEvents: any }>(INGEST, { events }, auth === undefined ? undefined : { auth });
  return r.ingestEvents as {
    accepted: number;
    rejected: number;
    duplicates: number;
    results: { index: number; status: string; eventId: string | null; errors: { field: string; reason: string }[] }[];
  };
}

/** An hour-aligned time in the recent past (events may not be in the future). */
export function hoursAgo(h: number, minute = 0): string {
  const base = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  return new Date(base - h * 3_600_000 + minute * 60_000).toISOString();
}
