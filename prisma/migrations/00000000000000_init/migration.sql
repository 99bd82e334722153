-- CreateTable
CREATE TABLE "suppliers" (
    "id" UUID NOT NULL,
    "external_id" TEXT,
    "name" TEXT NOT NULL,
    "category" TEXT NOT NULL DEFAULT 'transport',
    "location" JSONB NOT NULL DEFAULT '{}',
    "country" TEXT,
    "fleet_info" JSONB NOT NULL DEFAULT '{}',
    "baseline_emission" DOUBLE PRECISION,
    "last_seen_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "suppliers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events_raw" (
    "id" UUID NOT NULL,
    "supplier_id" UUID,
    "external_id" TEXT,
    "content_hash" TEXT NOT NULL,
    "event_type" TEXT,
    "timestamp" TIMESTAMPTZ(3),
    "payload" JSONB NOT NULL,
    "data_source" TEXT NOT NULL,
    "quality_status" TEXT NOT NULL,
    "errors" JSONB,
    "import_job_id" UUID,
    "row_number" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_raw_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events_normalized" (
    "id" UUID NOT NULL,
    "raw_id" UUID NOT NULL,
    "external_id" TEXT,
    "event_type" TEXT NOT NULL,
    "supplier_id" UUID NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,
    "distance_km" DOUBLE PRECISION,
    "load_kg" DOUBLE PRECISION,
    "vehicle_type" TEXT,
    "fuel_type" TEXT,
    "speed_kmh" DOUBLE PRECISION,
    "fuel_l" DOUBLE PRECISION,
    "energy_kwh" DOUBLE PRECISION,
    "route" TEXT,
    "facility_id" TEXT,
    "region" TEXT,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "co2e_kg" DOUBLE PRECISION NOT NULL,
    "tonne_km" DOUBLE PRECISION,
    "factor_id" TEXT NOT NULL,
    "factor_version" TEXT NOT NULL,
    "factor_source" TEXT NOT NULL,
    "data_source" TEXT NOT NULL,
    "quality_status" TEXT NOT NULL,
    "quality_reason" TEXT,
    "confidence" DOUBLE PRECISION,
    "predicted_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_normalized_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "emission_factors" (
    "id" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "activity" TEXT NOT NULL,
    "unit" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "boundary" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "region" TEXT,
    "valid_from" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "emission_factors_pkey" PRIMARY KEY ("id","version")
);

-- CreateTable
CREATE TABLE "import_jobs" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "source" TEXT,
    "rows_total" INTEGER NOT NULL DEFAULT 0,
    "rows_accepted" INTEGER NOT NULL DEFAULT 0,
    "rows_rejected" INTEGER NOT NULL DEFAULT 0,
    "rows_duplicate" INTEGER NOT NULL DEFAULT 0,
    "bytes_read" BIGINT NOT NULL DEFAULT 0,
    "error" TEXT,
    "error_sample" JSONB NOT NULL DEFAULT '[]',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "user_id" TEXT,
    "checkpoint" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "import_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "data_quality" (
    "id" UUID NOT NULL,
    "supplier_id" UUID NOT NULL,
    "granularity" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "expected_count" DOUBLE PRECISION NOT NULL,
    "real_count" INTEGER NOT NULL,
    "predicted_count" INTEGER NOT NULL,
    "completeness_pct" DOUBLE PRECISION NOT NULL,
    "predicted_pct" DOUBLE PRECISION NOT NULL,
    "anomalies_count" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "data_quality_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "data_quality_flags" (
    "id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "supplier_id" UUID NOT NULL,
    "event_timestamp" TIMESTAMPTZ(3) NOT NULL,
    "method" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "value" DOUBLE PRECISION,
    "lower_fence" DOUBLE PRECISION,
    "upper_fence" DOUBLE PRECISION,
    "reason" TEXT NOT NULL,
    "synced_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "data_quality_flags_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gap_fills" (
    "id" UUID NOT NULL,
    "supplier_id" UUID NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "expected_count" DOUBLE PRECISION NOT NULL,
    "co2e_kg" DOUBLE PRECISION,
    "confidence" DOUBLE PRECISION,
    "predicted_by" TEXT,
    "event_id" UUID,
    "status" TEXT NOT NULL DEFAULT 'filled',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gap_fills_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "supplier_cadence" (
    "supplier_id" UUID NOT NULL,
    "learned_per_hour" DOUBLE PRECISION,
    "learned_from_hours" INTEGER NOT NULL DEFAULT 0,
    "active_hours_of_day" INTEGER[],
    "learned_at" TIMESTAMPTZ(3),
    "override_per_hour" DOUBLE PRECISION,
    "override_by" TEXT,
    "override_at" TIMESTAMPTZ(3),

    CONSTRAINT "supplier_cadence_pkey" PRIMARY KEY ("supplier_id")
);

