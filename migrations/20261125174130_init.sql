CREATE TABLE "account" (
	"account_id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" varchar(255),
	"password" varchar(255),
	"provider" varchar(20) DEFAULT 'email' NOT NULL,
	"social_id" varchar(255),
	"role_id" integer DEFAULT 2 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_provider_social_id_unique" UNIQUE("provider","social_id"),
	CONSTRAINT "account_provider_check" CHECK ("account"."provider" in ('email', 'google', 'kakao', 'naver'))
);
--> statement-breakpoint
CREATE TABLE "character" (
	"character_id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "character_character_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" varchar(100) NOT NULL,
	"description" varchar(255),
	"grade" varchar(20) NOT NULL,
	"image_url" varchar(255) NOT NULL,
	"sell_price" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "character_sell_price_non_negative" CHECK ("character"."sell_price" >= 0)
);
--> statement-breakpoint
CREATE TABLE "character_inventory" (
	"character_inventory_id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "character_inventory_character_inventory_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"member_id" uuid NOT NULL,
	"character_id" integer NOT NULL,
	"quantity" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "character_inventory_member_character_unique" UNIQUE("member_id","character_id"),
	CONSTRAINT "character_inventory_quantity_non_negative" CHECK ("character_inventory"."quantity" >= 0)
);
--> statement-breakpoint
CREATE TABLE "item" (
	"item_id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "item_item_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" varchar(100) NOT NULL,
	"item_type" varchar(20) NOT NULL,
	"description" varchar(255) NOT NULL,
	"required_study_time" integer,
	"cost" integer NOT NULL,
	"grade" varchar(20),
	"image_url" varchar(255) NOT NULL,
	"effect_code" integer NOT NULL,
	"is_hidden" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "item_type_check" CHECK ("item"."item_type" in ('Food', 'Consumable')),
	CONSTRAINT "item_cost_non_negative" CHECK ("item"."cost" >= 0)
);
--> statement-breakpoint
CREATE TABLE "item_inventory" (
	"item_inventory_id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "item_inventory_item_inventory_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"member_id" uuid NOT NULL,
	"item_id" integer NOT NULL,
	"item_type" varchar(20) NOT NULL,
	"quantity" integer NOT NULL,
	"progress" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "item_inventory_quantity_non_negative" CHECK ("item_inventory"."quantity" >= 0)
);
--> statement-breakpoint
CREATE TABLE "member" (
	"member_id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"nickname" varchar(100) NOT NULL,
	"image_url" varchar(255),
	"status_message" varchar(500) DEFAULT '' NOT NULL,
	"point" integer DEFAULT 0 NOT NULL,
	"active_record_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "member_account_id_unique" UNIQUE("account_id"),
	CONSTRAINT "member_point_non_negative" CHECK ("member"."point" >= 0)
);
--> statement-breakpoint
CREATE TABLE "palette" (
	"palette_id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "palette_palette_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" varchar(100) NOT NULL,
	"grade" varchar(20) NOT NULL,
	"light_color" varchar(7) NOT NULL,
	"normal_color" varchar(7) NOT NULL,
	"dark_color" varchar(7) NOT NULL,
	"darker_color" varchar(7) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "refresh_token" (
	"refresh_token_id" uuid PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"chain_id" uuid NOT NULL,
	"token_hash" varchar(64) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"rotated_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "role" (
	"role_id" integer PRIMARY KEY NOT NULL,
	"name" varchar(50) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "study_category" (
	"study_category_id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "study_category_study_category_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"member_id" uuid NOT NULL,
	"subject" varchar(50) NOT NULL,
	"color" varchar(7) DEFAULT '#000000' NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "study_record" (
	"study_record_id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "study_record_study_record_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"member_id" uuid NOT NULL,
	"study_category_id" bigint,
	"start_time" timestamp with time zone NOT NULL,
	"end_time" timestamp with time zone,
	"status" varchar(20),
	"deleted_at" timestamp with time zone,
	CONSTRAINT "study_record_status_check" CHECK ("study_record"."status" is null or "study_record"."status" in ('Completed', 'Incompleted')),
	CONSTRAINT "study_record_time_order" CHECK ("study_record"."end_time" is null or "study_record"."end_time" >= "study_record"."start_time")
);
--> statement-breakpoint
CREATE TABLE "study_streak" (
	"study_streak_id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "study_streak_study_streak_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"member_id" uuid NOT NULL,
	"current_streak" integer DEFAULT 0 NOT NULL,
	"longest_streak" integer DEFAULT 0 NOT NULL,
	"palette_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "study_streak_member_id_unique" UNIQUE("member_id"),
	CONSTRAINT "study_streak_non_negative" CHECK ("study_streak"."current_streak" >= 0 and "study_streak"."longest_streak" >= 0)
);
--> statement-breakpoint
CREATE TABLE "transaction_record" (
	"transaction_record_id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "transaction_record_transaction_record_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"member_id" uuid NOT NULL,
	"transaction_type" varchar(20) NOT NULL,
	"amount" integer NOT NULL,
	"count" integer NOT NULL,
	"balance_after_transaction" integer NOT NULL,
	"notes" varchar(255) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "transaction_record_type_check" CHECK ("transaction_record"."transaction_type" in ('Purchase', 'Sell', 'Reward')),
	CONSTRAINT "transaction_record_balance_non_negative" CHECK ("transaction_record"."balance_after_transaction" >= 0)
);
--> statement-breakpoint
ALTER TABLE "account" ADD CONSTRAINT "account_role_id_role_role_id_fk" FOREIGN KEY ("role_id") REFERENCES "public"."role"("role_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "character_inventory" ADD CONSTRAINT "character_inventory_member_id_member_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."member"("member_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "character_inventory" ADD CONSTRAINT "character_inventory_character_id_character_character_id_fk" FOREIGN KEY ("character_id") REFERENCES "public"."character"("character_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_inventory" ADD CONSTRAINT "item_inventory_member_id_member_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."member"("member_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_inventory" ADD CONSTRAINT "item_inventory_item_id_item_item_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."item"("item_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member" ADD CONSTRAINT "member_account_id_account_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."account"("account_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refresh_token" ADD CONSTRAINT "refresh_token_account_id_account_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."account"("account_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "study_category" ADD CONSTRAINT "study_category_member_id_member_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."member"("member_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "study_record" ADD CONSTRAINT "study_record_member_id_member_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."member"("member_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "study_record" ADD CONSTRAINT "study_record_study_category_id_study_category_study_category_id_fk" FOREIGN KEY ("study_category_id") REFERENCES "public"."study_category"("study_category_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "study_streak" ADD CONSTRAINT "study_streak_member_id_member_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."member"("member_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "study_streak" ADD CONSTRAINT "study_streak_palette_id_palette_palette_id_fk" FOREIGN KEY ("palette_id") REFERENCES "public"."palette"("palette_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transaction_record" ADD CONSTRAINT "transaction_record_member_id_member_member_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."member"("member_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "account_email_lower_unique" ON "account" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "item_inventory_member_idx" ON "item_inventory" USING btree ("member_id","item_type");--> statement-breakpoint
CREATE UNIQUE INDEX "refresh_token_hash_unique" ON "refresh_token" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "refresh_token_chain_idx" ON "refresh_token" USING btree ("chain_id");--> statement-breakpoint
CREATE INDEX "refresh_token_account_idx" ON "refresh_token" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "study_category_member_idx" ON "study_category" USING btree ("member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "study_record_one_running_per_member" ON "study_record" USING btree ("member_id") WHERE "study_record"."end_time" is null and "study_record"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "study_record_member_start_idx" ON "study_record" USING btree ("member_id","start_time");--> statement-breakpoint
CREATE INDEX "transaction_record_member_idx" ON "transaction_record" USING btree ("member_id");