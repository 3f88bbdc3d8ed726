import bcrypt from 'bcryptjs';
import type { OriginalDatabase } from './original-db.js';

// A large, consistent original database (points equal the last transaction's balance, one running
// session per tenth member): for the resume test and the import benchmark.

const uuid = (kind: number, n: number) =>
  `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export async function loadBulk(db: OriginalDatabase, members: number, records: number): Promise<void> {
  const hash = await bcrypt.hash('bulkpass1', 4); // one hash for all: bcrypt at cost 10 × 10,000 is minutes
  const t = '2024-01-01 00:00:00.000000';
  await db.insert('role', [
    { role_id: 1, name: 'Admin' },
    { role_id: 2, name: 'User' },
  ]);
  await db.insert('palette', [
    {
      palette_id: 1,
      grade: 'Rare',
      name: '파랑',
      light_color: '#aaaaff',
      normal_color: '#5555ff',
      dark_color: '#2222aa',
      darker_color: '#111155',
    },
  ]);
  await db.insert('character', [
    { character_id: 1, name: '병아리', description: null, grade: 'C', image_url: 'https://img/c.png', sell_price: 100 },
  ]);
  await db.insert('item', [
    {
      item_id: 1,
      name: '고기',
      item_type: 'Food',
      description: 'C~A',
      required_study_time: 3600,
      cost: 200,
      grade: 'C',
      image_url: 'https://img/m.png',
      effect_code: 10000,
      is_hidden: 0,
    },
  ]);
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
