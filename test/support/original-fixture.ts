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

/** The rows both databases start from: the two roles and one live palette, character and food. */
function baseRows(t: string) {
  const audit = { created_at: t, updated_at: t, deleted_at: null };
  return {
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
      ...audit,
    },
    character: {
      character_id: 1,
      name: '병아리',
      description: '삐약',
      grade: 'C',
      image_url: 'https://img/chick.png',
      sell_price: 100,
      ...audit,
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
      ...audit,
    },
  };
}

export async function loadFixture(db: OriginalDatabase): Promise<void> {
  const hash = await bcrypt.hash(STUDENT.password, 10);
  const t = '2024-01-10 09:00:00.123456';
  const base = baseRows(t);
  await db.insert('role', [
    ...base.roles,
    // Longer than the target's column: only the target itself can refuse it, in the same batch as good rows.
    { role_id: 3, name: '운영자'.repeat(20) },
  ]);
  await db.insert('palette', [
    base.palette,
    {
      palette_id: 2,
      grade: 'Epik',
      name: '지운 색',
      light_color: '#ffaaaa',
      normal_color: '#ff5555',
      dark_color: '#aa2222',
      darker_color: '#551111',
      created_at: t,
      updated_at: t,
      deleted_at: t,
    },
  ]);
  await db.insert('character', [
    base.character,
    {
      character_id: 9,
      name: '사라진 용',
      description: null,
      grade: 'SS',
      image_url: 'https://img/dragon.png',
      sell_price: 9000,
      created_at: t,
      updated_at: t,
      deleted_at: t,
    },
    {
      character_id: TOP_CHARACTER_ID,
      name: '마지막 고양이',
      description: null,
      grade: 'S',
      image_url: 'https://img/cat.png',
      sell_price: 900,
      created_at: t,
      updated_at: t,
      deleted_at: null,
    },
  ]);
  await db.insert('item', [
    base.food,
    {
      item_id: 2,
      name: '팔레트 변경권',
      item_type: 'Consumable',
      description: '색 바꾸기',
      required_study_time: null,
      cost: 300,
      grade: null,
      image_url: 'https://img/ticket.png',
      effect_code: 20000,
      is_hidden: 0,
      created_at: t,
      updated_at: t,
      deleted_at: null,
    },
    {
      item_id: 3,
      name: '숨은 당근',
      item_type: 'Food',
      description: 'hidden',
      required_study_time: 7200,
      cost: 400,
      grade: 'B',
      image_url: 'https://img/carrot.png',
      effect_code: 10001,
      is_hidden: 1,
      created_at: t,
      updated_at: t,
      deleted_at: null,
    },
    {
      item_id: 4,
      name: '단종된 두부',
      item_type: 'Food',
      description: 'gone',
      required_study_time: 3600,
      cost: 600,
      grade: 'A',
      image_url: 'https://img/tofu.png',
      effect_code: 10002,
      is_hidden: 0,
      created_at: t,
      updated_at: t,
      deleted_at: t,
    },
  ]);
  const account = (id: string, email: string | null, extra: Record<string, unknown> = {}) => ({
    account_id: id,
    email,
    password: null,
    provider: 'email',
    social_id: null,
    role_id: 2,
    created_at: t,
    updated_at: t,
    deleted_at: null,
    ...extra,
  });
  await db.insert('account', [
    account(STUDENT.accountId, STUDENT.email, { password: hash }),
    account(SOCIAL.accountId, 'social@gmail.com', { provider: 'google', social_id: '109876543210987654321' }),
    account(DELETED.accountId, 'gone@test.com', { password: hash, deleted_at: '2024-02-01 00:00:00.000000' }),
    account(DISAGREEING.accountId, 'odd@test.com', { password: hash }),
  ]);
  const member = (
    id: string,
    accountId: string,
    nickname: string,
    point: number,
    extra: Record<string, unknown> = {},
  ) => ({
    member_id: id,
    nickname,
    image_url: '',
    active_record_id: null,
    point,
    study_streak_id: null,
    account_id: accountId,
    status_message: '',
    created_at: t,
    updated_at: t,
    deleted_at: null,
    ...extra,
  });
  await db.insert('member', [
    member(STUDENT.memberId, STUDENT.accountId, '김공부', 750, {
      status_message: '오늘도 열공 🔥',
      image_url: 'https://img/chick.png',
      active_record_id: TOP_ID,
    }),
    member(SOCIAL.memberId, SOCIAL.accountId, '구글친구', 500),
    member(DELETED.memberId, DELETED.accountId, '탈퇴', 500),
    member(DISAGREEING.memberId, DISAGREEING.accountId, '이상한', 900),
  ]);
  await db.insert('study_streak', [
    {
      study_streak_id: 1,
      current_streak: 0,
      longest_streak: 0,
      member_id: STUDENT.memberId,
      palette_id: 1,
      created_at: t,
      updated_at: t,
      deleted_at: null,
    },
    {
      study_streak_id: 2,
      current_streak: 0,
      longest_streak: 0,
      member_id: SOCIAL.memberId,
      palette_id: null,
      created_at: t,
      updated_at: t,
      deleted_at: null,
    },
    {
      study_streak_id: 3,
      current_streak: 0,
      longest_streak: 0,
      member_id: DELETED.memberId,
      palette_id: null,
      created_at: t,
      updated_at: t,
      deleted_at: null,
    },
  ]);
  await db.insert('study_category', [
    { study_category_id: 1, subject: '수학', color: '#000000', deleted_at: null, member_id: STUDENT.memberId },
    {
      study_category_id: 2,
      subject: '영어',
      color: '#000000',
      deleted_at: '2024-02-02 00:00:00.000000',
      member_id: STUDENT.memberId,
    },
    { study_category_id: 3, subject: '국어', color: '#ff0000', deleted_at: null, member_id: STUDENT.memberId },
    { study_category_id: 4, subject: '탈퇴과목', color: '#000000', deleted_at: null, member_id: DELETED.memberId },
  ]);
  const record = (id: string | number, start: string, end: string | null, extra: Record<string, unknown> = {}) => ({
    study_record_id: id,
    status: end ? 'Completed' : null,
    start_time: start,
    end_time: end,
    deleted_at: null,
    member_id: STUDENT.memberId,
    study_category_id: 1,
    ...extra,
  });
  await db.insert('study_record', [
    record(1, '2024-02-07 16:30:00', '2024-02-07 17:30:00'),
    record(2, '2024-02-08 14:00:00', '2024-02-08 14:50:00', { study_category_id: 3, status: 'Incompleted' }),
    record(3, '2024-02-08 10:00:00', null, { deleted_at: '2024-02-08 10:20:00.000000' }),
    record(4, '2024-02-02 10:00:00', '2024-02-02 10:30:00', { study_category_id: 2 }),
    record(5, '2024-02-10 10:00:00', '2024-02-10 09:00:00'),
    record(6, '2024-02-03 10:00:00', '2024-02-03 11:00:00', { member_id: DELETED.memberId, study_category_id: 4 }),
    record(TOP_ID, '2024-02-09 01:00:00', null, { study_category_id: null }),
  ]);
  await db.insert('item_inventory', [
    {
      item_inventory_id: 1,
      progress: 0,
      quantity: 1,
      item_type: 'Food',
      item_id: 1,
      member_id: STUDENT.memberId,
      created_at: t,
      updated_at: t,
      deleted_at: null,
    },
    {
      item_inventory_id: 2,
      progress: null,
      quantity: 3,
      item_type: 'Consumable',
      item_id: 2,
      member_id: STUDENT.memberId,
      created_at: t,
      updated_at: t,
      deleted_at: null,
    },
    {
      item_inventory_id: 3,
      progress: 0,
      quantity: 0,
      item_type: 'Food',
      item_id: 1,
      member_id: STUDENT.memberId,
      created_at: t,
      updated_at: t,
      deleted_at: t,
    },
    {
      item_inventory_id: 4,
      progress: 1200,
      quantity: 1,
      item_type: 'Food',
      item_id: 4,
      member_id: STUDENT.memberId,
      created_at: t,
      updated_at: t,
      deleted_at: null,
    },
  ]);
  await db.insert('character_inventory', [
    {
      character_inventory_id: 1,
      quantity: 2,
      character_id: 1,
      member_id: STUDENT.memberId,
      created_at: t,
      updated_at: t,
      deleted_at: null,
    },
    {
      character_inventory_id: 2,
      quantity: 1,
      character_id: 9,
      member_id: STUDENT.memberId,
      created_at: t,
      updated_at: t,
      deleted_at: null,
    },
    {
      character_inventory_id: 3,
      quantity: 0,
      character_id: TOP_CHARACTER_ID,
      member_id: STUDENT.memberId,
      created_at: t,
      updated_at: t,
      deleted_at: null,
    },
  ]);
  const tx = (id: number, memberId: string, type: string, amount: number, balance: number) => ({
    transaction_record_id: id,
    transaction_type: type,
    amount,
    count: 1,
    balance_after_transaction: balance,
    notes: `${type} 메모`,
    member_id: memberId,
    created_at: t,
    updated_at: t,
    deleted_at: null,
  });
  await db.insert('transaction_record', [
    tx(1, STUDENT.memberId, 'Purchase', 200, 800),
    tx(2, STUDENT.memberId, 'Purchase', 150, 650),
    tx(3, STUDENT.memberId, 'Sell', 100, 750),
    tx(4, DISAGREEING.memberId, 'Purchase', 200, 800),
  ]);
  // A row the original's foreign keys would have stopped, as a damaged dump leaves it.
  await db.connection.query('SET FOREIGN_KEY_CHECKS = 0');
  await db.insert('study_record', [
    record(7, '2024-02-05 10:00:00', '2024-02-05 11:00:00', { member_id: ORPHAN_MEMBER, study_category_id: null }),
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
  const t = '2024-01-01 00:00:00.000000';
  const base = baseRows(t);
  await db.insert('role', base.roles);
  await db.insert('palette', [base.palette]);
  await db.insert('character', [base.character]);
  await db.insert('item', [base.food]);
  const ids = Array.from({ length: members }, (_, i) => i + 1);
  await db.insert(
    'account',
    ids.map((i) => ({
      account_id: uuid(1, i),
      email: `bulk${i}@test.com`,
      password: hash,
      provider: 'email',
      role_id: 2,
      created_at: t,
      updated_at: t,
    })),
  );
  const running = (i: number) => i % 10 === 0;
  const perMember = Math.ceil(records / members);
  await db.insert(
    'member',
    ids.map((i) => ({
      member_id: uuid(2, i),
      nickname: `공부${i}`,
      image_url: '',
      point: 500 + (i % 7) * 100,
      account_id: uuid(1, i),
      status_message: '',
      active_record_id: running(i) ? (i - 1) * perMember + 1 : null,
      created_at: t,
      updated_at: t,
    })),
  );
  await db.insert(
    'study_streak',
    ids.map((i) => ({
      study_streak_id: i,
      current_streak: 0,
      longest_streak: 0,
      member_id: uuid(2, i),
      palette_id: i % 2 ? 1 : null,
      created_at: t,
      updated_at: t,
    })),
  );
  await db.insert(
    'study_category',
    ids.map((i) => ({ study_category_id: i, subject: '수학', member_id: uuid(2, i) })),
  );
  await db.insert(
    'item_inventory',
    ids.map((i) => ({
      item_inventory_id: i,
      progress: 3600 - (i % 3600),
      quantity: 1,
      item_type: 'Food',
      item_id: 1,
      member_id: uuid(2, i),
      created_at: t,
      updated_at: t,
    })),
  );
  await db.insert(
    'character_inventory',
    ids.map((i) => ({
      character_inventory_id: i,
      quantity: 1 + (i % 3),
      character_id: 1,
      member_id: uuid(2, i),
      created_at: t,
      updated_at: t,
    })),
  );
  await db.insert(
    'transaction_record',
    ids.map((i) => ({
      transaction_record_id: i,
      transaction_type: 'Sell',
      amount: 100,
      count: 1,
      balance_after_transaction: 500 + (i % 7) * 100,
      notes: '판매',
      member_id: uuid(2, i),
      created_at: t,
      updated_at: t,
    })),
  );
  const rows: Record<string, unknown>[] = [];
  for (let r = 1; r <= records; r++) {
    const i = Math.min(members, Math.floor((r - 1) / perMember) + 1);
    const open = running(i) && r === (i - 1) * perMember + 1;
    const start = new Date(Date.UTC(2024, 0, 1) + r * 600_000);
    const text = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
    rows.push({
      study_record_id: r,
      status: open ? null : 'Completed',
      start_time: text(start),
      end_time: open ? null : text(new Date(start.getTime() + 1_500_000)),
      member_id: uuid(2, i),
      study_category_id: i,
    });
    if (rows.length === 5000) await db.insert('study_record', rows.splice(0));
  }
  await db.insert('study_record', rows);
}
