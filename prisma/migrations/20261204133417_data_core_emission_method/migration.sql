-- AlterTable
ALTER TABLE "events_normalized" ADD COLUMN     "factor_boundary" TEXT,
ADD COLUMN     "factor_set" TEXT,
ADD COLUMN     "factors" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "method" TEXT,
ADD COLUMN     "method_note" TEXT,
ADD COLUMN     "ttw_kg" DOUBLE PRECISION,
ADD COLUMN     "wtt_kg" DOUBLE PRECISION,
ALTER COLUMN "co2e_kg" DROP NOT NULL;
