import bcrypt from 'bcryptjs';
import type { OriginalDatabase } from './original-db.js';

// The original databases the import tests start from (the Nest schema at 024b289): one small one
// with every case the import must handle (soft deletes, bcrypt and social accounts, a running session,
// inventories, Korean text, ids at the top of the service's range, and broken rows the import has to
// refuse), and a large consistent one for resuming and the benchmark.

export const STUDENT = {
  accountId: '6f1c2a4e-8d1b-4f0a-9a57-0c3d2b1e4f01',
  memberId: '0b7e5a9c-3f2d-4c1b-8e6a-5d4c3b2a1f02',
  email: 'student@test.com',
  password: 'oldpass123',
};
export const SOCIAL = {
  accountId: '1a2b3c4d-0000-4000-8000-000000000003',
  memberId: '1a2b3c4d-0000-4000-8000-000000000004',
};
export const DELETED = {
  accountId: '2b3c4d5e-0000-4000-8000-000000000005',
  memberId: '2b3c4d5e-0000-4000-8000-000000000006',
};
export const DISAGREEING = {
  accountId: '3c4d5e6f-0000-4000-8000-000000000007',
  memberId: '3c4d5e6f-0000-4000-8000-000000000008',
};
export const ORPHAN_MEMBER = '4d5e6f70-0000-4000-8000-000000000009';
/** The service holds ids as JS numbers: the largest one it can keep exactly. */
export const TOP_ID = '9007199254740991';
export const TOP_CHARACTER_ID = 2_147_483_000;

/**
 * Rows as the original wrote them at `t` (both timestamps `t`, live), with the columns nothing here
 * varies filled in; `extra` (or a spread) overrides any of them, `deleted_at` included.
 */
function rowsAt(t: string) {
  type Extra = Record<string, unknown>;
  const stamps = { created_at: t, updated_at: t, deleted_at: null };
  return {
    // The rows both databases start from: the two roles and one live palette, character and food.
    roles: [
      { role_id: 1, name: 'Admin' },
      { role_id: 2, name: 'User' },
    ],
    palette: {
      palette_id: 1,
      grade: 'Rare',
      name: '파랑',
      light_color: '#aaaaff',
      normal_color: '#5555ff',
      dark_color: '#2222aa',
      darker_color: '#111155',
      ...stamps,
    },
    character: {
      character_id: 1,
      name: '병아리',
      description: '삐약',
      grade: 'C',
      image_url: 'https://img/chick.png',
      sell_price: 100,
      ...stamps,
    },
    food: {
      item_id: 1,
      name: '고기',
      item_type: 'Food',
      description: 'C~A',
      required_study_time: 3600,
      cost: 200,
      grade: 'C',
      image_url: 'https://img/meat.png',
      effect_code: 10000,
      is_hidden: 0,
      ...stamps,
    },
    account: (account_id: string, email: string | null, extra: Extra = {}) => ({
      account_id,
      email,
      password: null,
      provider: 'email',
      social_id: null,
      role_id: 2,
      ...stamps,
      ...extra,
    }),
    member: (member_id: string, account_id: string, nickname: string, point: number, extra: Extra = {}) => ({
      member_id,
      nickname,
      image_url: '',
      active_record_id: null,
      point,
      study_streak_id: null,
      account_id,
      status_message: '',
      ...stamps,
      ...extra,
    }),
    streak: (study_streak_id: number, member_id: string, palette_id: number | null) => ({
      study_streak_id,
      current_streak: 0,
      longest_streak: 0,
      member_id,
      palette_id,
      ...stamps,
    }),
    category: (study_category_id: number, member_id: string, subject: string, extra: Extra = {}) => ({
      study_category_id,
      subject,
      color: '#000000',
      deleted_at: null,
      member_id,
      ...extra,
    }),
    record: (study_record_id: string | number, start: string, end: string | null, extra: Extra = {}) => ({
      study_record_id,
      status: end ? 'Completed' : null,
      start_time: start,
      end_time: end,
      deleted_at: null,
      member_id: STUDENT.memberId,
      study_category_id: 1,
      ...extra,
    }),
    /** An item inventory row of a food; `extra` for a consumable or a soft delete. */
    itemRow: (
      item_inventory_id: number,
      member_id: string,
      item_id: number,
      progress: number | null,
      quantity: number,
      extra: Extra = {},
    ) => ({
      item_inventory_id,
      progress,
      quantity,
      item_type: 'Food',
      item_id,
      member_id,
      ...stamps,
      ...extra,
    }),
    characterRow: (character_inventory_id: number, member_id: string, character_id: number, quantity: number) => ({
      character_inventory_id,
      quantity,
      character_id,
      member_id,
      ...stamps,
    }),
    tx: (id: number, member_id: string, type: string, amount: number, balance: number, notes = `${type} 메모`) => ({
      transaction_record_id: id,
      transaction_type: type,
      amount,
      count: 1,
      balance_after_transaction: balance,
      notes,
      member_id,
      ...stamps,
    }),
  };
}

