import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { LIMITS } from '../common/limits.js';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => tz('created_at').notNull().defaultNow();
const updatedAt = () => tz('updated_at').notNull().defaultNow();
// bigint ids are JS numbers here (safe to 2^53); the Nest dialect sends them as decimal strings.
const bigId = (name: string) => bigint(name, { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity();

export const role = pgTable('role', {
  roleId: integer('role_id').primaryKey(),
  name: varchar('name', { length: 50 }).notNull(),
});

export const account = pgTable(
  'account',
  {
    accountId: uuid('account_id').primaryKey().defaultRandom(),
    email: varchar('email', { length: LIMITS.email }),
    password: varchar('password', { length: 255 }),
    provider: varchar('provider', { length: 20 }).notNull().default('email'),
    socialId: varchar('social_id', { length: 255 }),
    roleId: integer('role_id')
      .notNull()
      .default(2)
      .references(() => role.roleId),
    // Bumped with a password change or a reused refresh chain; access tokens of older generations are refused.
    tokenGeneration: integer('token_generation').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('account_email_lower_unique').on(sql`lower(${t.email})`),
    unique('account_provider_social_id_unique').on(t.provider, t.socialId),
    check('account_provider_check', sql`${t.provider} in ('email', 'google', 'kakao', 'naver')`),
  ],
);

export const refreshToken = pgTable(
  'refresh_token',
  {
    refreshTokenId: uuid('refresh_token_id').primaryKey(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => account.accountId, { onDelete: 'cascade' }),
    chainId: uuid('chain_id').notNull(),
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    createdAt: createdAt(),
    expiresAt: tz('expires_at').notNull(),
    rotatedAt: tz('rotated_at'),
    revokedAt: tz('revoked_at'),
  },
  (t) => [
    uniqueIndex('refresh_token_hash_unique').on(t.tokenHash),
    index('refresh_token_chain_idx').on(t.chainId),
    index('refresh_token_account_idx').on(t.accountId),
  ],
);

export const palette = pgTable('palette', {
  paletteId: integer('palette_id').primaryKey().generatedAlwaysAsIdentity(),
  name: varchar('name', { length: 100 }).notNull(),
  grade: varchar('grade', { length: 20 }).notNull(),
  lightColor: varchar('light_color', { length: LIMITS.color }).notNull(),
  normalColor: varchar('normal_color', { length: LIMITS.color }).notNull(),
  darkColor: varchar('dark_color', { length: LIMITS.color }).notNull(),
  darkerColor: varchar('darker_color', { length: LIMITS.color }).notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  deletedAt: tz('deleted_at'),
});

export const member = pgTable(
  'member',
  {
    memberId: uuid('member_id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => account.accountId, { onDelete: 'cascade' }),
    nickname: varchar('nickname', { length: LIMITS.nickname }).notNull(),
    imageUrl: varchar('image_url', { length: LIMITS.imageUrl }),
    statusMessage: varchar('status_message', { length: LIMITS.statusMessage }).notNull().default(''),
    point: integer('point').notNull().default(0),
    activeRecordId: bigint('active_record_id', { mode: 'number' }),
    // Left the overall ranking (issue 13); still ranked in their room.
    rankingOptOut: boolean('ranking_opt_out').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('member_account_id_unique').on(t.accountId), check('member_point_non_negative', sql`${t.point} >= 0`)],
);

export const studyStreak = pgTable(
  'study_streak',
  {
    studyStreakId: integer('study_streak_id').primaryKey().generatedAlwaysAsIdentity(),
    memberId: uuid('member_id')
      .notNull()
      .references(() => member.memberId, { onDelete: 'cascade' }),
    currentStreak: integer('current_streak').notNull().default(0),
    longestStreak: integer('longest_streak').notNull().default(0),
    paletteId: integer('palette_id').references(() => palette.paletteId),
    /** The latest local day (DEFAULT_TIMEZONE) that counted toward the streak. */
    lastStudyDate: date('last_study_date', { mode: 'string' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('study_streak_member_id_unique').on(t.memberId),
    check('study_streak_non_negative', sql`${t.currentStreak} >= 0 and ${t.longestStreak} >= 0`),
  ],
);

export const character = pgTable(
  'character',
  {
    characterId: integer('character_id').primaryKey().generatedAlwaysAsIdentity(),
    name: varchar('name', { length: 100 }).notNull(),
    description: varchar('description', { length: 255 }),
    grade: varchar('grade', { length: 20 }).notNull(),
    imageUrl: varchar('image_url', { length: 255 }).notNull(),
    sellPrice: integer('sell_price').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: tz('deleted_at'),
  },
  (t) => [
    check('character_sell_price_non_negative', sql`${t.sellPrice} >= 0`),
    // A name is unique among live characters (the admin create check of S14), whatever the concurrency.
    uniqueIndex('character_name_live_unique')
      .on(t.name)
      .where(sql`${t.deletedAt} is null`),
  ],
);

export const item = pgTable(
  'item',
  {
    itemId: integer('item_id').primaryKey().generatedAlwaysAsIdentity(),
    name: varchar('name', { length: 100 }).notNull(),
    itemType: varchar('item_type', { length: 20 }).notNull(),
    description: varchar('description', { length: 255 }).notNull(),
    requiredStudyTime: integer('required_study_time'),
    cost: integer('cost').notNull(),
    grade: varchar('grade', { length: 20 }),
    imageUrl: varchar('image_url', { length: 255 }).notNull(),
    effectCode: integer('effect_code').notNull(),
    isHidden: boolean('is_hidden').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: tz('deleted_at'),
  },
  (t) => [
    check('item_type_check', sql`${t.itemType} in ('Food', 'Consumable')`),
    check('item_cost_non_negative', sql`${t.cost} >= 0`),
  ],
);

export const itemInventory = pgTable(
  'item_inventory',
  {
    itemInventoryId: bigId('item_inventory_id'),
    memberId: uuid('member_id')
      .notNull()
      .references(() => member.memberId, { onDelete: 'cascade' }),
    itemId: integer('item_id')
      .notNull()
      .references(() => item.itemId),
    itemType: varchar('item_type', { length: 20 }).notNull(),
    quantity: integer('quantity').notNull(),
    progress: integer('progress'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: tz('deleted_at'),
  },
  (t) => [
    index('item_inventory_member_idx').on(t.memberId, t.itemType),
    // Consumables stack in one live row per member and item; foods are one row per unit.
    uniqueIndex('item_inventory_consumable_live_unique')
      .on(t.memberId, t.itemId)
      .where(sql`${t.itemType} = 'Consumable' and ${t.deletedAt} is null`),
    check('item_inventory_quantity_non_negative', sql`${t.quantity} >= 0`),
  ],
);

export const characterInventory = pgTable(
  'character_inventory',
  {
    characterInventoryId: bigId('character_inventory_id'),
    memberId: uuid('member_id')
      .notNull()
      .references(() => member.memberId, { onDelete: 'cascade' }),
    characterId: integer('character_id')
      .notNull()
      .references(() => character.characterId),
    quantity: integer('quantity').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('character_inventory_member_character_unique').on(t.memberId, t.characterId),
    check('character_inventory_quantity_non_negative', sql`${t.quantity} >= 0`),
  ],
);

export const studyCategory = pgTable(
  'study_category',
  {
    studyCategoryId: bigId('study_category_id'),
    memberId: uuid('member_id')
      .notNull()
      .references(() => member.memberId, { onDelete: 'cascade' }),
    subject: varchar('subject', { length: LIMITS.subject }).notNull(),
    color: varchar('color', { length: LIMITS.color }).notNull().default('#000000'),
    deletedAt: tz('deleted_at'),
  },
  (t) => [
    index('study_category_member_idx').on(t.memberId),
    // A subject is unique among a member's live categories, whatever the concurrency.
    uniqueIndex('study_category_member_subject_live_unique')
      .on(t.memberId, t.subject)
      .where(sql`${t.deletedAt} is null`),
  ],
);

export const studyRecord = pgTable(
  'study_record',
  {
    studyRecordId: bigId('study_record_id'),
    memberId: uuid('member_id')
      .notNull()
      .references(() => member.memberId, { onDelete: 'cascade' }),
    studyCategoryId: bigint('study_category_id', { mode: 'number' }).references(() => studyCategory.studyCategoryId),
    startTime: tz('start_time').notNull(),
    endTime: tz('end_time'),
    status: varchar('status', { length: LIMITS.status }),
    deletedAt: tz('deleted_at'),
    // Issue 14: 'timer' (timed by the server) or 'offline' (timed by the app, uploaded later).
    source: varchar('source', { length: 10 }).notNull().default('timer'),
    // The app's idempotency keys: of the upload or timer start, and of the timer end.
    clientId: uuid('client_id'),
    endClientId: uuid('end_client_id'),
    // Any insert or change of the row moves updated_at (rollups find what changed since a watermark).
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // A client id names one record of a member (NULLs are distinct: rows without one never collide).
    uniqueIndex('study_record_member_client_id').on(t.memberId, t.clientId),
    uniqueIndex('study_record_member_end_client_id').on(t.memberId, t.endClientId),
    check('study_record_source_check', sql`${t.source} in ('timer', 'offline')`),
    // At most one running session per member, whatever the concurrency.
    uniqueIndex('study_record_one_running_per_member')
      .on(t.memberId)
      .where(sql`${t.endTime} is null and ${t.deletedAt} is null`),
    // The id breaks ties, so the export's keyset batches (start_time, id) are one index range each.
    index('study_record_member_start_id_idx').on(t.memberId, t.startTime, t.studyRecordId),
    // Rankings read the sessions of every member in a time window (today, another time zone).
    index('study_record_start_idx').on(t.startTime),
    check('study_record_status_check', sql`${t.status} is null or ${t.status} in ('Completed', 'Incompleted')`),
    check('study_record_time_order', sql`${t.endTime} is null or ${t.endTime} >= ${t.startTime}`),
  ],
);

export const transactionRecord = pgTable(
  'transaction_record',
  {
    transactionRecordId: bigId('transaction_record_id'),
    memberId: uuid('member_id')
      .notNull()
      .references(() => member.memberId, { onDelete: 'cascade' }),
    transactionType: varchar('transaction_type', { length: 20 }).notNull(),
    amount: integer('amount').notNull(),
    count: integer('count').notNull(),
    balanceAfterTransaction: integer('balance_after_transaction').notNull(),
    notes: varchar('notes', { length: 255 }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // By id within the member: the export reads a member's records in id order, batch by batch.
    index('transaction_record_member_id_idx').on(t.memberId, t.transactionRecordId),
    check('transaction_record_type_check', sql`${t.transactionType} in ('Purchase', 'Sell', 'Reward')`),
    check('transaction_record_balance_non_negative', sql`${t.balanceAfterTransaction} >= 0`),
  ],
);

/** Secrets generated outside production when unset, kept with the data so every instance shares them. */
export const appSecret = pgTable('app_secret', {
  name: varchar('name', { length: 64 }).primaryKey(),
  value: varchar('value', { length: 255 }).notNull(),
  createdAt: createdAt(),
});

// Pre-computed statistics (issue 10). Local dates are in DEFAULT_TIMEZONE (recorded in stat_state.zone).

/**
 * Studied time per member, local day and category (0: no category), sessions cut at local midnights
 * as the raw queries cut them; only parts longer than zero. The primary key makes a member's sums over
 * a date range an index range scan; `stat_daily_date_idx` serves rankings of every member over a range.
 */
export const statDaily = pgTable(
  'stat_daily',
  {
    memberId: uuid('member_id')
      .notNull()
      .references(() => member.memberId, { onDelete: 'cascade' }),
    localDate: date('local_date', { mode: 'string' }).notNull(),
    categoryId: bigint('category_id', { mode: 'number' }).notNull(),
    // Microseconds, exact: the day's total is floored to seconds only once, as the raw query does.
    micros: bigint('micros', { mode: 'number' }).notNull(),
    sessions: integer('sessions').notNull(),
    completed: integer('completed').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.memberId, t.localDate, t.categoryId] }),
    index('stat_daily_date_idx').on(t.localDate, t.memberId),
  ],
);

/**
 * Per member and month (its first day), each day's total across categories: `seconds[d - 1]` is
 * day d's stat_daily micros summed and floored to seconds (0 for a day without study, and past the
 * month's end). Rewritten whole with the daily rows of any of its days, in the same transaction: a
 * year's heat-map reads 13 rows of one index range.
 */
export const statMonthDays = pgTable(
  'stat_month_days',
  {
    memberId: uuid('member_id')
      .notNull()
      .references(() => member.memberId, { onDelete: 'cascade' }),
    month: date('month', { mode: 'string' }).notNull(),
    seconds: integer('seconds').array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.memberId, t.month] })],
);

/** Per member and month (its first day): `seconds` sums the floored day totals, as the monthly route does. */
export const statMonthly = pgTable(
  'stat_monthly',
  {
    memberId: uuid('member_id')
      .notNull()
      .references(() => member.memberId, { onDelete: 'cascade' }),
    month: date('month', { mode: 'string' }).notNull(),
    seconds: bigint('seconds', { mode: 'number' }).notNull(),
    studyDays: integer('study_days').notNull(),
    micros: bigint('micros', { mode: 'number' }).notNull(),
    sessions: integer('sessions').notNull(),
    completed: integer('completed').notNull(),
  },
  (t) => [primaryKey({ columns: [t.memberId, t.month] })],
);

/**
 * Ended sessions that changed (ended, deleted, re-categorised, erased) since the rollups last saw
 * them, written by a trigger on study_record: the days they touch are read raw until a run
 * recomputes them and removes the rows it consumed. No foreign key: an erased member's rows stay
 * until consumed.
 */
export const statChange = pgTable(
  'stat_change',
  {
    changeId: bigId('change_id'),
    memberId: uuid('member_id').notNull(),
    startTime: tz('start_time').notNull(),
    endTime: tz('end_time').notNull(),
  },
  (t) => [index('stat_change_member_idx').on(t.memberId, t.startTime)],
);

/** What the rollups cover: daily rows are exact for [daily_from, daily_through], monthly ones for their range. */
export const statState = pgTable('stat_state', {
  name: varchar('name', { length: 32 }).primaryKey(),
  zone: varchar('zone', { length: 64 }).notNull(),
  dailyFrom: date('daily_from', { mode: 'string' }),
  dailyThrough: date('daily_through', { mode: 'string' }),
  monthlyFrom: date('monthly_from', { mode: 'string' }),
  monthlyThrough: date('monthly_through', { mode: 'string' }),
  updatedAt: updatedAt(),
});

/** One row per job run (a pg-boss job and its retries). */
export const statJobRun = pgTable(
  'stat_job_run',
  {
    runId: bigId('run_id'),
    jobId: varchar('job_id', { length: 64 }).notNull(),
    name: varchar('name', { length: 32 }).notNull(),
    status: varchar('status', { length: 16 }).notNull(),
    windowStart: date('window_start', { mode: 'string' }),
    windowEnd: date('window_end', { mode: 'string' }),
    attempts: integer('attempts').notNull().default(0),
    rowsRead: integer('rows_read').notNull().default(0),
    rowsWritten: integer('rows_written').notNull().default(0),
    durationMs: integer('duration_ms'),
    startedAt: tz('started_at').notNull(),
    finishedAt: tz('finished_at'),
    error: varchar('error', { length: 2000 }),
  },
  (t) => [
    uniqueIndex('stat_job_run_job_unique').on(t.jobId),
    index('stat_job_run_started_idx').on(t.startedAt),
    check('stat_job_run_status_check', sql`${t.status} in ('running', 'retrying', 'completed', 'failed')`),
  ],
);
