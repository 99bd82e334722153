// The platform's event catalogue: what plugins publish on the bus. Payloads are small signals;
// the durable fact is always in the publishing plugin's tables first (consumers re-read via GraphQL).
// Third-party plugins add topics by augmenting `BusTopics`:
//   declare module '@carbon-nexus/plugin-sdk' { interface BusTopics { 'acme.thing': { id: string } } }

export interface BusTopics {
  /** data-core: a batch of events was normalized. */
  'event.normalized': {
    ids: string[];
    supplierIds: string[];
    count: number;
    co2eKg: number;
    /** ISO timestamps of the earliest and latest event in the batch. */
    from: string;
    to: string;
  };
  /** data-core: an import job advanced. */
  'import.progress': {
    jobId: string;
    status: string;
    rowsTotal: number;
    rowsAccepted: number;
    rowsRejected: number;
    rowsDuplicate: number;
    bytesRead: number;
  };
  /** ml-engine: predictions were written. */
  'prediction.created': { ids: string[]; count: number; supplierIds: string[]; from: string; to: string };
  /** orchestration: a hotspot was created, escalated, updated or resolved. */
  'hotspot.changed': {
    id: string;
    change: 'created' | 'escalated' | 'updated' | 'resolved' | 'acknowledged';
    severity: string;
    supplierId: string | null;
    entityType: string;
    entityId: string;
  };
  /** orchestration: an alert row was inserted (seq is its resume cursor). */
  'alert.raised': { id: string; seq: string; hotspotId: string; level: string; supplierId: string | null };
  /** recommendations. */
  'recommendation.created': { id: string; hotspotId: string; supplierId: string | null };
  'recommendation.updated': { id: string; hotspotId: string; status: string; supplierId: string | null };
  /** data-quality. */
  'quality.updated': { supplierIds: string[]; from: string; to: string };
  /** a pulse of current emissions (data-core publishes on each normalized batch). */
  'emissions.pulse': { at: string };
}

export type Topic = keyof BusTopics & string;
