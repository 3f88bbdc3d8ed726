import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { actors } from './support/actors.js';
import { useApp } from './support/app.js';
import { expectError } from './support/bad-input.js';
import { useDb } from './support/db.js';
import { createCharacter, createItem, insertPalette } from './support/factories.js';
import { registerAndLogin, type Reply } from './support/http.js';
import { pointsOf, REFUSED, setPoints } from './support/shop-kit.js';

const { FOOD_CAP, ITEM_NOT_OWNED, NOTHING_TO_USE, NOT_ENOUGH_POINTS, SELL_TOO_MANY } = REFUSED;

// The shop's locking transactions under real concurrency: many HTTP requests in flight at once
// against the real server. Each purchase, sale and use is one transaction locking the member row,
// so whatever the interleaving the books balance and nothing is spent, used or sold twice. Only
// invariants are asserted: which request wins is up to the scheduler.

interface TxRecord {
  transaction_record_id: number;
  transaction_type: 'Purchase' | 'Sell' | 'Reward';
  amount: number;
  count: number;
  balance_after_transaction: number;
  notes: string;
}
interface InventoryEntry {
  item_inventory_id: string;
  progress: number | null;
  quantity: number;
  item?: { item_id: number };
}
interface Character {
  character_id: number;
  grade: string;
  sell_price: number;
}
type User = Awaited<ReturnType<typeof registerAndLogin>>;

const unique = (what: string) => `${what} ${randomUUID().slice(0, 8)}`;

const app = useApp();
const { api } = app;
const db = useDb();
beforeAll(async () => {
  // Food 10000 draws C, B or A: one live character of each, so no draw finds an empty grade even
  // before the seeded catalogue exists.
  for (const grade of ['C', 'B', 'A']) await createCharacter(db, grade);
  // Palette tickets need palettes; two, so a ticket can always change the current one.
  for (let i = 0; i < 2; i++) await insertPalette(db, unique('concurrency palette'));
});

async function memberWith(points: number): Promise<User> {
  const u = await registerAndLogin(api);
  await setPoints(db, u.memberId, points);
  return u;
}
type Booked = { data: { transaction_record: TxRecord } };
const member = actors(api);
const purchase = (u: User, itemId: number, count: number) => member.purchase<Booked>(u, itemId, count);
const sell = (u: User, characterInventoryId: string, count: number) =>
  member.sell<Booked>(u, characterInventoryId, count);
const { use, characterInventory } = member;
const inventory = (u: User, type: 'Food' | 'Consumable'): Promise<InventoryEntry[]> => member.itemInventory(u, type);
const ok = (replies: Reply[], status: number) => replies.filter((r) => r.status === status);

/** The member's transaction records as the database holds them, by id (the order they were written). */
async function recordsOf(memberId: string): Promise<TxRecord[]> {
  const r = await db.query(
    `select transaction_record_id id, transaction_type, amount, count, balance_after_transaction, notes
       from transaction_record where member_id = $1 order by transaction_record_id`,
    [memberId],
  );
  return r.rows.map(({ id, ...rest }: { id: string } & Omit<TxRecord, 'transaction_record_id'>) => ({
    transaction_record_id: Number(id),
    ...rest,
  }));
}

/**
 * Each record's balance is the previous one moved by its amount, from `start`, and never below 0:
 * what a serial history gives, whatever the concurrency. The last balance.
 */
function expectChain(start: number, records: TxRecord[]): number {
  let balance = start;
  const expected = records.map((r) => (balance += r.transaction_type === 'Purchase' ? -r.amount : r.amount));
  expect(records.map((r) => r.balance_after_transaction)).toEqual(expected);
  expect(Math.min(start, ...expected)).toBeGreaterThanOrEqual(0);
  return balance;
}

/** The 201 bodies are exactly the records written, one each. */
function expectRepliesAreRecords(replies: Reply<{ data: { transaction_record: TxRecord } }>[], records: TxRecord[]) {
  const answered = replies.map((r) => r.body.data.transaction_record);
  expect([...answered].sort((a, b) => a.transaction_record_id - b.transaction_record_id)).toEqual(records);
  expect(new Set(answered.map((r) => r.transaction_record_id)).size).toBe(answered.length);
}

