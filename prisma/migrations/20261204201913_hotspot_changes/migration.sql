-- CreateTable
CREATE TABLE "hotspot_changes" (
    "seq" BIGSERIAL NOT NULL,
    "hotspot_id" UUID NOT NULL,
    "change" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "supplier_id" UUID,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "hotspot_changes_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "hotspot_changes_supplier_id_seq_idx" ON "hotspot_changes"("supplier_id", "seq");

-- Hand-written (Prisma does not model policies): supplier row-level security as in
-- 20261127031651_supplier_row_level_security — a supplier-scoped caller reads and writes only its suppliers' changes.
ALTER TABLE "hotspot_changes" ENABLE ROW LEVEL SECURITY;
CREATE POLICY supplier_scope ON "hotspot_changes" TO cn_supplier_scope
  USING ("supplier_id" = ANY (cn_scope_supplier_ids()));