export async function loadFixture(db: OriginalDatabase): Promise<void> {
  const hash = await bcrypt.hash(STUDENT.password, 10);
  const t = '2024-01-10 09:00:00.123456';
  const at = rowsAt(t);
  await db.insert('role', [
    ...at.roles,
    // Longer than the target's column: only the target itself can refuse it, in the same batch as good rows.
    { role_id: 3, name: '운영자'.repeat(20) },
  ]);
  await db.insert('palette', [
    at.palette,
    {
      ...at.palette,
      palette_id: 2,
      grade: 'Epik',
      name: '지운 색',
      light_color: '#ffaaaa',
      normal_color: '#ff5555',
      dark_color: '#aa2222',
      darker_color: '#551111',
      deleted_at: t,
    },
  ]);
  await db.insert('character', [
    at.character,
    {
      ...at.character,
      character_id: 9,
      name: '사라진 용',
      description: null,
      grade: 'SS',
      image_url: 'https://img/dragon.png',
      sell_price: 9000,
      deleted_at: t,
    },
    {
      ...at.character,
      character_id: TOP_CHARACTER_ID,
      name: '마지막 고양이',
      description: null,
      grade: 'S',
      image_url: 'https://img/cat.png',
      sell_price: 900,
    },
  ]);
  await db.insert('item', [
    at.food,
    {
      ...at.food,
      item_id: 2,
      name: '팔레트 변경권',
      item_type: 'Consumable',
      description: '색 바꾸기',
      required_study_time: null,
      cost: 300,
      grade: null,
      image_url: 'https://img/ticket.png',
      effect_code: 20000,
    },
    {
      ...at.food,
      item_id: 3,
      name: '숨은 당근',
      description: 'hidden',
      required_study_time: 7200,
      cost: 400,
      grade: 'B',
      image_url: 'https://img/carrot.png',
      effect_code: 10001,
      is_hidden: 1,
    },
    {
      ...at.food,
      item_id: 4,
      name: '단종된 두부',
      description: 'gone',
      cost: 600,
      grade: 'A',
      image_url: 'https://img/tofu.png',
      effect_code: 10002,
      deleted_at: t,
    },
  ]);
  await db.insert('account', [
    at.account(STUDENT.accountId, STUDENT.email, { password: hash }),
    at.account(SOCIAL.accountId, 'social@gmail.com', { provider: 'google', social_id: '109876543210987654321' }),
    at.account(DELETED.accountId, 'gone@test.com', { password: hash, deleted_at: '2024-02-01 00:00:00.000000' }),
    at.account(DISAGREEING.accountId, 'odd@test.com', { password: hash }),
  ]);
  await db.insert('member', [
    at.member(STUDENT.memberId, STUDENT.accountId, '김공부', 750, {
      status_message: '오늘도 열공 🔥',
      image_url: 'https://img/chick.png',
      active_record_id: TOP_ID,
    }),
    at.member(SOCIAL.memberId, SOCIAL.accountId, '구글친구', 500),
    at.member(DELETED.memberId, DELETED.accountId, '탈퇴', 500),
    at.member(DISAGREEING.memberId, DISAGREEING.accountId, '이상한', 900),
  ]);
  await db.insert('study_streak', [
    at.streak(1, STUDENT.memberId, 1),
    at.streak(2, SOCIAL.memberId, null),
    at.streak(3, DELETED.memberId, null),
  ]);
  await db.insert('study_category', [
    at.category(1, STUDENT.memberId, '수학'),
    at.category(2, STUDENT.memberId, '영어', { deleted_at: '2024-02-02 00:00:00.000000' }),
    at.category(3, STUDENT.memberId, '국어', { color: '#ff0000' }),
    at.category(4, DELETED.memberId, '탈퇴과목'),
  ]);
  await db.insert('study_record', [
    at.record(1, '2024-02-07 16:30:00', '2024-02-07 17:30:00'),
    at.record(2, '2024-02-08 14:00:00', '2024-02-08 14:50:00', { study_category_id: 3, status: 'Incompleted' }),
    at.record(3, '2024-02-08 10:00:00', null, { deleted_at: '2024-02-08 10:20:00.000000' }),
    at.record(4, '2024-02-02 10:00:00', '2024-02-02 10:30:00', { study_category_id: 2 }),
    at.record(5, '2024-02-10 10:00:00', '2024-02-10 09:00:00'),
    at.record(6, '2024-02-03 10:00:00', '2024-02-03 11:00:00', { member_id: DELETED.memberId, study_category_id: 4 }),
    at.record(TOP_ID, '2024-02-09 01:00:00', null, { study_category_id: null }),
  ]);
  await db.insert('item_inventory', [
    at.itemRow(1, STUDENT.memberId, 1, 0, 1),
    at.itemRow(2, STUDENT.memberId, 2, null, 3, { item_type: 'Consumable' }),
    at.itemRow(3, STUDENT.memberId, 1, 0, 0, { deleted_at: t }),
    at.itemRow(4, STUDENT.memberId, 4, 1200, 1),
  ]);
  await db.insert('character_inventory', [
    at.characterRow(1, STUDENT.memberId, 1, 2),
    at.characterRow(2, STUDENT.memberId, 9, 1),
    at.characterRow(3, STUDENT.memberId, TOP_CHARACTER_ID, 0),
  ]);
  await db.insert('transaction_record', [
    at.tx(1, STUDENT.memberId, 'Purchase', 200, 800),
    at.tx(2, STUDENT.memberId, 'Purchase', 150, 650),
    at.tx(3, STUDENT.memberId, 'Sell', 100, 750),
    at.tx(4, DISAGREEING.memberId, 'Purchase', 200, 800),
  ]);
  // A row the original's foreign keys would have stopped, as a damaged dump leaves it.
  await db.connection.query('SET FOREIGN_KEY_CHECKS = 0');
  await db.insert('study_record', [
    at.record(7, '2024-02-05 10:00:00', '2024-02-05 11:00:00', { member_id: ORPHAN_MEMBER, study_category_id: null }),
  ]);
  await db.connection.query('SET FOREIGN_KEY_CHECKS = 1');
}

