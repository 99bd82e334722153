// data-core's bus topics. Payloads are small signals: the facts are in data-core's tables (read them through its API).
import { topicsOf } from '@carbon-nexus/plugin-sdk/contract';

const topic = topicsOf('data-core');

/** A batch of events was normalized and stored. */
export type EventNormalized = {
  ids: string[];
  supplierIds: string[];
  count: number;
  co2eKg: number;
  /** ISO timestamps of the earliest and latest event in the batch. */
  from: string;
  to: string;
};
export const eventNormalized = topic<EventNormalized>('event.normalized');

/** An import job advanced. */
export type ImportProgress = {
  jobId: string;
  status: string;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowsDuplicate: number;
  bytesRead: number;
};
export const importProgress = topic<ImportProgress>('import.progress');

/** A pulse of current emissions (published on each normalized batch and when MODEL figures arrive). */
export type EmissionsPulse = {
  at: string;
};
export const emissionsPulse = topic<EmissionsPulse>('emissions.pulse');
