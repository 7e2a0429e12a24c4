CREATE TABLE "fax_attempts" (
	"job_id" text NOT NULL,
	"number" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"result" text,
	"failure_reason" text,
	"failure_detail" text,
	"connected" boolean,
	"pages_sent" integer,
	"bitrate" integer,
	"remote_station_id" text,
	"t38" boolean,
	"agent_id" text,
	"provider_ref" text,
	CONSTRAINT "fax_attempts_job_id_number_pk" PRIMARY KEY("job_id","number")
);
--> statement-breakpoint
CREATE TABLE "fax_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "fax_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"job_id" text NOT NULL,
	"owner" text NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "fax_jobs" DROP CONSTRAINT "fax_jobs_status_check";--> statement-breakpoint
ALTER TABLE "fax_jobs" ADD COLUMN "tries" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "fax_jobs" ADD COLUMN "max_tries" integer DEFAULT 3 NOT NULL;--> statement-breakpoint
ALTER TABLE "fax_jobs" ADD COLUMN "pages_sent" integer;--> statement-breakpoint
ALTER TABLE "fax_jobs" ADD COLUMN "send_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "fax_jobs" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "fax_jobs" ADD COLUMN "wake_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "fax_jobs" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "fax_jobs" ADD COLUMN "resend_of" text;--> statement-breakpoint
ALTER TABLE "fax_jobs" ADD COLUMN "has_cover" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "fax_attempts" ADD CONSTRAINT "fax_attempts_job_id_fax_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."fax_jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "fax_attempts_one_in_flight_uq" ON "fax_attempts" USING btree ("job_id") WHERE "fax_attempts"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "fax_events_job_idx" ON "fax_events" USING btree ("job_id","id");--> statement-breakpoint
CREATE INDEX "fax_jobs_wake_idx" ON "fax_jobs" USING btree ("wake_at") WHERE "fax_jobs"."wake_at" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "fax_jobs_destination_in_flight_uq" ON "fax_jobs" USING btree ("to_number") WHERE "fax_jobs"."status" = 'in_progress';--> statement-breakpoint
ALTER TABLE "fax_jobs" ADD CONSTRAINT "fax_jobs_status_check" CHECK ("fax_jobs"."status" in ('scheduled', 'queued', 'in_progress', 'success', 'failed', 'canceled', 'unknown'));--> statement-breakpoint
-- Jobs that were open before the lifecycle existed: the recovery sweep looks at them at once.
UPDATE "fax_jobs" SET "wake_at" = now(), "expires_at" = "created_at" + interval '3 hours' WHERE "status" in ('queued', 'in_progress');
