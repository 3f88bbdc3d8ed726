import { describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import { type Expected, expectError, forbidden, unauthenticated } from './support/bad-input.js';
import { useDb } from './support/db.js';
import { createCharacter, createItem } from './support/factories.js';
import { registerAndLogin } from './support/http.js';
import {
  accountOnly,
  catalogueRow,
  expectRecordBody,
  keysOf,
  pick,
  pointsOf,
  REFUSED,
  setPoints,
} from './support/shop-kit.js';
import { transactions } from './support/study-db.js';

const { COUNT_TOO_LARGE, COUNT_TOO_SMALL, FOOD_CAP, ITEM_NOT_FOUND, NOT_ENOUGH_POINTS, USER_NOT_FOUND } = REFUSED;

// The wire contract of N25, N14, N15 and S1 with the original's purchase rules and our shop fixes
// (docs/decisions.md, Shop, items and characters). S2–S4 are in shop-contract-use.e2e.ts.

// Key orders, as the originals' serialisers wrote them.
const ITEM_KEYS = 'item_id,item_type,name,description,cost,required_study_time,image_url,grade,is_hidden';
const ROW_KEYS = 'item_inventory_id,progress,quantity,item_type';
const CHARACTER_KEYS = 'character_id,name,description,sell_price,image_url,grade';

const app = useApp();
const { api } = app;
const db = useDb();

type User = Awaited<ReturnType<typeof registerAndLogin>>;
const purchase = (token: string, json: unknown) => api.post('/v2/shop/purchase', { token, json });
const items = (u: User, type: string) => api.get(`/timer-api/items?item_type=${type}`, { token: u.accessToken });
const itemInventory = (u: User, type: string, token = u.accessToken) =>
  api.get(`/timer-api/members/${u.memberId}/item-inventory?item_type=${type}`, { token });
const characterInventory = (u: User, token = u.accessToken) =>
  api.get(`/timer-api/members/${u.memberId}/character-inventory`, { token });
const softDelete = (table: 'item' | 'character', id: number) =>
  db.query(`update ${table} set deleted_at = now() where ${table}_id = $1`, [id]);

/** N25/N14's item: the catalogue row without effect_code and timestamps. */
const itemJson = async (id: number) => pick(await catalogueRow(db, 'item', id), ITEM_KEYS);

/** Every inventory row of the member, deleted and empty ones included. */
async function inventoryRows(memberId: string) {
  const r = await db.query(
    `select item_inventory_id::text id, item_id, item_type, quantity, progress, deleted_at is not null deleted
       from item_inventory where member_id = $1 order by item_inventory_id`,
    [memberId],
  );
  return r.rows as { id: string; item_id: number; item_type: string; quantity: number; progress: number | null }[];
}

async function inventoryRow(memberId: string, itemId: number, type: string, quantity: number, progress: number | null) {
  const r = await db.query(
    `insert into item_inventory (member_id, item_id, item_type, quantity, progress) values ($1, $2, $3, $4, $5)
     returning item_inventory_id::text id`,
    [memberId, itemId, type, quantity, progress],
  );
  return r.rows[0].id as string;
}

async function characterRow(memberId: string, characterId: number, quantity: number) {
  const r = await db.query(
    `insert into character_inventory (member_id, character_id, quantity) values ($1, $2, $3)
     returning character_inventory_id::text id`,
    [memberId, characterId, quantity],
  );
  return r.rows[0].id as string;
}

const state = async (memberId: string) => ({
  points: await pointsOf(db, memberId),
  inventory: await inventoryRows(memberId),
  transactions: await transactions(db, memberId),
});

/** A refused purchase answers `expected` and leaves points, inventory and records as they were. */
async function refused(u: User, json: unknown, expected: Expected) {
  const before = await state(u.memberId);
  expectError(await purchase(u.accessToken, json), expected);
  expect(await state(u.memberId)).toEqual(before);
}

describe('N25 GET /items', () => {
  it('lists live, visible items of that type with the exact shape: no effect_code, no timestamps', async () => {
    const u = await registerAndLogin(api);
    const food = await createItem(db, { type: 'Food' });
    const consumable = await createItem(db, { type: 'Consumable' });
    const hidden = await createItem(db, { type: 'Food', hidden: true });
    const deleted = await createItem(db, { type: 'Food', deleted: true });
    const r = await items(u, 'Food');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['status', 'data']);
    const listed = r.body.data.items as { item_id: number; item_type: string }[];
    const mine = listed.find((i) => i.item_id === food);
    expect(mine).toEqual(await itemJson(food));
    expect(keysOf(mine!)).toBe(ITEM_KEYS);
    expect(mine).toMatchObject({ item_type: 'Food', required_study_time: 3600, grade: 'C~A', is_hidden: false });
    const ids = listed.map((i) => i.item_id);
    expect(ids).not.toContain(hidden);
    expect(ids).not.toContain(deleted);
    expect(ids).not.toContain(consumable);
    expect(listed.every((i) => i.item_type === 'Food')).toBe(true);
  });

  it('item_type=Consumable lists consumables only, with null study time and grade', async () => {
    const u = await registerAndLogin(api);
    const food = await createItem(db, { type: 'Food' });
    const consumable = await createItem(db, { type: 'Consumable' });
    const listed = (await items(u, 'Consumable')).body.data.items as { item_id: number; item_type: string }[];
    const mine = listed.find((i) => i.item_id === consumable);
    expect(mine).toEqual(await itemJson(consumable));
    expect(mine).toMatchObject({ item_type: 'Consumable', required_study_time: null, grade: null });
    expect(listed.map((i) => i.item_id)).not.toContain(food);
    expect(listed.every((i) => i.item_type === 'Consumable')).toBe(true);
  });
});