-- CreateTable
CREATE TABLE "data_quality_settings" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_by" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "data_quality_settings_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "predictions" (
    "id" UUID NOT NULL,
    "model" TEXT NOT NULL,
    "model_version" TEXT NOT NULL,
    "input_hash" TEXT NOT NULL,
    "event_id" UUID,
    "supplier_id" UUID,
    "event_type" TEXT,
    "entity_type" TEXT,
    "entity_id" TEXT,
    "route" TEXT,
    "timestamp" TIMESTAMPTZ(3),
    "output_co2_kg" DOUBLE PRECISION NOT NULL,
    "lower" DOUBLE PRECISION,
    "upper" DOUBLE PRECISION,
    "confidence" DOUBLE PRECISION,
    "feature_importance" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "predictions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "forecasts" (
    "id" UUID NOT NULL,
    "model" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "horizon_hours" INTEGER NOT NULL,
    "series" JSONB NOT NULL,
    "metrics" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "forecasts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "baselines" (
    "id" UUID NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "hour_of_week" INTEGER NOT NULL DEFAULT -1,
    "value" DOUBLE PRECISION NOT NULL,
    "method" TEXT NOT NULL,
    "samples" INTEGER NOT NULL DEFAULT 0,
    "window_start" TIMESTAMPTZ(3),
    "window_end" TIMESTAMPTZ(3),
    "is_override" BOOLEAN NOT NULL DEFAULT false,
    "reason" TEXT,
    "created_by" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "baselines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "hotspots" (
    "id" UUID NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "entity_name" TEXT,
    "supplier_id" UUID,
    "metric_value" DOUBLE PRECISION NOT NULL,
    "baseline" DOUBLE PRECISION NOT NULL,
    "percent_above" DOUBLE PRECISION NOT NULL,
    "severity" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "detected_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),
    "acknowledged_by" TEXT,
    "acknowledged_at" TIMESTAMPTZ(3),

    CONSTRAINT "hotspots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alerts" (
    "seq" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "hotspot_id" UUID NOT NULL,
    "supplier_id" UUID,
    "level" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT 'created',
    "percent_above" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "message" TEXT NOT NULL,
    "acknowledged_by" TEXT,
    "acknowledged_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scenarios" (
    "id" UUID NOT NULL,
    "user_id" TEXT,
    "supplier_id" UUID,
    "input" JSONB NOT NULL,
    "result" JSONB NOT NULL,
    "baseline_value" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "new_value" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scenarios_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "detection_runs" (
    "id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "entities_evaluated" INTEGER NOT NULL,
    "created" INTEGER NOT NULL,
    "escalated" INTEGER NOT NULL,
    "updated" INTEGER NOT NULL,
    "resolved" INTEGER NOT NULL,
    "alerts_raised" INTEGER NOT NULL,
    "duration_ms" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "detection_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_logs" (
    "id" UUID NOT NULL,
    "user_id" TEXT,
    "plugin" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT,
    "entity_id" TEXT,
    "correlation_id" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_runs" (
    "job" TEXT NOT NULL,
    "scheduled_at" TIMESTAMPTZ(3) NOT NULL,
    "runner" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL DEFAULT 'running',
    "error" TEXT,

    CONSTRAINT "job_runs_pkey" PRIMARY KEY ("job","scheduled_at")
);

-- CreateTable
CREATE TABLE "outbox_events" (
    "id" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recommendations" (
    "id" UUID NOT NULL,
    "hotspot_id" UUID NOT NULL,
    "supplier_id" UUID,
    "action_key" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "root_cause" TEXT,
    "co2_impact" DOUBLE PRECISION NOT NULL,
    "cost_estimate" DOUBLE PRECISION,
    "cost_level" TEXT,
    "feasibility_score" DOUBLE PRECISION,
    "confidence" DOUBLE PRECISION,
    "rank" INTEGER NOT NULL DEFAULT 0,
    "score" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "source" TEXT NOT NULL,
    "source_ref" TEXT,
    "measure_id" TEXT,
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'open',
    "history" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "recommendations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recommendation_runs" (
    "id" UUID NOT NULL,
    "hotspot_id" UUID NOT NULL,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "source" TEXT,
    "created" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "recommendation_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhooks" (
    "id" UUID NOT NULL,
    "owner_sub" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[],
    "min_level" TEXT NOT NULL DEFAULT 'info',
    "supplier_ids" TEXT[],
    "description" TEXT,
    "secret" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "seq" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "webhook_id" UUID NOT NULL,
    "event_type" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "event_cursor" TEXT,
    "signal" JSONB NOT NULL,
    "body" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) DEFAULT CURRENT_TIMESTAMP,
    "locked_until" TIMESTAMPTZ(3),
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_attempts" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "status_code" INTEGER,
    "error" TEXT,
    "duration_ms" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "suppliers_external_id_key" ON "suppliers"("external_id");

-- CreateIndex
CREATE INDEX "suppliers_name_idx" ON "suppliers"("name");

-- CreateIndex
CREATE INDEX "suppliers_category_idx" ON "suppliers"("category");

-- CreateIndex
CREATE INDEX "suppliers_created_at_idx" ON "suppliers"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "events_raw_content_hash_key" ON "events_raw"("content_hash");

-- CreateIndex
CREATE INDEX "events_raw_import_job_id_idx" ON "events_raw"("import_job_id");

-- CreateIndex
CREATE INDEX "events_normalized_timestamp_idx" ON "events_normalized"("timestamp");

-- CreateIndex
CREATE INDEX "events_normalized_supplier_id_timestamp_idx" ON "events_normalized"("supplier_id", "timestamp");

-- CreateIndex
CREATE INDEX "events_normalized_event_type_timestamp_idx" ON "events_normalized"("event_type", "timestamp");

-- CreateIndex
CREATE INDEX "import_jobs_started_at_idx" ON "import_jobs"("started_at");

-- CreateIndex
CREATE INDEX "data_quality_granularity_window_start_idx" ON "data_quality"("granularity", "window_start");

-- CreateIndex
CREATE UNIQUE INDEX "data_quality_supplier_id_granularity_window_start_key" ON "data_quality"("supplier_id", "granularity", "window_start");

-- CreateIndex
CREATE INDEX "data_quality_flags_supplier_id_event_timestamp_idx" ON "data_quality_flags"("supplier_id", "event_timestamp");

-- CreateIndex
CREATE INDEX "data_quality_flags_event_timestamp_idx" ON "data_quality_flags"("event_timestamp");

-- CreateIndex
CREATE UNIQUE INDEX "data_quality_flags_event_id_method_metric_key" ON "data_quality_flags"("event_id", "method", "metric");

-- CreateIndex
CREATE INDEX "gap_fills_window_start_idx" ON "gap_fills"("window_start");

-- CreateIndex
CREATE UNIQUE INDEX "gap_fills_supplier_id_window_start_key" ON "gap_fills"("supplier_id", "window_start");

-- CreateIndex
CREATE INDEX "predictions_created_at_idx" ON "predictions"("created_at");

-- CreateIndex
CREATE INDEX "predictions_timestamp_idx" ON "predictions"("timestamp");

-- CreateIndex
CREATE INDEX "predictions_supplier_id_timestamp_idx" ON "predictions"("supplier_id", "timestamp");

-- CreateIndex
CREATE INDEX "predictions_agg_cover_idx" ON "predictions"("timestamp", "supplier_id", "output_co2_kg");

-- CreateIndex
CREATE INDEX "predictions_event_type_timestamp_idx" ON "predictions"("event_type", "timestamp");

-- CreateIndex
CREATE INDEX "predictions_route_timestamp_idx" ON "predictions"("route", "timestamp");

-- CreateIndex
CREATE INDEX "predictions_event_id_idx" ON "predictions"("event_id");

-- CreateIndex
CREATE UNIQUE INDEX "predictions_model_model_version_input_hash_key" ON "predictions"("model", "model_version", "input_hash");

-- CreateIndex
CREATE INDEX "forecasts_entity_type_entity_id_created_at_idx" ON "forecasts"("entity_type", "entity_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "baselines_entity_type_entity_id_hour_of_week_is_override_key" ON "baselines"("entity_type", "entity_id", "hour_of_week", "is_override");

-- CreateIndex
CREATE INDEX "hotspots_status_severity_idx" ON "hotspots"("status", "severity");

-- CreateIndex
CREATE INDEX "hotspots_entity_type_entity_id_status_idx" ON "hotspots"("entity_type", "entity_id", "status");

-- CreateIndex
CREATE INDEX "hotspots_supplier_id_status_idx" ON "hotspots"("supplier_id", "status");

-- CreateIndex
CREATE INDEX "hotspots_detected_at_idx" ON "hotspots"("detected_at");

-- CreateIndex
CREATE UNIQUE INDEX "alerts_seq_key" ON "alerts"("seq");

-- CreateIndex
CREATE INDEX "alerts_hotspot_id_idx" ON "alerts"("hotspot_id");

-- CreateIndex
CREATE INDEX "alerts_supplier_id_seq_idx" ON "alerts"("supplier_id", "seq");

-- CreateIndex
CREATE INDEX "alerts_created_at_idx" ON "alerts"("created_at");

-- CreateIndex
CREATE INDEX "scenarios_supplier_id_created_at_idx" ON "scenarios"("supplier_id", "created_at");

-- CreateIndex
CREATE INDEX "detection_runs_window_end_idx" ON "detection_runs"("window_end");

-- CreateIndex
CREATE INDEX "audit_logs_created_at_idx" ON "audit_logs"("created_at");

-- CreateIndex
CREATE INDEX "audit_logs_entity_type_entity_id_idx" ON "audit_logs"("entity_type", "entity_id");

-- CreateIndex
CREATE INDEX "outbox_events_published_at_id_idx" ON "outbox_events"("published_at", "id");

-- CreateIndex
CREATE INDEX "recommendations_status_score_idx" ON "recommendations"("status", "score");

-- CreateIndex
CREATE INDEX "recommendations_supplier_id_status_idx" ON "recommendations"("supplier_id", "status");

-- CreateIndex
CREATE INDEX "recommendations_created_at_idx" ON "recommendations"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "recommendations_hotspot_id_action_key_key" ON "recommendations"("hotspot_id", "action_key");

-- CreateIndex
CREATE INDEX "recommendation_runs_status_started_at_idx" ON "recommendation_runs"("status", "started_at");

-- CreateIndex
CREATE UNIQUE INDEX "recommendation_runs_hotspot_id_trigger_key" ON "recommendation_runs"("hotspot_id", "trigger");

-- CreateIndex
CREATE INDEX "webhooks_owner_sub_idx" ON "webhooks"("owner_sub");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_seq_key" ON "webhook_deliveries"("seq");

-- CreateIndex
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_webhook_id_seq_idx" ON "webhook_deliveries"("webhook_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_webhook_id_event_type_event_id_key" ON "webhook_deliveries"("webhook_id", "event_type", "event_id");

-- CreateIndex
CREATE INDEX "webhook_attempts_delivery_id_attempt_idx" ON "webhook_attempts"("delivery_id", "attempt");
