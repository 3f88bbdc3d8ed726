DROP INDEX "study_record_member_start_idx";--> statement-breakpoint
DROP INDEX "transaction_record_member_idx";--> statement-breakpoint
CREATE INDEX "study_record_member_start_id_idx" ON "study_record" USING btree ("member_id","start_time","study_record_id");--> statement-breakpoint
CREATE INDEX "transaction_record_member_id_idx" ON "transaction_record" USING btree ("member_id","transaction_record_id");