import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { actors } from './support/actors.js';
import { useApp } from './support/app.js';
import { expectError } from './support/bad-input.js';
import { ManualClock } from './support/clock.js';
import { useDb } from './support/db.js';
import { createCharacter, createItem } from './support/factories.js';
import { registerAndLogin } from './support/http.js';
import { REFUSED, ScriptedRandom } from './support/shop-kit.js';
import { transactions } from './support/study-db.js';

const { NOTHING_TO_USE, STILL_GROWING } = REFUSED;

// The game's whole loop as the PWA drives it, through the public API only: buy a food, study until
// it has grown (Reward points for the minutes studied on the way), hatch it, sell the character;
// then buy palette tickets and repaint the streak. Only the clock (ManualClock) and the draws
// (ScriptedRandom) are the test's; the catalogue rows are its own, with unique names.

const START_POINTS = 500;
const POINTS_PER_MINUTE = 9; // the POINTS_PER_MINUTE default
const T0 = '2024-03-05T03:00:00.000Z';
const MINUTE = 60_000;

interface Character {
  character_id: number;
  name: string;
  description: string | null;
  grade: string;
  image_url: string;
  sell_price: number;
}
interface Palette {
  palette_id: number;
  name: string;
  grade: string;
  light_color: string;
  normal_color: string;
  dark_color: string;
  darker_color: string;
}
type User = Awaited<ReturnType<typeof registerAndLogin>>;

const clock = new ManualClock();
const random = new ScriptedRandom();
const unique = (what: string) => `${what} ${randomUUID().slice(0, 8)}`;

const app = useApp({ clock, random });
const { api } = app;
const db = useDb();
// Tokens are issued on the real clock; each test moves it on only after signing in.
beforeEach(() => clock.reset());

const member = actors(api, clock);
const { purchase, use, itemInventory, point } = member;
const streakPalette = async (u: User) =>
  (await api.get(`/timer-api/members/${u.memberId}/study-streak`, { token: u.accessToken })).body.data.palette as
    Palette | undefined;

/** One timer session of `minutes` on the server clock, ended Completed. */
async function study(u: User, minutes: number) {
  const end = await member.study(u, minutes * MINUTE);
  expect({ status: end.status, body: end.body }).toEqual({ status: 200, body: { status: 'success', data: null } });
}

describe('food → study → hatch → sell', () => {
  it('a fresh member grows a food over two sessions, hatches a pinned grade and sells it; the books add up', async () => {
    const foodName = unique('loop food');
    const foodId = await createItem(db, { type: 'Food', cost: 300, requiredStudyTime: 3600, name: foodName });
    const mine = await createCharacter(db, 'B', 777);
    const u = await registerAndLogin(api);
    expect(await point(u)).toBe(START_POINTS);

    // The shop lists the food; buying it costs its price.
    const listed = await api.get('/timer-api/items?item_type=Food', { token: u.accessToken });
    expect(listed.body.data.items).toContainEqual({
      item_id: foodId,
      item_type: 'Food',
      name: foodName,
      description: 'test item',
      cost: 300,
      required_study_time: 3600,
      image_url: 'http://localhost/static/test.svg',
      grade: 'C~A',
      is_hidden: false,
    });
    const bought = await purchase(u, foodId, 1);
    expect({ status: bought.status, body: bought.body }).toEqual({
      status: 201,
      body: {
        status: 'success',
        data: {
          transaction_record: {
            transaction_record_id: expect.any(Number),
            transaction_type: 'Purchase',
            amount: 300,
            count: 1,
            balance_after_transaction: START_POINTS - 300,
            notes: `${foodName} 1개 구매`,
          },
        },
      },
    });
    const [food] = await itemInventory(u, 'Food');
    expect(food).toMatchObject({ progress: 3600, quantity: 1, item_type: 'Food', item: { item_id: foodId } });

    // 40 minutes of study: 2400 s off the food, 40 × 9 points.
    clock.set(T0);
    await study(u, 40);
    expect(await itemInventory(u, 'Food')).toMatchObject([
      { item_inventory_id: food!.item_inventory_id, progress: 1200 },
    ]);
    const firstReward = 40 * POINTS_PER_MINUTE;
    expect(await point(u)).toBe(START_POINTS - 300 + firstReward);
    expectError(await use(u, food!.item_inventory_id), STILL_GROWING);

    // 25 more minutes: the food is grown (progress floored at 0).
    clock.advance(5 * MINUTE);
    await study(u, 25);
    expect(await itemInventory(u, 'Food')).toMatchObject([{ item_inventory_id: food!.item_inventory_id, progress: 0 }]);
    const secondReward = 25 * POINTS_PER_MINUTE;
    const beforeSale = START_POINTS - 300 + firstReward + secondReward;
    expect(await point(u)).toBe(beforeSale);

    // Food 10000's odds: a draw of 70 of 100 is grade B (C below 65, B below 95). The second draw
    // points at our own B character; the pool is shared, so only the grade and the pool are asserted.
    const pool = (await api.get('/characters?grade=B', { token: u.accessToken })).body.data.characters as Character[];
    random.push(
      70,
      pool.findIndex((c) => c.character_id === mine),
    );
    const hatched = await use(u, food!.item_inventory_id);
    expect(hatched.status).toBe(200);
    const { character_inventory_id: rowId, character } = hatched.body.data as {
      character_inventory_id: number;
      character: Character;
    };
    expect(rowId).toEqual(expect.any(Number));
    expect(character.grade).toBe('B');
    expect(pool).toContainEqual({ ...character });
    expect(await itemInventory(u, 'Food')).toEqual([]);

    const owned = await api.get(`/timer-api/members/${u.memberId}/character-inventory`, { token: u.accessToken });
    expect(owned.body.data.character_inventory).toEqual([
      { character_inventory_id: String(rowId), quantity: 1, character },
    ]);

    // Sold with the Nest string id, as the PWA sends it.
    const sold = await api.post('/v2/shop/sell', {
      token: u.accessToken,
      json: { character_inventory_id: String(rowId), count: 1 },
    });
    const expected = beforeSale + character.sell_price;
    expect({ status: sold.status, body: sold.body }).toEqual({
      status: 201,
      body: {
        status: 'success',
        data: {
          transaction_record: {
            transaction_record_id: expect.any(Number),
            transaction_type: 'Sell',
            amount: character.sell_price,
            count: 1,
            balance_after_transaction: expected,
            notes: `${character.name} 1개 판매`,
          },
        },
      },
    });
    expect(await point(u)).toBe(expected);
    const afterSale = await api.get(`/timer-api/members/${u.memberId}/character-inventory`, { token: u.accessToken });
    expect(afterSale.body.data.character_inventory).toEqual([]);

    expect(await transactions(db, u.memberId)).toEqual([
      {
        transaction_type: 'Purchase',
        amount: 300,
        count: 1,
        balance_after_transaction: START_POINTS - 300,
        notes: `${foodName} 1개 구매`,
      },
      {
        transaction_type: 'Reward',
        amount: firstReward,
        count: 40,
        balance_after_transaction: START_POINTS - 300 + firstReward,
        notes: '공부 40분 보상',
      },
      {
        transaction_type: 'Reward',
        amount: secondReward,
        count: 25,
        balance_after_transaction: beforeSale,
        notes: '공부 25분 보상',
      },
      {
        transaction_type: 'Sell',
        amount: character.sell_price,
        count: 1,
        balance_after_transaction: expected,
        notes: `${character.name} 1개 판매`,
      },
    ]);
  });
});