describe('N14 GET /members/:id/item-inventory', () => {
  it('live rows with quantity > 0 of that type, exact shape, decimal-string ids', async () => {
    const u = await registerAndLogin(api);
    const food = await createItem(db, { type: 'Food' });
    const ticket = await createItem(db, { type: 'Consumable' });
    const growing = await inventoryRow(u.memberId, food, 'Food', 1, 1200);
    const ready = await inventoryRow(u.memberId, food, 'Food', 1, null);
    await inventoryRow(u.memberId, food, 'Food', 0, 0); // a food emptied but not deleted
    await db.query('update item_inventory set deleted_at = now() where item_inventory_id = $1', [
      await inventoryRow(u.memberId, food, 'Food', 1, 0),
    ]);
    const tickets = await inventoryRow(u.memberId, ticket, 'Consumable', 3, null);

    const r = await itemInventory(u, 'Food');
    expect(r.status).toBe(200);
    const foodJson = await itemJson(food);
    expect(r.body).toEqual({
      status: 'success',
      data: {
        item_inventory: [
          { item_inventory_id: growing, progress: 1200, quantity: 1, item_type: 'Food', item: foodJson },
          { item_inventory_id: ready, progress: null, quantity: 1, item_type: 'Food', item: foodJson },
        ],
      },
    });
    const first = r.body.data.item_inventory[0];
    expect(keysOf(first)).toBe(`${ROW_KEYS},item`);
    expect(keysOf(first.item)).toBe(ITEM_KEYS);
    expect(first.item_inventory_id).toMatch(/^\d+$/);

    const item = await itemJson(ticket);
    expect((await itemInventory(u, 'Consumable')).body.data).toEqual({
      item_inventory: [{ item_inventory_id: tickets, progress: null, quantity: 3, item_type: 'Consumable', item }],
    });
  });

  it('a row whose item was soft-deleted comes without the item key', async () => {
    const u = await registerAndLogin(api);
    const food = await createItem(db, { type: 'Food' });
    const id = await inventoryRow(u.memberId, food, 'Food', 1, 3600);
    await softDelete('item', food);
    const listed = (await itemInventory(u, 'Food')).body.data.item_inventory[0];
    expect(listed).toEqual({ item_inventory_id: id, progress: 3600, quantity: 1, item_type: 'Food' });
    expect(keysOf(listed)).toBe(ROW_KEYS);
  });

  it("owner only: another member's id → 403, no token → 401 (Nest bodies)", async () => {
    const [u, other] = [await registerAndLogin(api), await registerAndLogin(api)];
    expectError(await itemInventory(u, 'Food', other.accessToken), forbidden);
    expectError(await api.get(`/timer-api/members/${u.memberId}/item-inventory?item_type=Food`), unauthenticated);
  });
});

