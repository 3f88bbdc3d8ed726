import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BAD_ACCESS,
  expectError,
  type Expected,
  forbidden,
  notFound,
  send,
  unauthenticated,
  validation,
} from './support/bad-input.js';
import { createCharacter, insertInventory } from './support/factories.js';
import { shopState } from './support/shop-kit.js';
import { type Sender, useBadInputSuite } from './support/bad-input-suite.js';

// Bad input on the shop's Nest routes (N14, N15, N25): credentials and ownership come first, every
// row gets its exact status and Nest envelope, never a 500, and nothing changes. The Spring routes
// (S1–S4) are in bad-input-shop-spring.e2e.ts.

const T = { oneOf: 'item_type must be either Food or Consumable', required: 'item_type is required' };
const MEMBER_MISSING = notFound('멤버가 존재하지 않습니다.');

interface QueryRow {
  name: string;
  /** The query string, `?` included; the suite's valid one when absent. */
  query?: string;
  expected: Expected;
  auth?: Sender;
}

/** Every bad credential, with an invalid query too: authentication comes first. */
const tokenRows = (): QueryRow[] =>
  BAD_ACCESS.map((bad) => ({
    name: `${bad} → 401`,
    auth: { bad },
    query: '?item_type=Foo',
    expected: unauthenticated,
  }));

/** The `item_type` query of N14 and N25, as the original checked it: unknown keys first, then the field. */
const queryRows = (): QueryRow[] => [
  { name: 'item_type missing: both messages, in order', query: '', expected: validation(T.oneOf, T.required) },
  { name: 'item_type empty', query: '?item_type=', expected: validation(T.oneOf, T.required) },
  { name: 'item_type Foo', query: '?item_type=Foo', expected: validation(T.oneOf) },
  { name: 'item_type food (case)', query: '?item_type=food', expected: validation(T.oneOf) },
  { name: 'item_type "Food " (a trailing space)', query: '?item_type=Food%20', expected: validation(T.oneOf) },
  {
    name: 'item_type repeated (an array)',
    query: '?item_type=Food&item_type=Food',
    expected: validation(T.oneOf),
  },
  {
    name: 'item_type with a NUL character',
    query: '?item_type=Food%00',
    expected: validation(T.oneOf, 'item_type must not contain null characters'),
  },
  { name: 'item_type with broken percent-encoding', query: '?item_type=%ZZ', expected: validation(T.oneOf) },
  {
    name: 'item_type[] is another key',
    query: '?item_type[]=Food',
    expected: validation('property item_type[] should not exist', T.oneOf, T.required),
  },
  { name: 'an unknown key', query: '?item_type=Food&x=1', expected: validation('property x should not exist') },
  {
    name: 'unknown keys first, in query order, then item_type',
    query: '?x=1&member_id=2',
    expected: validation('property x should not exist', 'property member_id should not exist', T.oneOf, T.required),
  },
];

const { api, db, me, other, authorization } = useBadInputSuite();

beforeAll(async () => {
  // Both members hold a food, a ticket and a character, so a leak or a change would show.
  const character = await createCharacter(db, 'C');
  for (const u of [me, other]) {
    await insertInventory(db, u.memberId, { progress: 3600 });
    await insertInventory(db, u.memberId, { progress: null, quantity: 3, itemType: 'Consumable' });
    await db.query('insert into character_inventory (member_id, character_id, quantity) values ($1, $2, 2)', [
      u.memberId,
      character,
    ]);
  }
});

/** Everything of one member a request could touch (see shopState). */
const state = (memberId: string) => shopState(db, memberId);

async function check(path: string, expected: Expected, auth: Sender = 'self') {
  const before = await Promise.all([state(me.memberId), state(other.memberId)]);
  expect(before[0].items).toHaveLength(2);
  expect(before[0].characters).toHaveLength(1);
  expectError(await send(api, 'GET', path, {}, authorization(auth)), expected);
  expect(await Promise.all([state(me.memberId), state(other.memberId)])).toEqual(before);
}

const ownership = (valid: string): QueryRow[] => [
  { name: "another member's token → 403", query: valid, expected: forbidden, auth: 'other' },
  // Guards run before validation, as in the original.
  { name: "another member's token with an invalid query → 403", query: '?x=1', expected: forbidden, auth: 'other' },
  { name: 'an account without a member → 404', query: valid, expected: MEMBER_MISSING, auth: 'nomember' },
  {
    name: 'an account without a member, invalid query → 404 first',
    query: '?x=1',
    expected: MEMBER_MISSING,
    auth: 'nomember',
  },
];

/** Member ids in the path that are not the caller's: 403, whether they exist or not. */
const foreignIds = (): [string, () => string][] => [
  ["another member's id", () => other.memberId],
  ['an unknown member id', () => randomUUID()],
  ['a non-UUID member id', () => 'not-a-uuid'],
  ['a numeric member id', () => '1'],
  ['my own id in upper case', () => me.memberId.toUpperCase()],
  ['a NUL character', () => '%00'],
];

describe('GET /members/:id/item-inventory?item_type= (N14)', () => {
  const path = (query = '?item_type=Food', memberId = me.memberId) =>
    `/timer-api/members/${memberId}/item-inventory${query}`;
  const rows = [...tokenRows(), ...ownership('?item_type=Food'), ...queryRows()];
  it.each(rows)('$name', ({ query, expected, auth }) => check(path(query), expected, auth));

  it.each(foreignIds())('%s → 403', (_, id) => check(path('?item_type=Consumable', id()), forbidden));
  it.each(foreignIds())('%s with an invalid query → 403', (_, id) => check(path('?item_type=Foo', id()), forbidden));
});

describe('GET /members/:id/character-inventory (N15)', () => {
  const path = (memberId = me.memberId) => `/timer-api/members/${memberId}/character-inventory`;
  const rows = [...tokenRows(), ...ownership('')];
  it.each(rows)('$name', ({ query, expected, auth }) => check(`${path()}${query ?? ''}`, expected, auth));

  it.each(foreignIds())('%s → 403', (_, id) => check(path(id()), forbidden));
});

describe('GET /items?item_type= (N25)', () => {
  const rows: QueryRow[] = [
    ...tokenRows(),
    ...queryRows(),
    // Any member may list items; one without a member row still gets the query checked.
    {
      name: 'an account without a member, invalid query → 400',
      query: '?item_type=Foo',
      expected: validation(T.oneOf),
      auth: 'nomember',
    },
  ];
  it.each(rows)('$name', ({ query = '?item_type=Food', expected, auth }) =>
    check(`/timer-api/items${query}`, expected, auth),
  );
});