/** Fires `counts.length` purchases at once and checks the books; what was bought, by count. */
async function overspend(u: User, start: number, itemId: number, name: string, cost: number, counts: number[]) {
  const replies = await Promise.all(counts.map((count) => purchase(u, itemId, count)));
  const records = await recordsOf(u.memberId);
  const bought = records.map((r) => r.count);

  expect(replies.filter((r) => r.status !== 201 && r.status !== 400).map((r) => r.text)).toEqual([]);
  for (const r of ok(replies, 400)) expectError(r, NOT_ENOUGH_POINTS);
  expectRepliesAreRecords(ok(replies, 201), records);
  for (const r of records) {
    expect(r).toMatchObject({
      transaction_type: 'Purchase',
      amount: cost * r.count,
      notes: `${name} ${r.count}개 구매`,
    });
  }
  // Balances only fall, so a refused purchase means the final balance is below its amount too:
  // nothing was refused that the points could have paid for.
  const final = expectChain(start, records);
  const balances = records.map((r) => r.balance_after_transaction);
  expect(balances).toEqual([...new Set(balances)].sort((a, b) => b - a)); // distinct and falling
  const refusedAmounts = counts.filter((_, i) => replies[i]!.status === 400).map((count) => cost * count);
  expect(final).toBeLessThan(Math.min(Infinity, ...refusedAmounts));
  expect(await pointsOf(db, u.memberId)).toBe(final);
  const me = await api.get('/timer-api/members/me', { token: u.accessToken });
  expect(me.body.data.member.point).toBe(final);
  // One stack per consumable, holding every unit bought.
  const stacks = (await inventory(u, 'Consumable')).filter((s) => s.item?.item_id === itemId);
  const units = bought.reduce((a, b) => a + b, 0);
  expect(stacks.map((s) => s.quantity)).toEqual(units > 0 ? [units] : []);
  return { final, bought };
}