describe('N15 GET /members/:id/character-inventory', () => {
  it('rows with quantity > 0, exact shape, key order, null description, deleted character without the key', async () => {
    const u = await registerAndLogin(api);
    const [kept, plain, gone, sold] = [
      await createCharacter(db, 'C', 150),
      await createCharacter(db, 'B', 300),
      await createCharacter(db, 'A'),
      await createCharacter(db, 'C'),
    ];
    await db.query('update character set description = null where character_id = $1', [plain]);
    const keptRow = await characterRow(u.memberId, kept, 2);
    const plainRow = await characterRow(u.memberId, plain, 1);
    const goneRow = await characterRow(u.memberId, gone, 1);
    await characterRow(u.memberId, sold, 0);
    await softDelete('character', gone);
    const character = async (id: number) => pick(await catalogueRow(db, 'character', id), CHARACTER_KEYS);

    const r = await characterInventory(u);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      status: 'success',
      data: {
        character_inventory: [
          { character_inventory_id: keptRow, quantity: 2, character: await character(kept) },
          { character_inventory_id: plainRow, quantity: 1, character: await character(plain) },
          { character_inventory_id: goneRow, quantity: 1 },
        ],
      },
    });
    const [first, second, last] = r.body.data.character_inventory;
    expect(first.character).toMatchObject({ character_id: kept, sell_price: 150, grade: 'C' });
    expect(second.character).toMatchObject({ character_id: plain, description: null, sell_price: 300, grade: 'B' });
    expect(keysOf(first)).toBe('character_inventory_id,quantity,character');
    expect(keysOf(first.character)).toBe(CHARACTER_KEYS);
    expect(keysOf(last)).toBe('character_inventory_id,quantity');
  });

  it("owner only: another member's id → 403, no token → 401 (Nest bodies)", async () => {
    const [u, other] = [await registerAndLogin(api), await registerAndLogin(api)];
    expectError(await characterInventory(u, other.accessToken), forbidden);
    expectError(await api.get(`/timer-api/members/${u.memberId}/character-inventory`), unauthenticated);
  });
});

