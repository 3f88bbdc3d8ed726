ALTER TABLE "member" ADD COLUMN "ranking_opt_out" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "study_record_start_idx" ON "study_record" USING btree ("start_time");