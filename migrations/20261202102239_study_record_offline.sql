ALTER TABLE "study_record" ADD COLUMN "source" varchar(10) DEFAULT 'timer' NOT NULL;--> statement-breakpoint
ALTER TABLE "study_record" ADD COLUMN "client_id" uuid;--> statement-breakpoint
ALTER TABLE "study_record" ADD COLUMN "end_client_id" uuid;--> statement-breakpoint
ALTER TABLE "study_record" ADD COLUMN "created_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "study_record" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "study_record_member_client_id" ON "study_record" USING btree ("member_id","client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "study_record_member_end_client_id" ON "study_record" USING btree ("member_id","end_client_id");--> statement-breakpoint
ALTER TABLE "study_record" ADD CONSTRAINT "study_record_source_check" CHECK ("study_record"."source" in ('timer', 'offline'));