describe('S1 POST /v2/shop/purchase: checks in order', () => {
  it('1. an unknown item → 404, before the count check', async () => {
    const u = await registerAndLogin(api);
    await refused(u, { item_id: 2_000_000_000, count: 1 }, ITEM_NOT_FOUND);
    await refused(u, { item_id: 2_000_000_000, count: 0 }, ITEM_NOT_FOUND);
  });

  it('1. a soft-deleted item → the same 404', async () => {
    const u = await registerAndLogin(api);
    await refused(u, { item_id: await createItem(db, { deleted: true }), count: 1 }, ITEM_NOT_FOUND);
  });

  it('1. a hidden item → the same 404 as an unknown one, before the points check', async () => {
    const u = await registerAndLogin(api);
    await refused(u, { item_id: await createItem(db, { hidden: true, cost: 100 }), count: 1 }, ITEM_NOT_FOUND);
    await refused(u, { item_id: await createItem(db, { hidden: true, cost: 10_000 }), count: 1 }, ITEM_NOT_FOUND);
  });

  it('2. a member who never called /members/me → 404 user, after the item check', async () => {
    const token = await accountOnly(api);
    expectError(await purchase(token, { item_id: 2_000_000_000, count: 1 }), ITEM_NOT_FOUND);
    expectError(await purchase(token, { item_id: await createItem(db), count: 1 }), USER_NOT_FOUND);
    expectError(await purchase(token, { item_id: await createItem(db), count: 0 }), USER_NOT_FOUND);
  });

  it('3. count ≤ 0 → 400, before the points check', async () => {
    const u = await registerAndLogin(api);
    const dear = await createItem(db, { cost: 10_000 });
    await refused(u, { item_id: dear, count: 0 }, COUNT_TOO_SMALL);
    await refused(u, { item_id: dear, count: -1 }, COUNT_TOO_SMALL);
  });

  it('3. count over 999 → 400, before the points check; 999 with enough points is fine', async () => {
    const u = await registerAndLogin(api);
    const cheap = await createItem(db, { type: 'Consumable', cost: 1 });
    await refused(u, { item_id: cheap, count: 1000 }, COUNT_TOO_LARGE);
    await setPoints(db, u.memberId, 10_000);
    await refused(u, { item_id: cheap, count: 1000 }, COUNT_TOO_LARGE);
    const r = await purchase(u.accessToken, { item_id: cheap, count: 999 });
    expect(r.status).toBe(201);
    expect(r.body.data.transaction_record).toMatchObject({ amount: 999, count: 999, balance_after_transaction: 9001 });
    expect((await inventoryRows(u.memberId)).map((row) => row.quantity)).toEqual([999]);
  });

  it('4. cost × count over the points → 400; exactly the points is fine', async () => {
    const u = await registerAndLogin(api); // 500 points
    await refused(u, { item_id: await createItem(db, { type: 'Consumable', cost: 251 }), count: 2 }, NOT_ENOUGH_POINTS);
    const exact = await createItem(db, { type: 'Consumable', cost: 250 });
    expect((await purchase(u.accessToken, { item_id: exact, count: 2 })).status).toBe(201);
    expect(await pointsOf(db, u.memberId)).toBe(0);
  });

  it('4. points are checked before the food cap', async () => {
    const u = await registerAndLogin(api);
    await refused(u, { item_id: await createItem(db, { cost: 200 }), count: 5 }, NOT_ENOUGH_POINTS);
  });

  it('5. the food cap counts units: four fine, a fifth refused; a used food frees a place', async () => {
    const u = await registerAndLogin(api);
    await setPoints(db, u.memberId, 10_000);
    const food = await createItem(db, { cost: 10 });
    expect((await purchase(u.accessToken, { item_id: food, count: 3 })).status).toBe(201);
    await refused(u, { item_id: food, count: 2 }, FOOD_CAP);
    expect((await purchase(u.accessToken, { item_id: await createItem(db, { cost: 10 }), count: 1 })).status).toBe(201);
    await refused(u, { item_id: food, count: 1 }, FOOD_CAP);
    const [first] = await inventoryRows(u.memberId);
    await db.query('update item_inventory set progress = 0 where item_inventory_id = $1', [first!.id]);
    // Whatever grade effect 10000 draws, its pool is not empty.
    for (const grade of ['C', 'B', 'A']) await createCharacter(db, grade);
    expect((await api.post(`/v2/item-inventory/${first!.id}`, { token: u.accessToken })).status).toBe(200);
    expect((await purchase(u.accessToken, { item_id: food, count: 1 })).status).toBe(201);
    await refused(u, { item_id: food, count: 1 }, FOOD_CAP);
  });

  it('5. consumables have no cap', async () => {
    const u = await registerAndLogin(api);
    const r = await purchase(u.accessToken, {
      item_id: await createItem(db, { type: 'Consumable', cost: 1 }),
      count: 20,
    });
    expect(r.status).toBe(201);
  });
});

