DROP TABLE "stat_month_days" CASCADE;
