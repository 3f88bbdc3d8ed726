import { beforeAll, describe, expect, it } from 'vitest';
import {
  BAD_ACCESS,
  expectError,
  type Expected,
  huge,
  type Payload,
  send,
  spring,
  SPRING_BAD_BODY,
  TOO_LARGE_MESSAGE,
} from './support/bad-input.js';
import { createCharacter, createItem, insertInventory } from './support/factories.js';
import { registerAndLogin } from './support/http.js';
import { shopState } from './support/shop-kit.js';
import { type Sender, useBadInputSuite } from './support/bad-input-suite.js';

// Bad input on the shop's Spring routes (S1–S4): credentials first, every row gets its exact status
// and Spring envelope (message always an array), never a 500, and no point, inventory row or
// transaction record changes.

const UNAUTHORIZED: Expected = {
  status: 401,
  body: {
    status: 'error',
    error: 'UNAUTHORIZED',
    message: ['인증되지 않은 사용자의 접근입니다.'],
    code: 'UNAUTHENTICATED',
  },
};
const BAD_BODY = spring(400, 'BAD_REQUEST', [SPRING_BAD_BODY]);
const TOO_LARGE = spring(413, 'PAYLOAD_TOO_LARGE', [TOO_LARGE_MESSAGE]);
const UNSUPPORTED = spring(415, 'UNSUPPORTED_MEDIA_TYPE', [SPRING_BAD_BODY]);
/** A shop refusal: the original's text and its stable code. */
type Refusal = { text: string; code: string };
const badRequest = (r: Refusal) => spring(400, 'BAD_REQUEST', [r.text], r.code);
const notFound = (r: Refusal) => spring(404, 'NOT_FOUND', [r.text], r.code);
const M = {
  item: { text: '존재하지 않는 Item 입니다.', code: 'ITEM_NOT_FOUND' },
  user: { text: '존재하지 않는 유저 입니다.', code: 'USER_NOT_FOUND' },
  tooSmall: { text: '수량을 1개 이상 선택해주세요.', code: 'COUNT_TOO_SMALL' },
  tooLarge: { text: '수량은 999개 이하로 선택해주세요.', code: 'COUNT_TOO_LARGE' },
  points: { text: 'point가 부족합니다.', code: 'NOT_ENOUGH_POINTS' },
  foodCap: { text: '음식은 최대 4개까지 보유할 수 있습니다.', code: 'FOOD_CAP' },
  notOwnedCharacter: { text: '보유하고 있는 캐릭터로 판매 요청해주세요.', code: 'SELL_NOT_OWNED' },
  sellTooMany: { text: 'Inventory에 소유한 수량을 초과하였습니다.', code: 'SELL_TOO_MANY' },
  notOwnedItem: { text: '소유하지 않은 item 입니다.', code: 'ITEM_NOT_OWNED' },
  nothingToUse: { text: '사용할 수 있는 수량이 없습니다.', code: 'NOTHING_TO_USE' },
  growing: { text: '잔여 시간만큼 공부해야 사용할 수 있습니다.', code: 'STILL_GROWING' },
};
const MALFORMED = ['{"item_id":', "{'item_id':1}", '{"a":1,}', '{"a" 1}', 'nope'];
const UNREADABLE: [string, unknown][] = [
  ['an array [1]', [1]],
  ['text "abc"', 'abc'],
  ['a boolean', true],
  ['an object', {}],
  ['1e20', 1e20],
  ['2^31 (past a Java int)', 2147483648],
];

/** Catalogue rows and inventory ids the rows refer to; they exist only once beforeAll ran. */
interface Ids {
  food: number;
  ticket: number;
  hidden: number;
  deleted: number;
  /** me's character row (quantity 1) and other's, as the Nest strings the PWA sends. */
  mine: string;
  theirs: string;
  /** me's food still growing, me's used food, me's empty ticket stack, other's food. */
  growing: string;
  used: string;
  empty: string;
  theirItem: string;
}
type Make = Payload | ((i: Ids) => Payload);
type Body = (i: Ids) => Record<string, unknown>;
interface ShopRow {
  name: string;
  payload: Make;
  expected: Expected;
  auth?: Sender;
}
const json = (name: string, body: Body, expected: Expected, auth?: Sender): ShopRow => ({
  name,
  payload: (i) => ({ json: body(i) }),
  expected,
  auth,
});

/** Every bad credential, with a body that is also unreadable: authentication comes first. */
const tokenRows = (body?: Body): ShopRow[] =>
  BAD_ACCESS.map((bad) => ({
    name: `${bad} → 401`,
    auth: { bad },
    payload: body ? (i: Ids) => ({ json: body(i) }) : {},
    expected: UNAUTHORIZED,
  }));

