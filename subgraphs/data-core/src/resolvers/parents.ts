// What the resolvers of these GraphQL types receive as their parent (codegen maps `<Type>Parent` here).
import type { ImportRowError } from '../generated/resolvers-types.ts';

/** An import job row as toImportJob shapes it: errors and rejectedRows are resolved from its id and sample. */
export type ImportJobParent = {
  id: string;
  kind: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'INTERRUPTED';
  source: string | null;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowsDuplicate: number;
  bytesRead: number;
  error: string | null;
  /** The first 1000 row errors, stored with the job. */
  errorSample: ImportRowError[];
  startedAt: string;
  finishedAt: string | null;
};

/** An event (this subgraph's entity) as toEvent shapes it: Event.supplier is loaded from supplierId. */
export type EventParent = { id: string; supplierId: string };
