CREATE TABLE "agent_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"agent_id" text NOT NULL,
	"secret_hash" text NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agents" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"site" text,
	"max_channels" integer DEFAULT 2 NOT NULL,
	"connected" boolean DEFAULT false NOT NULL,
	"version" text,
	"last_seen_at" timestamp with time zone,
	"disabled_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbound_faxes" (
	"id" text PRIMARY KEY NOT NULL,
	"owner" text,
	"agent_id" text NOT NULL,
	"uniqueid" text NOT NULL,
	"from_number" text,
	"to_number" text,
	"pages" integer,
	"remote_station_id" text,
	"received_at" timestamp with time zone NOT NULL,
	"document_key" text NOT NULL,
	"document_sha256" text NOT NULL,
	"document_bytes" integer NOT NULL,
	"document_deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbound_numbers" (
	"number" text PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "fax_jobs" ADD COLUMN "offer_id" text;--> statement-breakpoint
ALTER TABLE "fax_jobs" ADD COLUMN "offer_state" text;--> statement-breakpoint
ALTER TABLE "fax_jobs" ADD COLUMN "offer_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "agent_tokens" ADD CONSTRAINT "agent_tokens_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agent_tokens_agent_idx" ON "agent_tokens" USING btree ("agent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_faxes_agent_uniqueid_uq" ON "inbound_faxes" USING btree ("agent_id","uniqueid");--> statement-breakpoint
CREATE INDEX "inbound_faxes_owner_created_idx" ON "inbound_faxes" USING btree ("owner","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "inbound_faxes_created_idx" ON "inbound_faxes" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "fax_jobs_agent_idx" ON "fax_jobs" USING btree ("agent_id","status");