DROP TRIGGER "study_record_stat_change" ON "study_record";
--> statement-breakpoint
DROP FUNCTION "stat_change_capture"();
--> statement-breakpoint
DROP TABLE "stat_change" CASCADE;
--> statement-breakpoint
DROP TABLE "stat_daily" CASCADE;
--> statement-breakpoint
DROP TABLE "stat_job_run" CASCADE;
--> statement-breakpoint
DROP TABLE "stat_monthly" CASCADE;
--> statement-breakpoint
DROP TABLE "stat_state" CASCADE;