describe('S1 POST /v2/shop/purchase: success', () => {
  it('201 with the transaction record (numeric id); points, record and one row of quantity 1 per food', async () => {
    const u = await registerAndLogin(api);
    const food = await createItem(db, { cost: 120, requiredStudyTime: 5400 });
    const name = (await catalogueRow(db, 'item', food)).name as string;
    const r = await purchase(u.accessToken, { item_id: food, count: 2 });
    expect(r.status).toBe(201);
    expectRecordBody(r.body, {
      transaction_type: 'Purchase',
      amount: 240,
      count: 2,
      balance_after_transaction: 260,
      notes: `${name} 2개 구매`,
    });
    expect(Number.isInteger(r.body.data.transaction_record.transaction_record_id)).toBe(true);
    expect(await pointsOf(db, u.memberId)).toBe(260);
    const notes = `${name} 2개 구매`;
    expect(await transactions(db, u.memberId)).toEqual([
      { transaction_type: 'Purchase', amount: 240, count: 2, balance_after_transaction: 260, notes },
    ]);
    const rows = await inventoryRows(u.memberId);
    const unit = { item_id: food, item_type: 'Food', quantity: 1, progress: 5400, deleted: false };
    expect(rows).toEqual([
      { id: rows[0]!.id, ...unit },
      { id: rows[1]!.id, ...unit },
    ]);
    const listed = (await itemInventory(u, 'Food')).body.data.item_inventory as { item_inventory_id: string }[];
    expect(listed.map((row) => row.item_inventory_id)).toEqual(rows.map((row) => row.id));
  });

  it('consumables of one item stack in one row; another item gets its own row', async () => {
    const u = await registerAndLogin(api);
    const [ticket, other] = [
      await createItem(db, { type: 'Consumable', cost: 10 }),
      await createItem(db, { type: 'Consumable', cost: 10 }),
    ];
    for (const count of [2, 3]) expect((await purchase(u.accessToken, { item_id: ticket, count })).status).toBe(201);
    expect((await purchase(u.accessToken, { item_id: other, count: 1 })).status).toBe(201);
    const rows = await inventoryRows(u.memberId);
    expect(rows.map(({ item_id, quantity, progress }) => ({ item_id, quantity, progress }))).toEqual([
      { item_id: ticket, quantity: 5, progress: null },
      { item_id: other, quantity: 1, progress: null },
    ]);
    expect(await pointsOf(db, u.memberId)).toBe(440);
    expect((await transactions(db, u.memberId)).map((t) => t.balance_after_transaction)).toEqual([480, 450, 440]);
  });
});

describe('S1 POST /v2/shop/purchase: Spring leniency (numeric strings count, a missing number is 0)', () => {
  it('numeric strings are read as numbers', async () => {
    const u = await registerAndLogin(api);
    const item = await createItem(db, { type: 'Consumable', cost: 10 });
    const r = await purchase(u.accessToken, { item_id: String(item), count: '2' });
    expect(r.status).toBe(201);
    expect(r.body.data.transaction_record).toMatchObject({ amount: 20, count: 2 });
  });

  it('a fractional count is truncated', async () => {
    const u = await registerAndLogin(api);
    const r = await purchase(u.accessToken, {
      item_id: await createItem(db, { type: 'Consumable', cost: 10 }),
      count: 2.7,
    });
    expect(r.status).toBe(201);
    expect(r.body.data.transaction_record).toMatchObject({ amount: 20, count: 2 });
    expect((await inventoryRows(u.memberId)).map((row) => row.quantity)).toEqual([2]);
  });

  it('a missing item_id reads as 0 → the item 404; a missing count reads as 0 → the count 400', async () => {
    const u = await registerAndLogin(api);
    await refused(u, { count: 1 }, ITEM_NOT_FOUND);
    await refused(u, { item_id: await createItem(db, { cost: 10 }) }, COUNT_TOO_SMALL);
  });
});