/** A live palette with a unique name (the table is shared); its id. */
async function insertPalette(name: string): Promise<number> {
  const r = await db.query(
    `insert into palette (name, grade, light_color, normal_color, dark_color, darker_color)
     values ($1, 'Rare', '#aaaaff', '#5555ff', '#2222aa', '#111155') returning palette_id`,
    [name],
  );
  return r.rows[0].palette_id as number;
}
const livePaletteIds = async () =>
  (await db.query('select palette_id from palette where deleted_at is null')).rows.map(
    (r: { palette_id: number }) => r.palette_id,
  );

describe('palette tickets → streak palette', () => {
  it('two tickets: each use repaints the streak, the second with a palette other than the current one', async () => {
    await insertPalette(unique('loop palette'));
    await insertPalette(unique('loop palette'));
    const ticketName = unique('loop ticket');
    const ticketId = await createItem(db, { type: 'Consumable', cost: 50, effectCode: 20000, name: ticketName });
    const u = await registerAndLogin(api);
    expect(await streakPalette(u)).toBeUndefined();

    const bought = await purchase(u, ticketId, 2);
    expect(bought).toMatchObject({
      status: 201,
      body: { data: { transaction_record: { amount: 100, count: 2, balance_after_transaction: START_POINTS - 100 } } },
    });
    const [stack] = await itemInventory(u, 'Consumable');
    expect(stack).toMatchObject({ progress: null, quantity: 2, item: { item_id: ticketId } });

    // Two draws of 0: without the "other than the current one" rule, the second 0 could name the
    // palette the first one gave, which is now current.
    random.push(0, 0);
    const first = await use(u, stack!.item_inventory_id);
    expect(first.status).toBe(200);
    const p1 = first.body.data.palette as Palette;
    expect(await livePaletteIds()).toContain(p1.palette_id);
    expect(await streakPalette(u)).toEqual(p1);
    expect(await itemInventory(u, 'Consumable')).toMatchObject([
      { item_inventory_id: stack!.item_inventory_id, quantity: 1 },
    ]);

    const second = await use(u, stack!.item_inventory_id);
    expect(second.status).toBe(200);
    const p2 = second.body.data.palette as Palette;
    expect(p2.palette_id).not.toBe(p1.palette_id);
    expect(await livePaletteIds()).toContain(p2.palette_id);
    expect(await streakPalette(u)).toEqual(p2);

    // The stack is spent: hidden from the inventory, and a third use finds nothing to use.
    expect(await itemInventory(u, 'Consumable')).toEqual([]);
    expectError(await use(u, stack!.item_inventory_id), NOTHING_TO_USE);
    expect(await streakPalette(u)).toEqual(p2);
    expect(await point(u)).toBe(START_POINTS - 100);
    expect(await transactions(db, u.memberId)).toEqual([
      {
        transaction_type: 'Purchase',
        amount: 100,
        count: 2,
        balance_after_transaction: START_POINTS - 100,
        notes: `${ticketName} 2개 구매`,
      },
    ]);
  });
});
