-- Supplier row-level security (issue 11). Hand-written: Prisma does not model roles or policies.
-- Supplier-scoped callers' statements run as the NOLOGIN role cn_supplier_scope with their supplier ids in the
-- transaction-local setting cn.supplier_ids (prisma/src/row-scope.ts sets both). The policies below apply only to
-- that role: the connection's own role (table owner / superuser) is unaffected, so system jobs and admins see all.

-- Roles are cluster-wide: another database on the same server may have created it already (or be doing so now).
DO $$ BEGIN
  CREATE ROLE cn_supplier_scope NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

-- A non-superuser connection role must be a member to switch to it; superusers may switch anyway.
DO $$ BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT cn_supplier_scope TO %I', current_user);
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

GRANT USAGE ON SCHEMA public TO cn_supplier_scope;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO cn_supplier_scope;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO cn_supplier_scope;
-- Tables added by later migrations (run by the same role) are usable by scoped callers too; a new supplier-owned
-- table must add its own policy below's way.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cn_supplier_scope;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO cn_supplier_scope;

-- The caller's supplier ids; empty (sees nothing) when the setting is missing.
CREATE OR REPLACE FUNCTION cn_scope_supplier_ids() RETURNS uuid[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(string_to_array(nullif(current_setting('cn.supplier_ids', true), ''), ',')::uuid[], '{}'::uuid[])
$$;

ALTER TABLE "suppliers" ENABLE ROW LEVEL SECURITY;
CREATE POLICY supplier_scope ON "suppliers" TO cn_supplier_scope
  USING ("id" = ANY (cn_scope_supplier_ids()));

-- Rows that belong to one supplier: visible and writable only within the scope (rows without a supplier are
-- cross-supplier aggregates or unattributed input and stay hidden from scoped callers).
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['events_normalized', 'data_quality', 'data_quality_flags', 'gap_fills',
                           'supplier_cadence', 'predictions', 'hotspots', 'alerts', 'scenarios', 'recommendations']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY supplier_scope ON %I TO cn_supplier_scope USING ("supplier_id" = ANY (cn_scope_supplier_ids()))', t);
  END LOOP;
END $$;

-- Raw input: a scoped sender's rejected rows for suppliers outside its scope are kept unattributed (supplier_id
-- NULL) for the audit trail; it may write them but never read them back.
ALTER TABLE "events_raw" ENABLE ROW LEVEL SECURITY;
CREATE POLICY supplier_scope ON "events_raw" TO cn_supplier_scope
  USING ("supplier_id" = ANY (cn_scope_supplier_ids()));
CREATE POLICY supplier_scope_unattributed ON "events_raw" FOR INSERT TO cn_supplier_scope
  WITH CHECK ("supplier_id" IS NULL);

-- Per-entity series: only a supplier's own baseline and forecast are visible; route/category/total series are
-- computed across suppliers and stay hidden.
ALTER TABLE "baselines" ENABLE ROW LEVEL SECURITY;
CREATE POLICY supplier_scope ON "baselines" TO cn_supplier_scope
  USING ("entity_type" = 'supplier' AND "entity_id" = ANY (cn_scope_supplier_ids()::text[]));
ALTER TABLE "forecasts" ENABLE ROW LEVEL SECURITY;
CREATE POLICY supplier_scope ON "forecasts" TO cn_supplier_scope
  USING ("entity_type" = 'supplier' AND "entity_id" = ANY (cn_scope_supplier_ids()::text[]));

-- Audit entries: a scoped caller reads only entries about its suppliers, and may always leave its own entries.
ALTER TABLE "audit_logs" ENABLE ROW LEVEL SECURITY;
CREATE POLICY supplier_scope_read ON "audit_logs" FOR SELECT TO cn_supplier_scope
  USING ("metadata"->>'supplierId' = ANY (cn_scope_supplier_ids()::text[]));
CREATE POLICY supplier_scope_write ON "audit_logs" FOR INSERT TO cn_supplier_scope WITH CHECK (true);
