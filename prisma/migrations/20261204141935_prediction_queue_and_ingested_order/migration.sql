-- CreateTable
CREATE TABLE "ml_pending_events" (
    "event_id" UUID NOT NULL,
    "correlation_id" TEXT,
    "traceparent" TEXT,
    "enqueued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "available_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "ml_pending_events_pkey" PRIMARY KEY ("event_id")
);

-- CreateTable
CREATE TABLE "ml_pipeline_markers" (
    "name" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ml_pipeline_markers_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "ml_pending_events_available_at_idx" ON "ml_pending_events"("available_at");

-- CreateIndex
CREATE INDEX "events_normalized_created_at_id_idx" ON "events_normalized"("created_at", "id");
