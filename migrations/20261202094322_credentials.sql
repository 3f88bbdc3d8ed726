CREATE TABLE "app_secret" (
	"name" varchar(64) PRIMARY KEY NOT NULL,
	"value" varchar(255) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "account" ADD COLUMN "token_generation" integer DEFAULT 0 NOT NULL;