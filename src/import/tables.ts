import { byMember, type ImportContext, ITEM_TYPES, type Status } from './context.js';
import type { SourceRow } from './source.js';
import { localToInstant } from './zone.js';

// One entry per table, in the order parents come before children. Each reads the original's
// columns and says what the target row is, or why the row is skipped
// (deleted as the original meant) or refused.

export type Verdict = { kind: 'row'; values: unknown[] } | { kind: 'skip' } | { kind: 'refuse'; reason: string };

export interface TableSpec {
  /** The same name in source and target. */
  name: string;
  /** The source's primary key: keyset pagination and the kept id. */
  key: string;
  numericKey: boolean;
  columns: string[];
  /** Generated identity in the target: inserting kept ids needs OVERRIDING SYSTEM VALUE. */
  identity: boolean;
  /** Source rows that the original itself would not show, as a condition on alias `s`. */
  skippedWhere: string;
  convert(row: SourceRow, ctx: ImportContext): Verdict;
}

class Refusal extends Error {}
const SKIP: Verdict = { kind: 'skip' };
const TRANSACTION_TYPES = new Set(['Purchase', 'Sell', 'Reward']);
const STATUSES = new Set(['Completed', 'Incompleted']);

/** `null` from a converter: the row is skipped, deleted as the original meant it. */
function guard(convert: (row: SourceRow, ctx: ImportContext) => unknown[] | null): TableSpec['convert'] {
  return (row, ctx) => {
    try {
      const out = convert(row, ctx);
      return out === null ? SKIP : { kind: 'row', values: out };
    } catch (error) {
      if (error instanceof Refusal) return { kind: 'refuse', reason: error.message };
      throw error;
    }
  };
}

/** A bigint id the service can hold: it reads them as JS numbers (exact up to 2^53 − 1). */
function id(value: unknown, column: string): number | null {
  if (value === null || value === undefined) return null;
  const big = BigInt(String(value));
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < 1n) throw new Refusal(`${column} ${big} is outside 1..2^53-1`);
  return Number(big);
}

function at(value: unknown, column: string, ctx: ImportContext): string | null {
  if (value === null || value === undefined) return null;
  const instant = localToInstant(String(value), ctx.zone);
  if (!instant) throw new Refusal(`${column} '${String(value)}' is not a valid date`);
  return instant;
}

/** Throws the refusal of a parent, hands back whether it was skipped. */
function need(status: Status): boolean {
  if (status.kind === 'refuse') throw new Refusal(status.reason);
  return status.kind === 'skip';
}

const audit = (r: SourceRow, ctx: ImportContext) => [
  at(r.created_at, 'created_at', ctx),
  at(r.updated_at, 'updated_at', ctx),
];
const AUDIT = ['created_at', 'updated_at'];
/** The row's member is deleted, or its account is: the original no longer shows any of it. */
const MEMBER_SKIPPED = `exists (select 1 from member m left join account a on a.account_id = m.account_id
  where m.member_id = s.member_id and (m.deleted_at is not null or a.deleted_at is not null))`;

