-- AlterTable
ALTER TABLE "alerts" ADD COLUMN     "backfill" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "hotspots" ADD COLUMN     "backfill" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "baseline_events" DOUBLE PRECISION,
ADD COLUMN     "baseline_method" TEXT;
