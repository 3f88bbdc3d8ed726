CREATE TABLE "stat_change" (
	"change_id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "stat_change_change_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"member_id" uuid NOT NULL,
	"start_time" timestamp with time zone NOT NULL,
	"end_time" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stat_daily" (
	"member_id" uuid NOT NULL,
	"local_date" date NOT NULL,
	"category_id" bigint NOT NULL,
	"micros" bigint NOT NULL,
	"sessions" integer NOT NULL,
	"completed" integer NOT NULL,
	CONSTRAINT "stat_daily_member_id_local_date_category_id_pk" PRIMARY KEY("member_id","local_date","category_id")
);
--> statement-breakpoint
CREATE TABLE "stat_job_run" (
	"run_id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "stat_job_run_run_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"job_id" varchar(64) NOT NULL,
	"name" varchar(32) NOT NULL,
	"status" varchar(16) NOT NULL,
	"window_start" date,
	"window_end" date,
	"attempts" integer DEFAULT 0 NOT NULL,
	"rows_read" integer DEFAULT 0 NOT NULL,
	"rows_written" integer DEFAULT 0 NOT NULL,
	"duration_ms" integer,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"error" varchar(2000),
	CONSTRAINT "stat_job_run_status_check" CHECK ("stat_job_run"."status" in ('running', 'retrying', 'completed', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "stat_monthly" (
	"member_id" uuid NOT NULL,
	"month" date NOT NULL,
	"seconds" bigint NOT NULL,
	"study_days" integer NOT NULL,
	"micros" bigint NOT NULL,
	"sessions" integer NOT NULL,
	"completed" integer NOT NULL,
	CONSTRAINT "stat_monthly_member_id_month_pk" PRIMARY KEY("member_id","month")
);
--> statement-breakpoint
CREATE TABLE "stat_state" (
	"name" varchar(32) PRIMARY KEY NOT NULL,
	"zone" varchar(64) NOT NULL,
	"daily_from" date,
	"daily_through" date,
	"monthly_from" date,
	"monthly_through" date,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stat_daily" ADD CONSTRAINT "stat_daily_member_id_member_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."member"("member_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stat_monthly" ADD CONSTRAINT "stat_monthly_member_id_member_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."member"("member_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stat_change_member_idx" ON "stat_change" USING btree ("member_id","start_time");--> statement-breakpoint
CREATE INDEX "stat_daily_date_idx" ON "stat_daily" USING btree ("local_date","member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "stat_job_run_job_unique" ON "stat_job_run" USING btree ("job_id");--> statement-breakpoint
CREATE INDEX "stat_job_run_started_idx" ON "stat_job_run" USING btree ("started_at");--> statement-breakpoint
-- Hand-written (drizzle-kit has no triggers): every change to an ended, live session is logged, so
-- the days it touches read raw until a rollup run recomputes them (issue 10).
CREATE FUNCTION "stat_change_capture"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.member_id, OLD.study_category_id, OLD.start_time, OLD.end_time, OLD.status, OLD.deleted_at)
      IS NOT DISTINCT FROM (NEW.member_id, NEW.study_category_id, NEW.start_time, NEW.end_time, NEW.status, NEW.deleted_at) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' AND OLD.end_time IS NOT NULL AND OLD.deleted_at IS NULL THEN
    INSERT INTO "stat_change" ("member_id", "start_time", "end_time") VALUES (OLD.member_id, OLD.start_time, OLD.end_time);
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.end_time IS NOT NULL AND NEW.deleted_at IS NULL THEN
    INSERT INTO "stat_change" ("member_id", "start_time", "end_time") VALUES (NEW.member_id, NEW.start_time, NEW.end_time);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "study_record_stat_change" AFTER INSERT OR UPDATE OR DELETE ON "study_record"
  FOR EACH ROW EXECUTE FUNCTION "stat_change_capture"();
