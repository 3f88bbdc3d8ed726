ALTER TABLE "study_record" DROP CONSTRAINT "study_record_source_check";
--> statement-breakpoint
DROP INDEX "study_record_member_client_id";
--> statement-breakpoint
DROP INDEX "study_record_member_end_client_id";
--> statement-breakpoint
ALTER TABLE "study_record" DROP COLUMN "source";
--> statement-breakpoint
ALTER TABLE "study_record" DROP COLUMN "client_id";
--> statement-breakpoint
ALTER TABLE "study_record" DROP COLUMN "end_client_id";
--> statement-breakpoint
ALTER TABLE "study_record" DROP COLUMN "created_at";
--> statement-breakpoint
ALTER TABLE "study_record" DROP COLUMN "updated_at";
