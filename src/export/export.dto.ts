import type { JsonSchema } from '../common/wire/json-schema.js';
import { check, is, optional } from '../common/wire/validation.js';
import type { CharacterRow, ItemRow, PaletteRow } from '../catalogue/catalogue.repository.js';
import type { studyCategory, studyStreak } from '../database/schema.js';
import { toStudyRecordResponse } from '../statistics/statistics.dto.js';
import { toPaletteResponse } from '../catalogue/catalogue.dto.js';
import { isoInZone, plainCell, textCell } from './csv.js';
import type { MemberRow, RecordWithCategory, TransactionRow } from './export.repository.js';

export const ExportQuery = {
  format: optional<'json' | 'csv'>(
    check(
      (v) => v === 'json' || v === 'csv',
      (f) => `${f} must be one of the following values: json, csv`,
      { type: 'string', enum: ['json', 'csv'] },
    ),
  ),
  timezone: optional<string>(is.timeZone()),
};

const object = { type: 'object' };
const list = { type: 'array', items: object };
/** The JSON file (the export service writes these keys, in this order); its records as their mappers write them. */
export const ExportFileSchema: JsonSchema = {
  type: 'object',
  properties: {
    format: { const: 'monta-export' },
    version: { const: 1 },
    exported_at: { type: 'string', format: 'date-time' },
    timezone: { type: 'string' },
    account: object,
    member: object,
    ranking_opt_out: { type: 'boolean' },
    study_streak: { type: ['object', 'null'] },
    palettes: list,
    study_categories: list,
    item_inventory: list,
    character_inventory: list,
    transaction_records: list,
    study_records: list,
  },
  required: [
    'format',
    'version',
    'exported_at',
    'timezone',
    'account',
    'member',
    'transaction_records',
    'study_records',
  ],
  additionalProperties: false,
};

type AccountRow = {
  accountId: string;
  email: string | null;
  provider: string;
  socialId: string | null;
  roleId: number;
  roleName: string;
  createdAt: Date;
  updatedAt: Date;
};

/** No password hash, no token generation, no refresh token digests: named fields only. */
export const toAccountExport = (a: AccountRow) => ({
  account_id: a.accountId,
  email: a.email,
  provider: a.provider,
  social_id: a.socialId,
  role: { role_id: a.roleId, name: a.roleName },
  created_at: a.createdAt,
  updated_at: a.updatedAt,
});

export const toMemberExport = (m: MemberRow) => ({
  member_id: m.memberId,
  nickname: m.nickname,
  image_url: m.imageUrl,
  status_message: m.statusMessage,
  point: m.point,
  active_record_id: m.activeRecordId === null ? null : String(m.activeRecordId),
  ranking_opt_out: m.rankingOptOut,
  created_at: m.createdAt,
  updated_at: m.updatedAt,
});

export const toStreakExport = (s: typeof studyStreak.$inferSelect, p: PaletteRow | null) => ({
  study_streak_id: s.studyStreakId,
  current_streak: s.currentStreak,
  longest_streak: s.longestStreak,
  last_study_date: s.lastStudyDate,
  palette: p ? toPaletteResponse(p) : null,
  created_at: s.createdAt,
  updated_at: s.updatedAt,
});

/** Deleted categories too: records keep pointing at them (a deleted or merged category's id stays). */
export const toCategoryExport = (c: typeof studyCategory.$inferSelect) => ({
  study_category_id: String(c.studyCategoryId),
  subject: c.subject,
  color: c.color,
  deleted_at: c.deletedAt,
});

export const toItemInventoryExport = (r: {
  row: {
    itemInventoryId: number;
    itemId: number;
    itemType: string;
    quantity: number;
    progress: number | null;
    createdAt: Date;
    updatedAt: Date;
    deletedAt: Date | null;
  };
  item: ItemRow | null;
}) => ({
  item_inventory_id: String(r.row.itemInventoryId),
  item_id: r.row.itemId,
  item_type: r.row.itemType,
  quantity: r.row.quantity,
  progress: r.row.progress,
  created_at: r.row.createdAt,
  updated_at: r.row.updatedAt,
  deleted_at: r.row.deletedAt,
  item: r.item
    ? {
        item_id: r.item.itemId,
        name: r.item.name,
        item_type: r.item.itemType,
        description: r.item.description,
        grade: r.item.grade,
        image_url: r.item.imageUrl,
      }
    : null,
});

export const toCharacterInventoryExport = (r: {
  row: { characterInventoryId: number; characterId: number; quantity: number; createdAt: Date; updatedAt: Date };
  character: CharacterRow | null;
}) => ({
  character_inventory_id: String(r.row.characterInventoryId),
  character_id: r.row.characterId,
  quantity: r.row.quantity,
  created_at: r.row.createdAt,
  updated_at: r.row.updatedAt,
  character: r.character
    ? {
        character_id: r.character.characterId,
        name: r.character.name,
        description: r.character.description,
        grade: r.character.grade,
        image_url: r.character.imageUrl,
      }
    : null,
});

export const toTransactionExport = (t: TransactionRow) => ({
  transaction_record_id: String(t.transactionRecordId),
  transaction_type: t.transactionType,
  amount: t.amount,
  count: t.count,
  balance_after_transaction: t.balanceAfterTransaction,
  notes: t.notes,
  created_at: t.createdAt,
});

/**
 * A study record as the study-records route sends it, plus what only the export adds: the running
 * session (no end yet, so no length), where it came from (the timer, or uploaded offline with the
 * app's client_id) and the soft-delete mark.
 */
export function toRecordExport({ record }: RecordWithCategory) {
  const ended = record.endTime
    ? toStudyRecordResponse(record)
    : { ...toStudyRecordResponse({ ...record, endTime: record.startTime }), end_time: null, seconds: null };
  return { ...ended, source: record.source, client_id: record.clientId, deleted_at: record.deletedAt };
}

export const CSV_COLUMNS = [
  'study_record_id',
  'start_time',
  'end_time',
  'seconds',
  'status',
  'study_category_id',
  'category_name',
  'source',
  'deleted_at',
] as const;

/** One CSV line: times local to `tz` with their offset; the category's name beside its id. */
export function toRecordCsvCells(r: RecordWithCategory, tz: string): string[] {
  const json = toRecordExport(r);
  const { record } = r;
  return [
    plainCell(json.study_record_id),
    plainCell(isoInZone(record.startTime, tz)),
    plainCell(record.endTime ? isoInZone(record.endTime, tz) : null),
    plainCell(json.seconds),
    plainCell(json.status),
    plainCell(json.study_category_id),
    textCell(r.subject),
    plainCell(record.source),
    plainCell(record.deletedAt ? isoInZone(record.deletedAt, tz) : null),
  ];
}
