CREATE TABLE "stat_month_days" (
	"member_id" uuid NOT NULL,
	"month" date NOT NULL,
	"seconds" integer[] NOT NULL,
	CONSTRAINT "stat_month_days_member_id_month_pk" PRIMARY KEY("member_id","month")
);
--> statement-breakpoint
ALTER TABLE "stat_month_days" ADD CONSTRAINT "stat_month_days_member_id_member_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."member"("member_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Hand-written: rollups written before this table existed stay readable (the reader takes day
-- totals from stat_month_days for every covered day). The writer's statement, over every month.
WITH day AS (
  SELECT s.member_id, date_trunc('month', s.local_date)::date AS month, extract(day FROM s.local_date)::int AS d,
    floor(sum(s.micros) / 1000000)::int AS seconds
  FROM stat_daily s GROUP BY s.member_id, s.local_date
)
INSERT INTO "stat_month_days" ("member_id", "month", "seconds")
SELECT m.member_id, m.month, array_agg(coalesce(day.seconds, 0) ORDER BY g.d)
FROM (SELECT DISTINCT member_id, month FROM day) m
CROSS JOIN generate_series(1, 31) AS g(d)
LEFT JOIN day ON day.member_id = m.member_id AND day.month = m.month AND day.d = g.d
GROUP BY m.member_id, m.month;
