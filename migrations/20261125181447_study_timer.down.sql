DROP INDEX "study_category_member_subject_live_unique";
--> statement-breakpoint
ALTER TABLE "study_streak" DROP COLUMN "last_study_date";
