ALTER TABLE "fax_jobs" ADD COLUMN "failure_detail" text;--> statement-breakpoint
ALTER TABLE "fax_jobs" ADD COLUMN "bitrate" integer;--> statement-breakpoint
ALTER TABLE "fax_jobs" ADD COLUMN "remote_station_id" text;