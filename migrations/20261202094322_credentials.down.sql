DROP TABLE "app_secret" CASCADE;
--> statement-breakpoint
ALTER TABLE "account" DROP COLUMN "token_generation";
