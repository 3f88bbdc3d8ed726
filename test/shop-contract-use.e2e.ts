import { describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import { type Expected, expectError, spring } from './support/bad-input.js';
import { useDb } from './support/db.js';
import { createCharacter, createItem, insertPalette } from './support/factories.js';
import { type Client, registerAndLogin } from './support/http.js';
import {
  accountOnly,
  catalogueRow,
  expectRecordBody,
  keysOf,
  pick,
  pointsOf,
  REFUSED,
  ScriptedRandom,
} from './support/shop-kit.js';
import { transactions } from './support/study-db.js';

const {
  CHARACTER_NOT_FOUND,
  COUNT_TOO_SMALL,
  ITEM_NOT_OWNED,
  NOTHING_TO_USE,
  SELL_NOT_OWNED,
  SELL_TOO_MANY,
  STILL_GROWING,
  USER_NOT_FOUND,
} = REFUSED;

// The wire contract of S2 (sell), S3 (use) and S4 (characters of a grade), with the original's item
// use and selling rules and our shop fixes (docs/decisions.md, Shop, items and characters). The app's
// randomness is scripted so draws are pinned: a food's use takes int(100) for the grade, then
// int(pool size) for the character.

const BAD_BODY = spring(400, 'BAD_REQUEST', ['입력한 필드 타입이 올바른지 확인해주세요.']);
const UNAUTHORIZED = spring(401, 'UNAUTHORIZED', ['인증되지 않은 사용자의 접근입니다.']);
const SPRING_UNAUTHORIZED: Expected = { ...UNAUTHORIZED, body: { ...UNAUTHORIZED.body, code: 'UNAUTHENTICATED' } };
const NO_SUCH_ID = 999_999_999_999;
// Key orders, as Spring's DTOs wrote them.
const USED_CHARACTER_KEYS = 'character_id,name,description,grade,image_url,sell_price';
const LISTED_CHARACTER_KEYS = 'character_id,name,description,image_url,grade,sell_price';
const PALETTE_KEYS = 'palette_id,grade,name,light_color,normal_color,dark_color,darker_color';

const script = new ScriptedRandom();

const app = useApp({ random: script });
const { api } = app;
const db = useDb();

type User = Awaited<ReturnType<typeof registerAndLogin>>;
const sell = (token: string, json: unknown) => api.post('/v2/shop/sell', { token, json });
const use = (token: string, id: string | number) => api.post(`/v2/item-inventory/${id}`, { token });
const characters = (token: string, query = '') => api.get(`/characters${query}`, { token });
const itemInventory = async (u: User, type: string) =>
  (await api.get(`/timer-api/members/${u.memberId}/item-inventory?item_type=${type}`, { token: u.accessToken })).body
    .data.item_inventory as { item_inventory_id: string; quantity: number }[];
type CharacterInventory = { character_inventory_id: string; quantity: number; character?: { character_id: number } };
const characterInventory = async (u: User) =>
  (await api.get(`/timer-api/members/${u.memberId}/character-inventory`, { token: u.accessToken })).body.data
    .character_inventory as CharacterInventory[];

/** A character inventory row of the member; its id as text. */
async function owned(memberId: string, characterId: number, quantity: number): Promise<string> {
  const r = await db.query(
    `insert into character_inventory (member_id, character_id, quantity) values ($1, $2, $3)
     returning character_inventory_id::text id`,
    [memberId, characterId, quantity],
  );
  return r.rows[0].id as string;
}

/** An item bought through S1 (one unit); its inventory id, with progress set when given. */
async function bought(u: User, o: { type?: 'Food' | 'Consumable'; effectCode?: number; progress?: number | null }) {
  const item = await createItem(db, { type: o.type ?? 'Food', effectCode: o.effectCode, cost: 1 });
  const purchase = await api.post('/v2/shop/purchase', { token: u.accessToken, json: { item_id: item, count: 1 } });
  expect(purchase.status).toBe(201);
  const r = await db.query(
    `select item_inventory_id::text id from item_inventory
      where member_id = $1 and item_id = $2 and deleted_at is null`,
    [u.memberId, item],
  );
  const id = r.rows[0].id as string;
  if (o.progress !== undefined) {
    await db.query('update item_inventory set progress = $2 where item_inventory_id = $1', [id, o.progress]);
  }
  return id;
}
const readyFood = (u: User, effectCode = 10000) => bought(u, { effectCode, progress: 0 });

async function state(memberId: string) {
  const rows = async (table: string) =>
    (await db.query(`select * from ${table} where member_id = $1 order by 1`, [memberId])).rows as unknown[];
  return {
    points: await pointsOf(db, memberId),
    items: await rows('item_inventory'),
    characters: await rows('character_inventory'),
    transactions: await transactions(db, memberId),
  };
}

/** A refused call answers `expected` (a 500 included) and changes nothing of the member's. */
async function refused(u: User, call: () => ReturnType<Client['post']>, expected: Expected) {
  const before = await state(u.memberId);
  const reply = await call();
  if (expected.status === 500) expect({ status: reply.status, body: reply.body }).toEqual(expected);
  else expectError(reply, expected);
  expect(await state(u.memberId)).toEqual(before);
}

/** The live characters of a grade (S4), ordered by id as the draw sees them. */
async function pool(u: User, grade: string): Promise<number[]> {
  const listed = (await characters(u.accessToken, `?grade=${encodeURIComponent(grade)}`)).body.data.characters;
  return (listed as { character_id: number }[]).map((c) => c.character_id);
}

describe('S2 POST /v2/shop/sell: checks in order', () => {
  it('1. count ≤ 0 → 400 first, even for a missing row or a missing member', async () => {
    const u = await registerAndLogin(api);
    await refused(u, () => sell(u.accessToken, { character_inventory_id: NO_SUCH_ID, count: 0 }), COUNT_TOO_SMALL);
    await refused(u, () => sell(u.accessToken, { character_inventory_id: NO_SUCH_ID, count: -3 }), COUNT_TOO_SMALL);
    expectError(await sell(await accountOnly(api), { character_inventory_id: NO_SUCH_ID, count: 0 }), COUNT_TOO_SMALL);
  });

  it('2. a member who never called /members/me → 404 user, before the row check', async () => {
    expectError(await sell(await accountOnly(api), { character_inventory_id: NO_SUCH_ID, count: 1 }), USER_NOT_FOUND);
  });

  it("3–4. a missing row and someone else's row → the same 404", async () => {
    const [u, other] = [await registerAndLogin(api), await registerAndLogin(api)];
    const theirs = await owned(other.memberId, await createCharacter(db, 'C'), 3);
    await refused(u, () => sell(u.accessToken, { character_inventory_id: NO_SUCH_ID, count: 1 }), SELL_NOT_OWNED);
    await refused(u, () => sell(u.accessToken, { character_inventory_id: theirs, count: 1 }), SELL_NOT_OWNED);
    expect((await characterInventory(other))[0]!.quantity).toBe(3);
  });

  it('5–6. quantity < count → 400 before the character check; a soft-deleted character → 404', async () => {
    const u = await registerAndLogin(api);
    const character = await createCharacter(db, 'C');
    const row = await owned(u.memberId, character, 1);
    await refused(u, () => sell(u.accessToken, { character_inventory_id: row, count: 2 }), SELL_TOO_MANY);
    await db.query('update character set deleted_at = now() where character_id = $1', [character]);
    await refused(u, () => sell(u.accessToken, { character_inventory_id: row, count: 2 }), SELL_TOO_MANY);
    await refused(u, () => sell(u.accessToken, { character_inventory_id: row, count: 1 }), CHARACTER_NOT_FOUND);
  });
});

describe('S2: a sale the balance cannot hold', () => {
  it('is refused whole (400), the characters kept, rather than paying part of it', async () => {
    const u = await registerAndLogin(api);
    const character = await createCharacter(db, 'SS', 2_000_000_000);
    const row = await owned(u.memberId, character, 2);
    await refused(
      u,
      () => sell(u.accessToken, { character_inventory_id: row, count: 2 }),
      spring(400, 'BAD_REQUEST', ['보유할 수 있는 포인트를 초과하였습니다.'], 'POINTS_FULL'),
    );
    const r = await sell(u.accessToken, { character_inventory_id: row, count: 1 });
    expect(r.status).toBe(201);
    expect(r.body.data.transaction_record).toMatchObject({
      amount: 2_000_000_000,
      balance_after_transaction: 2_000_000_500,
    });
  });
});

describe('S2 POST /v2/shop/sell: success', () => {
  it('201 with the Sell record; points credited; the id as a string or a number; the row kept at 0', async () => {
    const u = await registerAndLogin(api);
    const character = await createCharacter(db, 'B', 250);
    const name = (await catalogueRow(db, 'character', character)).name as string;
    const row = await owned(u.memberId, character, 3);
    const r = await sell(u.accessToken, { character_inventory_id: row, count: 2 });
    expect(r.status).toBe(201);
    expectRecordBody(r.body, {
      transaction_type: 'Sell',
      amount: 500,
      count: 2,
      balance_after_transaction: 1000,
      notes: `${name} 2개 판매`,
    });
    expect(await pointsOf(db, u.memberId)).toBe(1000);
    expect(await characterInventory(u)).toMatchObject([{ character_inventory_id: row, quantity: 1 }]);

    const last = await sell(u.accessToken, { character_inventory_id: Number(row), count: 1 });
    expect(last.status).toBe(201);
    expect(last.body.data.transaction_record).toMatchObject({ amount: 250, balance_after_transaction: 1250 });
    expect(await transactions(db, u.memberId)).toEqual([
      { transaction_type: 'Sell', amount: 500, count: 2, balance_after_transaction: 1000, notes: `${name} 2개 판매` },
      { transaction_type: 'Sell', amount: 250, count: 1, balance_after_transaction: 1250, notes: `${name} 1개 판매` },
    ]);
    const kept = await db.query('select quantity from character_inventory where character_inventory_id = $1', [row]);
    expect(kept.rows).toEqual([{ quantity: 0 }]);
    expect(await characterInventory(u)).toEqual([]);
    await refused(u, () => sell(u.accessToken, { character_inventory_id: row, count: 1 }), SELL_TOO_MANY);
  });
});

describe('S3 POST /v2/item-inventory/:id: refusals', () => {
  it('a member who never called /members/me → 404 user', async () => {
    const u = await registerAndLogin(api);
    expectError(await use(await accountOnly(api), await readyFood(u)), USER_NOT_FOUND);
  });

  it("someone else's, an unknown or an already-used row → 404 not owned", async () => {
    const [u, other] = [await registerAndLogin(api), await registerAndLogin(api)];
    const theirs = await readyFood(other);
    await refused(u, () => use(u.accessToken, theirs), ITEM_NOT_OWNED);
    await refused(u, () => use(u.accessToken, NO_SUCH_ID), ITEM_NOT_OWNED);
    await createCharacter(db, 'C');
    script.push(0, 0);
    const mine = await readyFood(u);
    expect((await use(u.accessToken, mine)).status).toBe(200);
    await refused(u, () => use(u.accessToken, mine), ITEM_NOT_OWNED);
    expect((await itemInventory(other, 'Food')).map((row) => row.item_inventory_id)).toEqual([theirs]);
  });

  it('a consumable at 0 → 400 nothing to use', async () => {
    const u = await registerAndLogin(api);
    const ticket = await bought(u, { type: 'Consumable' });
    await db.query('update item_inventory set quantity = 0 where item_inventory_id = $1', [ticket]);
    await refused(u, () => use(u.accessToken, ticket), NOTHING_TO_USE);
  });

  it('a food still growing (progress > 0) → 400', async () => {
    const u = await registerAndLogin(api);
    const food = await bought(u, { progress: 1 });
    await refused(u, () => use(u.accessToken, food), STILL_GROWING);
  });

  it('unknown effect codes → 500 with the range’s message, nothing used', async () => {
    const u = await registerAndLogin(api);
    const internal = (message: string, code: string): Expected => spring(500, 'INTERNAL_SERVER_ERROR', [message], code);
    const food = await readyFood(u, 10099);
    await refused(
      u,
      () => use(u.accessToken, food),
      internal('서버 오류 : 아이템 효과 없음 (운영자에게 문의해주세요)', 'FOOD_EFFECT_MISSING'),
    );
    const consumable = await bought(u, { type: 'Consumable', effectCode: 20001 });
    await refused(
      u,
      () => use(u.accessToken, consumable),
      internal('서버 오류 : 아이템 효과 없음 (운영자에게 문의해주세요.)', 'CONSUMABLE_EFFECT_MISSING'),
    );
    const other = await bought(u, { type: 'Consumable', effectCode: 30000 });
    await refused(
      u,
      () => use(u.accessToken, other),
      internal('서버 오류 : 운영자에게 문의해주세요.', 'EFFECT_MISSING'),
    );
  });

  it('a food with an unknown code still growing → 400 growing first, as the original checks progress first', async () => {
    const u = await registerAndLogin(api);
    const food = await bought(u, { effectCode: 10099, progress: 60 });
    await refused(u, () => use(u.accessToken, food), STILL_GROWING);
  });

  it('a path id that is not a number → 400 BAD_REQUEST', async () => {
    const u = await registerAndLogin(api);
    expectError(await use(u.accessToken, 'abc'), BAD_BODY);
  });
});

describe('S3: a food hatches a character', () => {
  it('progress 0 → 200 with the exact body; the food leaves N14 and the character joins N15', async () => {
    const u = await registerAndLogin(api);
    const mine = await createCharacter(db, 'C');
    const food = await bought(u, { progress: 3600 });
    await db.query('update item_inventory set progress = 0 where item_inventory_id = $1', [food]);
    const candidates = await pool(u, 'C');
    script.push(0, candidates.indexOf(mine));
    const r = await use(u.accessToken, food);
    expect(r.status).toBe(200);
    const drawn = r.body.data.character.character_id as number;
    expect(candidates).toContain(drawn);
    expect(r.body).toEqual({
      status: 'success',
      data: {
        character_inventory_id: expect.any(Number),
        character: pick(await catalogueRow(db, 'character', drawn), USED_CHARACTER_KEYS),
      },
    });
    expect(r.body.data.character.grade).toBe('C');
    expect(keysOf(r.body.data)).toBe('character_inventory_id,character');
    expect(keysOf(r.body.data.character)).toBe(USED_CHARACTER_KEYS);
    expect(await itemInventory(u, 'Food')).toEqual([]);
    const used = await db.query('select quantity, deleted_at from item_inventory where item_inventory_id = $1', [food]);
    expect(used.rows[0]).toEqual({ quantity: 0, deleted_at: expect.any(Date) });
    const held = { character_inventory_id: String(r.body.data.character_inventory_id), quantity: 1 };
    expect(await characterInventory(u)).toMatchObject([{ ...held, character: { character_id: drawn } }]);
  });

  it('the same character twice → one row, quantity 2; a null progress is usable at once', async () => {
    const u = await registerAndLogin(api);
    const mine = await createCharacter(db, 'C');
    const replies = [];
    for (const progress of [0, null]) {
      const food = await bought(u, { progress });
      const candidates = await pool(u, 'C');
      script.push(0, candidates.indexOf(mine));
      replies.push(await use(u.accessToken, food));
    }
    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    expect(replies.map((r) => r.body.data.character.character_id)).toEqual([mine, mine]);
    const [first, second] = replies.map((r) => r.body.data.character_inventory_id as number);
    expect(second).toBe(first);
    expect(await characterInventory(u)).toMatchObject([{ character_inventory_id: String(first), quantity: 2 }]);
  });

  it.each([
    [64, 'C'],
    [65, 'B'],
    [94, 'B'],
    [95, 'A'],
  ])('effect 10000 with int(100) = %i → grade %s', async (draw, grade) => {
    const u = await registerAndLogin(api);
    const mine = await createCharacter(db, grade);
    const food = await readyFood(u);
    const candidates = await pool(u, grade);
    script.push(draw, candidates.indexOf(mine));
    const r = await use(u.accessToken, food);
    expect(r.status).toBe(200);
    expect(r.body.data.character.grade).toBe(grade);
    expect(candidates).toContain(r.body.data.character.character_id);
  });
});

describe('S3: a stack with a food code', () => {
  it('an admin-made consumable with a food code: one use takes one unit, not the stack', async () => {
    const u = await registerAndLogin(api);
    const id = await bought(u, { type: 'Consumable', effectCode: 10000, progress: null });
    await db.query('update item_inventory set quantity = 3 where item_inventory_id = $1', [id]);
    const r = await use(u.accessToken, id);
    expect(r.status).toBe(200);
    const left = await db.query('select quantity, deleted_at from item_inventory where item_inventory_id = $1', [id]);
    expect(left.rows).toEqual([{ quantity: 2, deleted_at: null }]);
  });
});

describe('S3: a palette ticket repaints the streak', () => {
  it('200 with the palette; quantity −1; N13 shows it; the next one differs; the row stays at 0, then 400', async () => {
    const u = await registerAndLogin(api);
    await insertPalette(db);
    await insertPalette(db);
    const ticket = await bought(u, { type: 'Consumable' });
    await db.query('update item_inventory set quantity = 2 where item_inventory_id = $1', [ticket]);
    const paletteJson = async (id: number) => pick(await catalogueRow(db, 'palette', id), PALETTE_KEYS);
    const streakPalette = async () =>
      (await api.get(`/timer-api/members/${u.memberId}/study-streak`, { token: u.accessToken })).body.data.palette;

    const first = await use(u.accessToken, ticket);
    expect(first.status).toBe(200);
    const firstId = first.body.data.palette.palette_id as number;
    expect(first.body).toEqual({ status: 'success', data: { palette: await paletteJson(firstId) } });
    expect(keysOf(first.body.data.palette)).toBe(PALETTE_KEYS);
    expect(await itemInventory(u, 'Consumable')).toMatchObject([{ item_inventory_id: ticket, quantity: 1 }]);
    expect(await streakPalette()).toEqual(await paletteJson(firstId));

    const second = await use(u.accessToken, ticket);
    expect(second.status).toBe(200);
    const secondId = second.body.data.palette.palette_id as number;
    expect(secondId).not.toBe(firstId);
    expect(await streakPalette()).toEqual(await paletteJson(secondId));
    expect(await itemInventory(u, 'Consumable')).toEqual([]);
    const kept = 'select quantity, deleted_at from item_inventory where item_inventory_id = $1';
    expect((await db.query(kept, [ticket])).rows).toEqual([{ quantity: 0, deleted_at: null }]);
    await refused(u, () => use(u.accessToken, ticket), NOTHING_TO_USE);
  });
});

describe('S4 GET /characters?grade=', () => {
  it('the live characters of exactly that grade, in the Spring key order', async () => {
    const u = await registerAndLogin(api);
    const [a, aPlus, b, gone] = [
      await createCharacter(db, 'A', 700),
      await createCharacter(db, 'A+'),
      await createCharacter(db, 'B'),
      await createCharacter(db, 'A'),
    ];
    await db.query('update character set deleted_at = now() where character_id = $1', [gone]);
    const r = await characters(u.accessToken, '?grade=A');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual(['status', 'data']);
    const listed = r.body.data.characters as { character_id: number; grade: string }[];
    const found = listed.find((c) => c.character_id === a)!;
    expect(keysOf(found)).toBe(LISTED_CHARACTER_KEYS);
    expect(found).toEqual(pick(await catalogueRow(db, 'character', a), LISTED_CHARACTER_KEYS));
    expect(found).toMatchObject({ grade: 'A', sell_price: 700 });
    expect(listed.every((c) => c.grade === 'A')).toBe(true);
    const ids = listed.map((c) => c.character_id);
    for (const other of [aPlus, b, gone]) expect(ids).not.toContain(other);
    expect(await pool(u, 'A+')).toContain(aPlus);
  });

  it('without a grade → an empty list; without a token → 401 in the Spring dialect', async () => {
    const u = await registerAndLogin(api);
    await createCharacter(db, 'C');
    const r = await characters(u.accessToken);
    expect({ status: r.status, body: r.body }).toEqual({
      status: 200,
      body: { status: 'success', data: { characters: [] } },
    });
    expectError(await api.get('/characters?grade=C'), SPRING_UNAUTHORIZED);
  });
});