export const TABLES: TableSpec[] = [
  {
    name: 'role',
    key: 'role_id',
    numericKey: true,
    columns: ['role_id', 'name'],
    identity: false,
    skippedWhere: 'false',
    convert: guard((r) => [Number(r.role_id), String(r.name)]),
  },
  {
    name: 'palette',
    key: 'palette_id',
    numericKey: true,
    columns: [
      'palette_id',
      'name',
      'grade',
      'light_color',
      'normal_color',
      'dark_color',
      'darker_color',
      ...AUDIT,
      'deleted_at',
    ],
    identity: true,
    skippedWhere: 'false',
    convert: guard((r, ctx) => [
      Number(r.palette_id),
      r.name,
      r.grade,
      r.light_color,
      r.normal_color,
      r.dark_color,
      r.darker_color,
      ...audit(r, ctx),
      at(r.deleted_at, 'deleted_at', ctx),
    ]),
  },
  {
    name: 'character',
    key: 'character_id',
    numericKey: true,
    columns: ['character_id', 'name', 'description', 'grade', 'image_url', 'sell_price', ...AUDIT, 'deleted_at'],
    identity: true,
    skippedWhere: 'false',
    convert: guard((r, ctx) => [
      Number(r.character_id),
      r.name,
      r.description,
      r.grade,
      r.image_url,
      Number(r.sell_price),
      ...audit(r, ctx),
      at(r.deleted_at, 'deleted_at', ctx),
    ]),
  },
  {
    name: 'item',
    key: 'item_id',
    numericKey: true,
    columns: [
      'item_id',
      'name',
      'item_type',
      'description',
      'required_study_time',
      'cost',
      'grade',
      'image_url',
      'effect_code',
      'is_hidden',
      ...AUDIT,
      'deleted_at',
    ],
    identity: true,
    skippedWhere: 'false',
    convert: guard((r, ctx) => {
      need(ctx.items.get(Number(r.item_id)) ?? { kind: 'ok' });
      return [
        Number(r.item_id),
        r.name,
        r.item_type,
        r.description,
        r.required_study_time === null ? null : Number(r.required_study_time),
        Number(r.cost),
        r.grade,
        r.image_url,
        Number(r.effect_code),
        Number(r.is_hidden) !== 0,
        ...audit(r, ctx),
        at(r.deleted_at, 'deleted_at', ctx),
      ];
    }),
  },
  {
    name: 'account',
    key: 'account_id',
    numericKey: false,
    columns: ['account_id', 'email', 'password', 'provider', 'social_id', 'role_id', ...AUDIT],
    identity: false,
    skippedWhere: 's.deleted_at is not null',
    convert: guard((r, ctx) => {
      if (need(ctx.accounts.get(String(r.account_id))!)) return null;
      // bcrypt hashes are kept as they are: the login verifies them and upgrades them to Argon2id.
      return [r.account_id, r.email, r.password, r.provider, r.social_id, r.role_id ?? 2, ...audit(r, ctx)];
    }),
  },
  {
    name: 'member',
    key: 'member_id',
    numericKey: false,
    columns: [
      'member_id',
      'account_id',
      'nickname',
      'image_url',
      'status_message',
      'point',
      'active_record_id',
      ...AUDIT,
    ],
    identity: false,
    skippedWhere: `s.deleted_at is not null or exists (select 1 from account a where a.account_id = s.account_id and a.deleted_at is not null)`,
    convert: guard((r, ctx) => {
      const info = ctx.members.get(String(r.member_id))!;
      if (need(info.status)) return null;
      const active = info.activeRecordId === null ? null : id(info.activeRecordId, 'active_record_id');
      return [
        r.member_id,
        r.account_id,
        r.nickname,
        r.image_url,
        r.status_message,
        info.point,
        active,
        ...audit(r, ctx),
      ];
    }),
  },
  {
    name: 'study_streak',
    key: 'study_streak_id',
    numericKey: true,
    columns: ['study_streak_id', 'member_id', 'current_streak', 'longest_streak', 'palette_id', ...AUDIT],
    identity: true,
    skippedWhere: `s.deleted_at is not null or ${MEMBER_SKIPPED}`,
    convert: guard((r, ctx) => {
      if (r.deleted_at !== null || need(byMember(ctx, r.member_id))) return null;
      const palette = r.palette_id === null ? null : Number(r.palette_id);
      if (palette !== null && !ctx.palettes.has(palette))
        throw new Refusal(`orphan: palette ${palette} does not exist`);
      return [
        Number(r.study_streak_id),
        r.member_id,
        Number(r.current_streak),
        Number(r.longest_streak),
        palette,
        ...audit(r, ctx),
      ];
    }),
  },
  {
    name: 'study_category',
    key: 'study_category_id',
    numericKey: true,
    columns: ['study_category_id', 'member_id', 'subject', 'color', 'deleted_at'],
    identity: true,
    skippedWhere: MEMBER_SKIPPED,
    convert: guard((r, ctx) => {
      if (need(ctx.categories.get(String(r.study_category_id))!)) return null;
      return [
        id(r.study_category_id, 'study_category_id'),
        r.member_id,
        r.subject,
        r.color,
        at(r.deleted_at, 'deleted_at', ctx),
      ];
    }),
  },
  {
    name: 'study_record',
    key: 'study_record_id',
    numericKey: true,
    columns: ['study_record_id', 'member_id', 'study_category_id', 'start_time', 'end_time', 'status', 'deleted_at'],
    identity: true,
    skippedWhere: MEMBER_SKIPPED,
    convert: guard((r, ctx) => {
      if (need(byMember(ctx, r.member_id))) return null;
      const recordId = id(r.study_record_id, 'study_record_id');
      const category = id(r.study_category_id, 'study_category_id');
      if (category !== null) {
        const status = ctx.categories.get(String(category));
        if (!status) throw new Refusal(`orphan: study_category ${category} does not exist`);
        if (status.kind !== 'ok') throw new Refusal(`orphan: its study_category ${category} was not imported`);
      }
      const start = at(r.start_time, 'start_time', ctx)!;
      const end = at(r.end_time, 'end_time', ctx);
      if (end !== null && end < start)
        throw new Refusal(`ends (${String(r.end_time)}) before it starts (${String(r.start_time)})`);
      if (r.status !== null && !STATUSES.has(String(r.status)))
        throw new Refusal(`status '${String(r.status)}' is not Completed or Incompleted`);
      const live = r.deleted_at === null;
      if (live && end === null && ctx.members.get(String(r.member_id))!.activeRecordId !== String(r.study_record_id)) {
        throw new Refusal('unfinished, but not the running session of its member');
      }
      return [recordId, r.member_id, category, start, end, r.status, at(r.deleted_at, 'deleted_at', ctx)];
    }),
  },
  {
    name: 'item_inventory',
    key: 'item_inventory_id',
    numericKey: true,
    columns: ['item_inventory_id', 'member_id', 'item_id', 'item_type', 'quantity', 'progress', ...AUDIT, 'deleted_at'],
    identity: true,
    skippedWhere: MEMBER_SKIPPED,
    convert: guard((r, ctx) => {
      if (need(byMember(ctx, r.member_id))) return null;
      const item = ctx.items.get(Number(r.item_id));
      if (!item) throw new Refusal(`orphan: item ${String(r.item_id)} does not exist`);
      if (item.kind === 'refuse') throw new Refusal(`orphan: item ${String(r.item_id)} was refused`);
      if (!ITEM_TYPES.has(String(r.item_type))) throw new Refusal(`unknown item_type ${String(r.item_type)}`);
      const dupe = ctx.duplicates.get('item_inventory')!.get(String(r.item_inventory_id));
      if (dupe) throw new Refusal(dupe);
      if (Number(r.quantity) < 0) throw new Refusal(`negative quantity ${String(r.quantity)}`);
      return [
        id(r.item_inventory_id, 'item_inventory_id'),
        r.member_id,
        Number(r.item_id),
        r.item_type,
        Number(r.quantity),
        r.progress === null ? null : Number(r.progress),
        ...audit(r, ctx),
        at(r.deleted_at, 'deleted_at', ctx),
      ];
    }),
  },
  {
    name: 'character_inventory',
    key: 'character_inventory_id',
    numericKey: true,
    columns: ['character_inventory_id', 'member_id', 'character_id', 'quantity', ...AUDIT],
    identity: true,
    skippedWhere: `s.deleted_at is not null or ${MEMBER_SKIPPED}`,
    convert: guard((r, ctx) => {
      if (r.deleted_at !== null || need(byMember(ctx, r.member_id))) return null;
      if (!ctx.characters.has(Number(r.character_id)))
        throw new Refusal(`orphan: character ${String(r.character_id)} does not exist`);
      const dupe = ctx.duplicates.get('character_inventory')!.get(String(r.character_inventory_id));
      if (dupe) throw new Refusal(dupe);
      if (Number(r.quantity) < 0) throw new Refusal(`negative quantity ${String(r.quantity)}`);
      return [
        id(r.character_inventory_id, 'character_inventory_id'),
        r.member_id,
        Number(r.character_id),
        Number(r.quantity),
        ...audit(r, ctx),
      ];
    }),
  },
  {
    name: 'transaction_record',
    key: 'transaction_record_id',
    numericKey: true,
    columns: [
      'transaction_record_id',
      'member_id',
      'transaction_type',
      'amount',
      'count',
      'balance_after_transaction',
      'notes',
      ...AUDIT,
    ],
    identity: true,
    skippedWhere: `s.deleted_at is not null or ${MEMBER_SKIPPED}`,
    convert: guard((r, ctx) => {
      if (r.deleted_at !== null || need(byMember(ctx, r.member_id))) return null;
      if (!TRANSACTION_TYPES.has(String(r.transaction_type)))
        throw new Refusal(`unknown transaction_type ${String(r.transaction_type)}`);
      if (Number(r.balance_after_transaction) < 0)
        throw new Refusal(`negative balance ${String(r.balance_after_transaction)}`);
      return [
        id(r.transaction_record_id, 'transaction_record_id'),
        r.member_id,
        r.transaction_type,
        Number(r.amount),
        Number(r.count),
        Number(r.balance_after_transaction),
        r.notes,
        ...audit(r, ctx),
      ];
    }),
  },
];
