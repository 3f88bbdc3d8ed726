DROP INDEX "study_record_start_idx";
--> statement-breakpoint
ALTER TABLE "member" DROP COLUMN "ranking_opt_out";
