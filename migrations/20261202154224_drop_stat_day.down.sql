CREATE TABLE "stat_day" (
	"member_id" uuid NOT NULL,
	"local_date" date NOT NULL,
	"micros" bigint NOT NULL,
	CONSTRAINT "stat_day_member_id_local_date_pk" PRIMARY KEY("member_id","local_date")
);

--> statement-breakpoint
ALTER TABLE "stat_day" ADD CONSTRAINT "stat_day_member_id_member_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."member"("member_id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- Hand-written: the code before this migration reads day totals from stat_day for every covered day.
INSERT INTO "stat_day" ("member_id", "local_date", "micros")
  SELECT "member_id", "local_date", sum("micros") FROM "stat_daily" GROUP BY "member_id", "local_date";
