-- CreateTable
CREATE TABLE "history_retention" (
    "stream" TEXT NOT NULL,
    "pruned_through" BIGINT NOT NULL,
    "rows_pruned" BIGINT NOT NULL DEFAULT 0,
    "pruned_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "history_retention_pkey" PRIMARY KEY ("stream")
);
