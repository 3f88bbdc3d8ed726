import type { Source } from './source.js';

// What one pass needs to know about the whole source before copying rows batch by batch: which
// members are imported, skipped (deleted as the original meant) or refused, and which rows clash.
// Built from the source at the start of every run, so a resumed run judges rows exactly as the
// interrupted one did.

export type Status = { kind: 'ok' } | { kind: 'skip' } | { kind: 'refuse'; reason: string };

export interface MemberInfo {
  status: Status;
  point: number;
  /** The running session's id when the original shows one (live, not ended, the member's own). */
  activeRecordId: string | null;
}

export interface ImportContext {
  zone: string;
  accounts: Map<string, Status>;
  members: Map<string, MemberInfo>;
  /** study_category_id → refused reason or ok/skip. */
  categories: Map<string, Status>;
  items: Map<number, Status>;
  characters: Set<number>;
  palettes: Set<number>;
  /** Rows that would break a unique rule of the target, by table: id → reason. */
  duplicates: Map<string, Map<string, string>>;
}

export const PROVIDERS = new Set(['email', 'google', 'kakao', 'naver']);
export const ITEM_TYPES = new Set(['Food', 'Consumable']);
const OK: Status = { kind: 'ok' };
const SKIP: Status = { kind: 'skip' };
const refuse = (reason: string): Status => ({ kind: 'refuse', reason });

/** The member a child row belongs to decides for it: skipped with it, refused as an orphan. */
export function byMember(ctx: ImportContext, memberId: unknown): Status {
  const m = ctx.members.get(String(memberId));
  if (!m) return refuse(`orphan: member ${String(memberId)} does not exist`);
  if (m.status.kind === 'refuse') return refuse(`orphan: member ${String(memberId)} was refused`);
  return m.status;
}

export async function loadContext(source: Source, zone: string): Promise<ImportContext> {
  const accounts = new Map<string, Status>();
  const socialDupes = await dupes(source, 'account', 'account_id', 'deleted_at is null and social_id is not null', [
    'provider',
    'social_id',
  ]);
  for (const a of await source.query('select account_id, provider, deleted_at from account')) {
    const id = String(a.account_id);
    if (a.deleted_at !== null) accounts.set(id, SKIP);
    else if (!PROVIDERS.has(String(a.provider))) accounts.set(id, refuse(`unknown provider ${String(a.provider)}`));
    else if (socialDupes.has(id)) accounts.set(id, refuse(socialDupes.get(id)!));
    else accounts.set(id, OK);
  }

  const lastBalance = new Map<string, number>();
  const balances = await source.query(
    `select t.member_id, t.balance_after_transaction as balance from transaction_record t
     join (select member_id, max(transaction_record_id) as id from transaction_record
           where deleted_at is null group by member_id) last on last.id = t.transaction_record_id`,
  );
  for (const b of balances) lastBalance.set(String(b.member_id), Number(b.balance));

  const members = new Map<string, MemberInfo>();
  const active = await source.query(
    `select m.member_id, r.study_record_id from member m join study_record r on r.study_record_id = m.active_record_id
     where r.member_id = m.member_id and r.deleted_at is null and r.end_time is null`,
  );
  const running = new Map(active.map((r) => [String(r.member_id), String(r.study_record_id)]));
  for (const m of await source.query('select member_id, account_id, point, deleted_at from member')) {
    const id = String(m.member_id);
    const point = Number(m.point);
    const account = m.account_id === null ? undefined : accounts.get(String(m.account_id));
    let status: Status = OK;
    if (m.deleted_at !== null || account?.kind === 'skip') status = SKIP;
    else if (!account) status = refuse(`orphan: account ${String(m.account_id)} does not exist`);
    else if (account.kind === 'refuse') status = refuse(`orphan: its account was refused (${account.reason})`);
    else if (point < 0) status = refuse(`negative points ${point}`);
    else if (lastBalance.has(id) && lastBalance.get(id) !== point) {
      status = refuse(`points ${point} disagree with its last transaction record's balance ${lastBalance.get(id)}`);
    }
    members.set(id, { status, point, activeRecordId: running.get(id) ?? null });
  }

  const ctx: ImportContext = {
    zone,
    accounts,
    members,
    categories: new Map(),
    items: new Map(),
    characters: new Set(),
    palettes: new Set(),
    duplicates: new Map(),
  };
  const subjectDupes = await dupes(source, 'study_category', 'study_category_id', 'deleted_at is null', [
    'member_id',
    'subject',
  ]);
  for (const c of await source.query('select study_category_id, member_id from study_category')) {
    const id = String(c.study_category_id);
    const owner = byMember(ctx, c.member_id);
    ctx.categories.set(id, owner.kind === 'ok' && subjectDupes.has(id) ? refuse(subjectDupes.get(id)!) : owner);
  }
  for (const i of await source.query('select item_id, item_type from item')) {
    ctx.items.set(
      Number(i.item_id),
      ITEM_TYPES.has(String(i.item_type)) ? OK : refuse(`unknown item_type ${String(i.item_type)}`),
    );
  }
  for (const c of await source.query('select character_id from `character`'))
    ctx.characters.add(Number(c.character_id));
  for (const p of await source.query('select palette_id from palette')) ctx.palettes.add(Number(p.palette_id));
  ctx.duplicates.set(
    'item_inventory',
    await dupes(source, 'item_inventory', 'item_inventory_id', "deleted_at is null and item_type = 'Consumable'", [
      'member_id',
      'item_id',
    ]),
  );
  ctx.duplicates.set(
    'character_inventory',
    await dupes(source, 'character_inventory', 'character_inventory_id', 'deleted_at is null', [
      'member_id',
      'character_id',
    ]),
  );
  return ctx;
}

/** Rows after the first (lowest id) sharing the same exact (binary) values: the target's unique keys. */
async function dupes(
  source: Source,
  table: string,
  key: string,
  where: string,
  columns: string[],
): Promise<Map<string, string>> {
  const partition = columns.map((c) => `cast(${c} as binary)`).join(', ');
  const rows = await source.query(
    `select ${key} as id, first_id from (
       select ${key}, row_number() over (partition by ${partition} order by ${key}) as n,
              first_value(${key}) over (partition by ${partition} order by ${key}) as first_id
       from ${table} where ${where}) d where n > 1`,
  );
  return new Map(
    rows.map((r) => [String(r.id), `duplicate (${columns.join(', ')}) of row ${String(r.first_id)}, which is kept`]),
  );
}