const uuid = (kind: number, n: number) =>
  `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * A large, consistent original database (points equal the last transaction's balance, one running
 * session per tenth member): for the resume test and the import benchmark.
 */
export async function loadBulk(db: OriginalDatabase, members: number, records: number): Promise<void> {
  const hash = await bcrypt.hash('bulkpass1', 4); // one hash for all: bcrypt at cost 10 × 10,000 is minutes
  const at = rowsAt('2024-01-01 00:00:00.000000');
  await db.insert('role', at.roles);
  await db.insert('palette', [at.palette]);
  await db.insert('character', [at.character]);
  await db.insert('item', [at.food]);
  const ids = Array.from({ length: members }, (_, i) => i + 1);
  const running = (i: number) => i % 10 === 0;
  const perMember = Math.ceil(records / members);
  const point = (i: number) => 500 + (i % 7) * 100;
  await db.insert(
    'account',
    ids.map((i) => at.account(uuid(1, i), `bulk${i}@test.com`, { password: hash })),
  );
  await db.insert(
    'member',
    ids.map((i) =>
      at.member(uuid(2, i), uuid(1, i), `공부${i}`, point(i), {
        active_record_id: running(i) ? (i - 1) * perMember + 1 : null,
      }),
    ),
  );
  await db.insert(
    'study_streak',
    ids.map((i) => at.streak(i, uuid(2, i), i % 2 ? 1 : null)),
  );
  await db.insert(
    'study_category',
    ids.map((i) => at.category(i, uuid(2, i), '수학')),
  );
  await db.insert(
    'item_inventory',
    ids.map((i) => at.itemRow(i, uuid(2, i), 1, 3600 - (i % 3600), 1)),
  );
  await db.insert(
    'character_inventory',
    ids.map((i) => at.characterRow(i, uuid(2, i), 1, 1 + (i % 3))),
  );
  await db.insert(
    'transaction_record',
    ids.map((i) => at.tx(i, uuid(2, i), 'Sell', 100, point(i), '판매')),
  );
  const rows: Record<string, unknown>[] = [];
  for (let r = 1; r <= records; r++) {
    const i = Math.min(members, Math.floor((r - 1) / perMember) + 1);
    const open = running(i) && r === (i - 1) * perMember + 1;
    const start = new Date(Date.UTC(2024, 0, 1) + r * 600_000);
    const text = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
    const end = open ? null : text(new Date(start.getTime() + 1_500_000));
    rows.push(at.record(r, text(start), end, { member_id: uuid(2, i), study_category_id: i }));
    if (rows.length === 5000) await db.insert('study_record', rows.splice(0));
  }
  await db.insert('study_record', rows);
}
