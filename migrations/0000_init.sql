CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"owner" text NOT NULL,
	"scopes" text[] NOT NULL,
	"secret_hash" text NOT NULL,
	"previous_secret_hash" text,
	"previous_secret_expires_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"rotated_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"action" text NOT NULL,
	"resource_type" text,
	"resource_id" text,
	"outcome" text NOT NULL,
	"client_ip" text,
	"request_id" text,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "fax_jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"api_key_id" text NOT NULL,
	"to_number" text NOT NULL,
	"header_text" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"backend" text NOT NULL,
	"site" text,
	"agent_id" text,
	"provider_ref" text,
	"pages" integer,
	"source_type" text NOT NULL,
	"document_key" text NOT NULL,
	"document_sha256" text NOT NULL,
	"document_bytes" integer NOT NULL,
	"document_deleted_at" timestamp with time zone,
	"idempotency_key" text,
	"request_hash" text,
	"failure_reason" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"dialed_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"canceled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fax_jobs_status_check" CHECK ("fax_jobs"."status" in ('queued', 'in_progress', 'success', 'failed', 'canceled'))
);
--> statement-breakpoint
CREATE INDEX "api_keys_owner_idx" ON "api_keys" USING btree ("owner");--> statement-breakpoint
CREATE INDEX "audit_events_occurred_idx" ON "audit_events" USING btree ("occurred_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_events_resource_idx" ON "audit_events" USING btree ("resource_type","resource_id");--> statement-breakpoint
CREATE UNIQUE INDEX "fax_jobs_owner_idempotency_key_uq" ON "fax_jobs" USING btree ("owner","idempotency_key") WHERE "fax_jobs"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "fax_jobs_owner_created_idx" ON "fax_jobs" USING btree ("owner","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "fax_jobs_created_idx" ON "fax_jobs" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "fax_jobs_status_idx" ON "fax_jobs" USING btree ("status");