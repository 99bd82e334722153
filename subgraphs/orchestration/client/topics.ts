// orchestration's bus topics (both durable: written to the outbox in the transaction of the data).
import { topicsOf } from '@carbon-nexus/plugin-sdk/contract';

const topic = topicsOf('orchestration');

/** A hotspot was created, escalated, updated, acknowledged or resolved. */
export type HotspotChanged = {
  id: string;
  change: 'created' | 'escalated' | 'updated' | 'resolved' | 'acknowledged';
  severity: string;
  supplierId: string | null;
  entityType: string;
  entityId: string;
  /** The change came from detection over a past window (backfill); absent from older producers = live. */
  backfill?: boolean;
  /**
   * The change's sequence number in orchestration's hotspot change log (its hotspotDetected resume cursor, a
   * non-negative integer string). Absent from older producers, which logged no change.
   */
  seq?: string;
};
export const hotspotChanged = topic<HotspotChanged>('hotspot.changed');

/** An alert row was inserted (seq is its resume cursor). */
export type AlertRaised = {
  id: string;
  seq: string;
  hotspotId: string;
  level: string;
  supplierId: string | null;
  /** Raised by detection over a past window (backfill), not by a live cycle; absent from older producers = live. */
  backfill?: boolean;
};
export const alertRaised = topic<AlertRaised>('alert.raised');
