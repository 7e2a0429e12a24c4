ALTER TABLE "inbound_faxes" ALTER COLUMN "agent_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "inbound_faxes" ALTER COLUMN "uniqueid" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "inbound_faxes" ALTER COLUMN "document_sha256" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "inbound_faxes" ALTER COLUMN "document_bytes" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "backend" text;--> statement-breakpoint
ALTER TABLE "fax_attempts" ADD COLUMN "backend" text;--> statement-breakpoint
ALTER TABLE "inbound_faxes" ADD COLUMN "provider" text;--> statement-breakpoint
ALTER TABLE "inbound_faxes" ADD COLUMN "provider_fax_id" text;--> statement-breakpoint
ALTER TABLE "inbound_faxes" ADD COLUMN "document_status" text DEFAULT 'stored' NOT NULL;--> statement-breakpoint
ALTER TABLE "inbound_faxes" ADD COLUMN "fetch_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "inbound_faxes" ADD COLUMN "fetch_next_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_faxes_provider_fax_uq" ON "inbound_faxes" USING btree ("provider","provider_fax_id");--> statement-breakpoint
CREATE INDEX "inbound_faxes_fetch_idx" ON "inbound_faxes" USING btree ("fetch_next_at") WHERE "inbound_faxes"."document_status" = 'pending';