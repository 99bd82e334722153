-- AlterTable
ALTER TABLE "baselines" ADD COLUMN     "spread" DOUBLE PRECISION;

-- AlterTable
ALTER TABLE "detection_runs" ADD COLUMN     "suppressed" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "hotspot_thresholds" ADD COLUMN     "min_events" INTEGER,
ADD COLUMN     "noise_sigmas" DOUBLE PRECISION;

-- AlterTable
ALTER TABLE "hotspots" ADD COLUMN     "baseline_spread" DOUBLE PRECISION,
ADD COLUMN     "event_count" INTEGER;

-- CreateIndex
CREATE INDEX "hotspots_entity_type_entity_id_window_end_idx" ON "hotspots"("entity_type", "entity_id", "window_end");
