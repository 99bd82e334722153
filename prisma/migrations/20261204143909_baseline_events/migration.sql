-- AlterTable
ALTER TABLE "baselines" ADD COLUMN     "events" DOUBLE PRECISION;
