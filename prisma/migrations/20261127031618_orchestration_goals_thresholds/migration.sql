-- CreateTable
CREATE TABLE "goals" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "scope_key" TEXT NOT NULL DEFAULT '',
    "period" TEXT NOT NULL,
    "target_kg" DOUBLE PRECISION,
    "reduction_pct" DOUBLE PRECISION,
    "created_by" TEXT,
    "updated_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "goals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "hotspot_thresholds" (
    "entity_type" TEXT NOT NULL,
    "info" DOUBLE PRECISION NOT NULL,
    "warn" DOUBLE PRECISION NOT NULL,
    "critical" DOUBLE PRECISION NOT NULL,
    "updated_by" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "hotspot_thresholds_pkey" PRIMARY KEY ("entity_type")
);

-- CreateIndex
CREATE UNIQUE INDEX "goals_scope_scope_key_period_key" ON "goals"("scope", "scope_key", "period");
