-- DropIndex
DROP INDEX "predictions_supplier_id_timestamp_idx";

-- CreateIndex (edited: NULLS LAST, the order of Supplier.predictions; Prisma's schema cannot say it, and its diff
-- does not compare it). Without it each supplier's predictions were all read and sorted to return the latest N.
CREATE INDEX "predictions_supplier_latest_idx" ON "predictions"("supplier_id", "timestamp" DESC NULLS LAST, "created_at" DESC);
