-- AlterTable
ALTER TABLE "job_runs" DROP CONSTRAINT "job_runs_pkey",
ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "plugin" TEXT NOT NULL DEFAULT 'platform',
ADD CONSTRAINT "job_runs_pkey" PRIMARY KEY ("plugin", "job", "scheduled_at");