/** The framing rows of a JSON-body route in the Spring dialect; `valid` would succeed. */
function framingRows(valid: Body): ShopRow[] {
  const row = (name: string, payload: Make, expected = BAD_BODY): ShopRow => ({ name, payload, expected });
  const text = (i: Ids) => JSON.stringify(valid(i));
  const form = (i: Ids) =>
    new URLSearchParams(Object.entries(valid(i)).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return [
    ...MALFORMED.map((raw) => row(`malformed JSON ${raw}`, { raw })),
    row('a JSON array body', (i) => ({ json: [valid(i)] })),
    row('a JSON string body', (i) => ({ json: text(i) })),
    row('a JSON number body', { json: 42 }),
    row('a JSON boolean body', { raw: 'true' }),
    row('a JSON null body', { raw: 'null' }),
    row('an empty JSON body', { raw: '' }),
    row('no body at all', {}),
    row('a body over 100 kB', (i) => ({ raw: huge(valid(i)) }), TOO_LARGE),
    row('a text/plain body (JSON text)', (i) => ({ raw: text(i), contentType: 'text/plain' })),
    row(
      'a form-urlencoded body',
      (i) => ({ raw: form(i), contentType: 'application/x-www-form-urlencoded' }),
      UNSUPPORTED,
    ),
    row('an octet-stream body', (i) => ({ raw: text(i), contentType: 'application/octet-stream' }), UNSUPPORTED),
    // The body is read before the guards run, so framing beats a missing token.
    { name: 'malformed JSON without a token', payload: { raw: '{"a":' }, expected: BAD_BODY, auth: 'none' },
    {
      name: 'over 100 kB without a token',
      payload: (i) => ({ raw: huge(valid(i)) }),
      expected: TOO_LARGE,
      auth: 'none',
    },
  ];
}

/** Count rows shared by purchase and sale; `valid` is a body that would succeed. */
const countRows = (valid: Body): ShopRow[] => [
  ...UNREADABLE.map(([what, count]) => json(`count as ${what}`, (i) => ({ ...valid(i), count }), BAD_BODY)),
  json('count -5', (i) => ({ ...valid(i), count: -5 }), badRequest(M.tooSmall)),
  json('count 0', (i) => ({ ...valid(i), count: 0 }), badRequest(M.tooSmall)),
  json('count null (a Java int: 0)', (i) => ({ ...valid(i), count: null }), badRequest(M.tooSmall)),
  json('count 1000', (i) => ({ ...valid(i), count: 1000 }), badRequest(M.tooLarge)),
];

const { api, db, me, other, authorization } = useBadInputSuite();
let ids: Ids;

beforeAll(async () => {
  const food = await createItem(db, { type: 'Food', cost: 100 });
  // me buys one food: 400 points left, one unit growing for an hour, one transaction record.
  const bought = await api.post('/v2/shop/purchase', { token: me.accessToken, json: { item_id: food, count: 1 } });
  expect(bought.status).toBe(201);
  const character = await createCharacter(db, 'C');
  const hold = async (memberId: string) =>
    String(
      (
        await db.query(
          `insert into character_inventory (member_id, character_id, quantity) values ($1, $2, 1)
           returning character_inventory_id`,
          [memberId, character],
        )
      ).rows[0].character_inventory_id,
    );
  const growing = await db.query(
    'select item_inventory_id::text id from item_inventory where member_id = $1 and deleted_at is null',
    [me.memberId],
  );
  ids = {
    food,
    ticket: await createItem(db, { type: 'Consumable', cost: 100 }),
    hidden: await createItem(db, { type: 'Consumable', hidden: true }),
    deleted: await createItem(db, { type: 'Consumable', deleted: true }),
    mine: await hold(me.memberId),
    theirs: await hold(other.memberId),
    growing: growing.rows[0].id as string,
    used: await insertInventory(db, me.memberId, { progress: 0, deleted: true }),
    empty: await insertInventory(db, me.memberId, { progress: null, quantity: 0, itemType: 'Consumable' }),
    theirItem: await insertInventory(db, other.memberId, { progress: 0 }),
  };
});

/** Everything a shop request could touch for one member (see shopState). */
const state = (memberId: string) => shopState(db, memberId, { streak: true });

async function check(method: string, path: string, make: Make, expected: Expected, auth: Sender = 'self') {
  const payload = typeof make === 'function' ? make(ids) : make;
  const before = await Promise.all([state(me.memberId), state(other.memberId)]);
  // The rows below only show something if me holds what beforeAll gave it.
  expect(before[0].member.point).toBe(400);
  expect(before[0].items).toHaveLength(3);
  expect(before[0].transactions).toHaveLength(1);
  expectError(await send(api, method, path, payload, authorization(auth)), expected);
  expect(await Promise.all([state(me.memberId), state(other.memberId)])).toEqual(before);
}

describe('POST /v2/shop/purchase (S1)', () => {
  const valid: Body = (i) => ({ item_id: i.food, count: 1 });
  const rows: ShopRow[] = [
    ...tokenRows((i) => ({ item_id: i.food, count: 'abc' })),
    ...framingRows(valid),
    ...UNREADABLE.map(([what, itemId]) =>
      json(`item_id as ${what}`, (i) => ({ ...valid(i), item_id: itemId }), BAD_BODY),
    ),
    json('item_id "12abc"', (i) => ({ ...valid(i), item_id: '12abc' }), BAD_BODY),
    ...countRows(valid),
    // A missing or null Java int is 0: no such item, checked before the count.
    json('an empty object', () => ({}), notFound(M.item)),
    json('item_id null with count 0', () => ({ item_id: null, count: 0 }), notFound(M.item)),
    json('item_id -1', (i) => ({ ...valid(i), item_id: -1 }), notFound(M.item)),
    json('item_id 2^31 - 1 (no such item)', (i) => ({ ...valid(i), item_id: 2 ** 31 - 1 }), notFound(M.item)),
    json('a hidden item', (i) => ({ item_id: i.hidden, count: 1 }), notFound(M.item)),
    json('a deleted item', (i) => ({ item_id: i.deleted, count: 1 }), notFound(M.item)),
    json('count 999 (in range, over the points)', (i) => ({ ...valid(i), count: 999 }), badRequest(M.points)),
    json('5 tickets at 100 with 400 points', (i) => ({ item_id: i.ticket, count: 5 }), badRequest(M.points)),
    json('4 more foods while holding one', (i) => ({ ...valid(i), count: 4 }), badRequest(M.foodCap)),
    json('an account without a member', valid, notFound(M.user), 'nomember'),
    json(
      'an account without a member, no such item → item first',
      () => ({ item_id: -1 }),
      notFound(M.item),
      'nomember',
    ),
    json(
      'an account without a member, count 0 → member first',
      (i) => ({ ...valid(i), count: 0 }),
      notFound(M.user),
      'nomember',
    ),
  ];
  it.each(rows)('$name', ({ payload, expected, auth }) => check('POST', '/v2/shop/purchase', payload, expected, auth));
});

describe('POST /v2/shop/sell (S2)', () => {
  const valid: Body = (i) => ({ character_inventory_id: i.mine, count: 1 });
  const notOwned = notFound(M.notOwnedCharacter);
  const rows: ShopRow[] = [
    ...tokenRows((i) => ({ character_inventory_id: i.mine, count: 'abc' })),
    ...framingRows(valid),
    ...countRows(valid),
    ...[
      ...UNREADABLE.filter(([what]) => !what.startsWith('2^31')),
      ['"12abc"', '12abc'],
      ['"99999999999999999999"', '99999999999999999999'],
    ].map(([what, id]) =>
      json(`character_inventory_id as ${what}`, (i) => ({ ...valid(i), character_inventory_id: id }), BAD_BODY),
    ),
    // A null or missing Java long is 0: nobody's row.
    json('character_inventory_id null', (i) => ({ ...valid(i), character_inventory_id: null }), notOwned),
    json('character_inventory_id missing', () => ({ count: 1 }), notOwned),
    json('an empty object → the count first', () => ({}), badRequest(M.tooSmall)),
    // A Java long holds 2^31: a well-formed id of nobody's row.
    json('character_inventory_id 2^31', (i) => ({ ...valid(i), character_inventory_id: 2 ** 31 }), notOwned),
    json('character_inventory_id -1', (i) => ({ ...valid(i), character_inventory_id: -1 }), notOwned),
    json("another member's row", (i) => ({ ...valid(i), character_inventory_id: i.theirs }), notOwned),
    json(
      "another member's row as a number",
      (i) => ({ ...valid(i), character_inventory_id: Number(i.theirs) }),
      notOwned,
    ),
    json('count 2 while holding 1', (i) => ({ ...valid(i), count: 2 }), badRequest(M.sellTooMany)),
    json('count 999 (in range, more than held)', (i) => ({ ...valid(i), count: 999 }), badRequest(M.sellTooMany)),
    json('an account without a member', valid, notFound(M.user), 'nomember'),
    json(
      'an account without a member, count 0 → count first',
      (i) => ({ ...valid(i), count: 0 }),
      badRequest(M.tooSmall),
      'nomember',
    ),
  ];
  it.each(rows)('$name', ({ payload, expected, auth }) => check('POST', '/v2/shop/sell', payload, expected, auth));
});

// The control: the sale rows are refused for their one flaw, since the body they start from sells
// (the purchase body is me's own purchase in beforeAll).
it('a fresh member sells with the valid sale body → 201', async () => {
  const fresh = await registerAndLogin(api);
  const held = await db.query(
    `insert into character_inventory (member_id, character_id, quantity)
     select $1, character_id, 1 from character_inventory where character_inventory_id = $2
     returning character_inventory_id::text id`,
    [fresh.memberId, ids.mine],
  );
  const json = { character_inventory_id: held.rows[0].id as string, count: 1 };
  expect((await api.post('/v2/shop/sell', { token: fresh.accessToken, json })).status).toBe(201);
});

describe('POST /v2/item-inventory/:id (S3)', () => {
  const use = (id: string) => `/v2/item-inventory/${id}`;
  it.each(tokenRows())('$name', ({ payload, expected, auth }) =>
    check('POST', use(ids.growing), payload, expected, auth),
  );
  it('a bad token with a junk id → 401 first', () =>
    check('POST', use('abc'), {}, UNAUTHORIZED, { bad: 'an expired token' }));

  // Spring binds the path to a long: text that is not one is a type mismatch, answered 400.
  it.each(['abc', '-1', '1.5', '1e3', '99999999999999999999', '%00', '%20', '0x10'])('path id %s → 400', (id) =>
    check('POST', use(id), {}, BAD_BODY),
  );

  // A path Fastify can't percent-decode is refused before routing, still in the path's dialect.
  it('an undecodable path still carries CORS and the request id, so a browser can read the 400', async () => {
    const r = await api.post(use('%ZZ'), { headers: { origin: 'http://localhost:5173' } });
    expect(r.status).toBe(400);
    expect(r.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(r.headers.get('x-request-id')).toMatch(/.+/);
    const foreign = await api.post(use('%ZZ'), { headers: { origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
  it('path id %ZZ → 400 in the Spring envelope', () =>
    check('POST', use('%ZZ'), {}, spring(400, 'BAD_REQUEST', ['요청 경로가 올바르지 않습니다.'])));

  const rows: [string, (i: Ids) => string, Expected, Sender?][] = [
    ['an unknown id', () => '999999999999', notFound(M.notOwnedItem)],
    ['id 0', () => '0', notFound(M.notOwnedItem)],
    ["another member's ready food", (i) => i.theirItem, notFound(M.notOwnedItem)],
    ['a food already used', (i) => i.used, notFound(M.notOwnedItem)],
    ['an empty ticket stack', (i) => i.empty, badRequest(M.nothingToUse)],
    ['a food still growing', (i) => i.growing, badRequest(M.growing)],
    ['an account without a member', (i) => i.growing, notFound(M.user), 'nomember'],
  ];
  it.each(rows)('%s', (_, id, expected, auth) => check('POST', use(id(ids)), {}, expected, auth));

  // There is no body; one that can't be read is still refused before anything is looked up.
  it.each([
    ['malformed JSON', { raw: '{"a":' }, BAD_BODY],
    ['a body over 100 kB', { raw: huge({}) }, TOO_LARGE],
  ] as [string, Payload, Expected][])('%s', (_, payload, expected) =>
    check('POST', use(ids.growing), payload, expected),
  );
});

describe('GET /characters?grade= (S4)', () => {
  it.each(tokenRows())('$name', ({ payload, expected, auth }) =>
    check('GET', '/characters?grade=C', payload, expected, auth),
  );

  // Any grade that names no live character is an empty list, never an error (as the original).
  it.each([
    ['no grade', ''],
    ['an empty grade', '?grade='],
    ['grade c (case)', '?grade=c'],
    ['an unknown grade', '?grade=Z'],
    ['a repeated grade (an array)', '?grade=C&grade=B'],
    ['grade[]', '?grade[]=C'],
    ['a NUL character', '?grade=%00'],
    ['broken percent-encoding', '?grade=%ZZ'],
    ['5000 characters', `?grade=${'S'.repeat(5000)}`],
  ])('%s → 200 with no characters', async (_, query) => {
    const before = await state(me.memberId);
    const r = await api.get(`/characters${query}`, { token: me.accessToken });
    expect({ status: r.status, body: r.body }).toEqual({
      status: 200,
      body: { status: 'success', data: { characters: [] } },
    });
    expect(await state(me.memberId)).toEqual(before);
  });
});
