DROP INDEX "study_record_member_start_id_idx";
--> statement-breakpoint
DROP INDEX "transaction_record_member_id_idx";
--> statement-breakpoint
CREATE INDEX "study_record_member_start_idx" ON "study_record" USING btree ("member_id","start_time");
--> statement-breakpoint
CREATE INDEX "transaction_record_member_idx" ON "transaction_record" USING btree ("member_id");
