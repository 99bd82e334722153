import type { SqlQueryable } from '@carbon-nexus/db';
import { currentScope } from '../context.ts';

export interface AuditEntry {
  action: string;
  entityType?: string;
  entityId?: string;
  metadata?: Record<string, unknown>;
}

/** Writes one audit_logs row per user action, with the caller and correlation id. */
export type AuditWriter = (entry: AuditEntry, tx?: SqlQueryable) => Promise<void>;

export function createAuditWriter(db: SqlQueryable, plugin: string): AuditWriter {
  return async (entry, tx) => {
    const scope = currentScope();
    await (tx ?? db).query(
      `INSERT INTO audit_logs (id, user_id, plugin, action, entity_type, entity_id, correlation_id, metadata)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7)`,
      [
        scope?.auth?.sub ?? null,
        plugin,
        entry.action,
        entry.entityType ?? null,
        entry.entityId ?? null,
        scope?.correlationId ?? null,
        JSON.stringify(entry.metadata ?? {}),
      ],
    );
  };
}
