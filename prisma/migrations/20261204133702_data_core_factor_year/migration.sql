-- AlterTable
ALTER TABLE "emission_factors" ADD COLUMN     "year" INTEGER;
