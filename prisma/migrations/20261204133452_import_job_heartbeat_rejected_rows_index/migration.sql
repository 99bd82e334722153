-- DropIndex
DROP INDEX "events_raw_import_job_id_idx";

-- AlterTable
ALTER TABLE "import_jobs" ADD COLUMN     "heartbeat_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "events_raw_import_job_id_quality_status_row_number_idx" ON "events_raw"("import_job_id", "quality_status", "row_number");
