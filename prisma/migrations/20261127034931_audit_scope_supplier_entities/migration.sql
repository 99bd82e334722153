-- Audit entries about a supplier itself (entity_type 'supplier', e.g. supplier.update) are in that supplier's
-- scope too, as the auditLog resolver already treats them.
DROP POLICY IF EXISTS supplier_scope_read ON "audit_logs";
CREATE POLICY supplier_scope_read ON "audit_logs" FOR SELECT TO cn_supplier_scope
  USING ("metadata"->>'supplierId' = ANY (cn_scope_supplier_ids()::text[])
         OR ("entity_type" = 'supplier' AND "entity_id" = ANY (cn_scope_supplier_ids()::text[])));