describe('purchases that together exceed the balance', () => {
  it('50 at once, 30 points × count 1–3 from 1000: the books balance and the stack holds what was paid for', async () => {
    const name = unique('concurrency snack');
    const itemId = await createItem(db, { type: 'Consumable', cost: 30, effectCode: 20000, name });
    const u = await memberWith(1000);
    const counts = Array.from({ length: 50 }, (_, i) => (i % 3) + 1);
    const { final, bought } = await overspend(u, 1000, itemId, name, 30, counts);
    // 1000 = 33 × 30 + 10: at least 31 units were paid for, whatever the order (a refusal leaves < 90).
    expect(bought.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(31);
    expect(final).toBeLessThan(90);
  });

  it('50 at once, 50 points each from 1000: exactly 20 succeed, 30 are refused, 0 points left', async () => {
    const name = unique('concurrency ticket');
    const itemId = await createItem(db, { type: 'Consumable', cost: 50, effectCode: 20000, name });
    const u = await memberWith(1000);
    const { final, bought } = await overspend(u, 1000, itemId, name, 50, Array<number>(50).fill(1));
    expect(bought).toEqual(Array(20).fill(1));
    expect(final).toBe(0);
  });

  it('150 affordable purchases at once by one member: all 201 (a long queue that moves is not refused), the books balance', async () => {
    const name = unique('concurrency burst');
    const itemId = await createItem(db, { type: 'Consumable', cost: 2, effectCode: 20000, name });
    const u = await memberWith(1000);
    const replies = await Promise.all(Array.from({ length: 150 }, () => purchase(u, itemId, 1)));
    expect(replies.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    const records = await recordsOf(u.memberId);
    expectRepliesAreRecords(replies, records);
    expect(expectChain(1000, records)).toBe(700);
    expect(await pointsOf(db, u.memberId)).toBe(700);
    expect((await inventory(u, 'Consumable')).find((s) => s.item?.item_id === itemId)?.quantity).toBe(150);
  });

  it("4 members × 50 purchases at once: each member's books balance on their own", async () => {
    const name = unique('concurrency shared');
    const itemId = await createItem(db, { type: 'Consumable', cost: 30, effectCode: 20000, name });
    const starts = [1000, 700, 450, 90];
    const members = await Promise.all(starts.map(memberWith));
    const counts = Array.from({ length: 50 }, (_, i) => ((i * 7) % 3) + 1);
    const results = await Promise.all(members.map((u, i) => overspend(u, starts[i]!, itemId, name, 30, counts)));
    // Every member was refused something, so each is left with less than the largest purchase.
    for (const { final } of results) expect(final).toBeLessThan(90);
  });
});

describe('the food cap under concurrency', () => {
  it('10 purchases of 1 food at once, with points for all: exactly 4 succeed, 6 hit the cap', async () => {
    const name = unique('concurrency food');
    const itemId = await createItem(db, { type: 'Food', cost: 10, name });
    const u = await memberWith(100);
    const replies = await Promise.all(Array.from({ length: 10 }, () => purchase(u, itemId, 1)));
    expect(ok(replies, 201)).toHaveLength(4);
    expect(ok(replies, 400)).toHaveLength(6);
    for (const r of ok(replies, 400)) expectError(r, FOOD_CAP);
    const records = await recordsOf(u.memberId);
    expectRepliesAreRecords(ok(replies, 201), records);
    expect(expectChain(100, records)).toBe(60);
    expect(await pointsOf(db, u.memberId)).toBe(60);
    // Each unit its own growing row.
    expect((await inventory(u, 'Food')).map((f) => [f.item?.item_id, f.quantity, f.progress])).toEqual(
      Array(4).fill([itemId, 1, 3600]),
    );
  });
});

describe('using an item under concurrency', () => {
  it('10 uses of one ready food at once: one character, nine 404, one more unit in the inventory', async () => {
    const itemId = await createItem(db, { type: 'Food', cost: 10, requiredStudyTime: 0, name: unique('ready food') });
    const u = await memberWith(100);
    expect((await purchase(u, itemId, 1)).status).toBe(201);
    const [food] = await inventory(u, 'Food');
    expect(food).toMatchObject({ progress: 0, quantity: 1 });

    const replies = await Promise.all(Array.from({ length: 10 }, () => use(u, food!.item_inventory_id)));
    const hatched = ok(replies, 200);
    expect(hatched).toHaveLength(1);
    expect(ok(replies, 404)).toHaveLength(9);
    for (const r of ok(replies, 404)) expectError(r, ITEM_NOT_OWNED);

    const { character_inventory_id: id, character } = hatched[0]!.body.data as {
      character_inventory_id: number;
      character: Character;
    };
    expect(['C', 'B', 'A']).toContain(character.grade);
    const pool = await api.get(`/characters?grade=${encodeURIComponent(character.grade)}`, { token: u.accessToken });
    expect(pool.body.data.characters.map((c: Character) => c.character_id)).toContain(character.character_id);
    expect(await characterInventory(u)).toEqual([{ character_inventory_id: String(id), quantity: 1, character }]);
    expect(await inventory(u, 'Food')).toEqual([]);
  });

  it('10 uses of a palette-ticket stack of 3 at once: exactly 3 palettes, 7 × nothing left, quantity 0', async () => {
    const itemId = await createItem(db, { type: 'Consumable', cost: 10, effectCode: 20000, name: unique('ticket') });
    const u = await memberWith(100);
    expect((await purchase(u, itemId, 3)).status).toBe(201);
    const [stack] = await inventory(u, 'Consumable');
    expect(stack).toMatchObject({ quantity: 3 });

    const replies = await Promise.all(Array.from({ length: 10 }, () => use(u, stack!.item_inventory_id)));
    expect(ok(replies, 200)).toHaveLength(3);
    expect(ok(replies, 400)).toHaveLength(7);
    for (const r of ok(replies, 400)) expectError(r, NOTHING_TO_USE);

    // The row stays, at exactly 0; the inventory no longer lists it.
    const row = await db.query('select quantity from item_inventory where item_inventory_id = $1', [
      stack!.item_inventory_id,
    ]);
    expect(row.rows).toEqual([{ quantity: 0 }]);
    expect(await inventory(u, 'Consumable')).toEqual([]);
    // The streak holds the palette of whichever use ran last.
    const given = ok(replies, 200).map((r) => (r.body.data.palette as { palette_id: number }).palette_id);
    const streak = await api.get(`/timer-api/members/${u.memberId}/study-streak`, { token: u.accessToken });
    expect(given).toContain(streak.body.data.palette.palette_id);
  });
});

/** A character row of `quantity` units of a fresh character, as hatching would leave it; its Nest id. */
async function characterRow(u: User, sellPrice: number, quantity: number): Promise<string> {
  const characterId = await createCharacter(db, 'C', sellPrice);
  const r = await db.query(
    `insert into character_inventory (member_id, character_id, quantity) values ($1, $2, $3)
     returning character_inventory_id::text id`,
    [u.memberId, characterId, quantity],
  );
  return r.rows[0].id as string;
}
const quantityOf = async (characterInventoryId: string) =>
  (await db.query('select quantity from character_inventory where character_inventory_id = $1', [characterInventoryId]))
    .rows[0].quantity as number;

describe('selling under concurrency', () => {
  it.each([
    [1, 5, 0],
    [2, 2, 1],
    [3, 1, 2],
  ])('10 sales of count %i from a row of 5 at once: %i succeed, %i left, never negative', async (count, sold, left) => {
    const u = await memberWith(100);
    const row = await characterRow(u, 70, 5);
    const replies = await Promise.all(Array.from({ length: 10 }, () => sell(u, row, count)));
    expect(ok(replies, 201)).toHaveLength(sold);
    expect(ok(replies, 400)).toHaveLength(10 - sold);
    for (const r of ok(replies, 400)) expectError(r, SELL_TOO_MANY);
    const records = await recordsOf(u.memberId);
    expectRepliesAreRecords(ok(replies, 201), records);
    expect(records.every((r) => r.transaction_type === 'Sell' && r.amount === 70 * count)).toBe(true);
    expect(expectChain(100, records)).toBe(100 + 70 * count * sold);
    expect(await pointsOf(db, u.memberId)).toBe(100 + 70 * count * sold);
    expect(await quantityOf(row)).toBe(left);
    expect((await characterInventory(u)).map((c) => c.quantity)).toEqual(left > 0 ? [left] : []);
  });
});

describe('purchases and sales of one member interleaved', () => {
  it('20 purchases and 10 sales at once: the balance is start − purchases + sales, record by record', async () => {
    const name = unique('interleaved snack');
    const itemId = await createItem(db, { type: 'Consumable', cost: 50, effectCode: 20000, name });
    const u = await memberWith(120);
    const row = await characterRow(u, 40, 10);
    // Interleaved: two purchases, one sale, …
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 3 === 2 ? sell(u, row, 1) : purchase(u, itemId, 1))),
    );
    const sales = replies.filter((_, i) => i % 3 === 2);
    const purchases = replies.filter((_, i) => i % 3 !== 2);
    expect(sales.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(purchases.filter((r) => r.status !== 201 && r.status !== 400).map((r) => r.text)).toEqual([]);
    for (const r of ok(purchases, 400)) expectError(r, NOT_ENOUGH_POINTS);

    const records = await recordsOf(u.memberId);
    expectRepliesAreRecords(ok(replies, 201), records);
    const bought = records.filter((r) => r.transaction_type === 'Purchase');
    const soldRecords = records.filter((r) => r.transaction_type === 'Sell');
    expect(bought).toHaveLength(ok(purchases, 201).length);
    expect(soldRecords).toHaveLength(10);
    const sum = (rs: TxRecord[]) => rs.reduce((a, r) => a + r.amount, 0);
    const final = expectChain(120, records);
    expect(final).toBe(120 - sum(bought) + sum(soldRecords));
    expect(await pointsOf(db, u.memberId)).toBe(final);
    // 120 + 400 from sales pays for at most 10 purchases of 50; the opening 120 for at least 2.
    expect(bought.length).toBeGreaterThanOrEqual(2);
    expect(bought.length).toBeLessThanOrEqual(10);
    expect(await quantityOf(row)).toBe(0);
    expect((await inventory(u, 'Consumable')).map((s) => s.quantity)).toEqual([bought.length]);
  });
});
