DROP TABLE "account" CASCADE;
--> statement-breakpoint
DROP TABLE "character" CASCADE;
--> statement-breakpoint
DROP TABLE "character_inventory" CASCADE;
--> statement-breakpoint
DROP TABLE "item" CASCADE;
--> statement-breakpoint
DROP TABLE "item_inventory" CASCADE;
--> statement-breakpoint
DROP TABLE "member" CASCADE;
--> statement-breakpoint
DROP TABLE "palette" CASCADE;
--> statement-breakpoint
DROP TABLE "refresh_token" CASCADE;
--> statement-breakpoint
DROP TABLE "role" CASCADE;
--> statement-breakpoint
DROP TABLE "study_category" CASCADE;
--> statement-breakpoint
DROP TABLE "study_record" CASCADE;
--> statement-breakpoint
DROP TABLE "study_streak" CASCADE;
--> statement-breakpoint
DROP TABLE "transaction_record" CASCADE;
