-- AlterTable
ALTER TABLE "webhook_deliveries" ADD COLUMN     "claim" UUID;
