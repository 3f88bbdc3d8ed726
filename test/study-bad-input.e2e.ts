import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  badRequest,
  badTokenRows,
  expectError,
  type Expected,
  forbidden,
  framingRows,
  huge,
  malformed,
  notFound,
  type Payload,
  type Row,
  send,
  tooLarge,
  unauthenticated,
  validation,
} from './support/bad-input.js';
import { categoryRows, memberRow, records, transactions } from './support/study-db.js';
import { type Sender, useBadInputSuite } from './support/bad-input-suite.js';

// Bad input on the study routes (N13, N16–N19, N23, N24): credentials and ownership come first,
// every row gets its exact status and envelope, never a 500, and nothing changes.

const S = {
  empty: 'subject should not be empty',
  string: 'subject must be a string',
  max: 'subject must be shorter than or equal to 50 characters',
  nul: 'subject must not contain null characters',
};
const C = {
  number: 'category_id must be a number conforming to the specified constraints',
  integer: 'category_id must be a non-negative integer',
};
const ST = {
  oneOf: 'status must be one of the following values: Completed, Incompleted',
  string: 'status must be a string',
};
const WRONG_TYPES: [string, unknown][] = [
  ['a number', 42],
  ['an array', ['x']],
  ['an object', { value: 'x' }],
  ['a boolean', true],
];
const CATEGORY_NOT_FOUND = notFound('카테고리를 찾을 수 없습니다.', 'CATEGORY_NOT_FOUND');
const MEMBER_MISSING = notFound('멤버가 존재하지 않습니다.');
const USER_NOT_FOUND = notFound('사용자를 찾을 수 없습니다.', 'MEMBER_NOT_FOUND');
const JUNK_IDS = ['abc', '0', '-1', '1.5', '1e3', '999999999', '99999999999999999999', "1'%20or%20'1'='1"];

type StudyRow = Omit<Row, 'auth'> & { auth?: Sender };
const row = (name: string, json: unknown, expected: Expected, auth?: Sender): StudyRow => ({
  name,
  payload: { json },
  expected,
  auth,
});
/** The bad-token rows without a body, for GET and DELETE. */
const bareTokenRows = (): StudyRow[] =>
  badTokenRows({}).map((r) => ({ ...r, name: r.name.replace(' with an invalid body', ''), payload: {} }));

/** Subject rows shared by create and rename. */
const subjectRows = (): StudyRow[] => {
  const all = validation(S.empty, S.string, S.max);
  return [
    row('an empty object', {}, all),
    { name: 'no body at all', payload: {}, expected: all },
    { name: 'a JSON null body', payload: { raw: 'null' }, expected: all },
    row('subject null', { subject: null }, all),
    row('subject empty', { subject: '' }, validation(S.empty)),
    row('subject of 51 characters', { subject: 's'.repeat(51) }, validation(S.max)),
    row('subject of 51 emoji', { subject: '😀'.repeat(51) }, validation(S.max)),
    row('subject with a NUL character', { subject: 'a\u0000b' }, validation(S.nul)),
    ...WRONG_TYPES.map(([what, v]) => row(`subject as ${what}`, { subject: v }, validation(S.string, S.max))),
    row('subject false', { subject: false }, validation(S.string, S.max)),
    row(
      'unknown fields first (color is not accepted), in body order',
      { subject: 5, color: '#ffffff', member_id: 'x' },
      validation('property color should not exist', 'property member_id should not exist', S.string, S.max),
    ),
    row(
      'a valid subject with an unknown field',
      { subject: 'ok', deleted_at: null },
      validation('property deleted_at should not exist'),
    ),
  ];
};

const { api, db, me, other, authorization } = useBadInputSuite();
let taken: string; // me's category 'taken'
let kept: string; // me's category 'kept'
let theirs: string; // other's category
let gone: string; // me's deleted category

beforeAll(async () => {
  const make = async (u: typeof me, subject: string) =>
    (await api.post(`/timer-api/members/${u.memberId}/study-categories`, { token: u.accessToken, json: { subject } }))
      .body.data.category.study_category_id as string;
  taken = await make(me, 'taken');
  kept = await make(me, 'kept');
  theirs = await make(other, 'theirs');
  gone = await make(me, 'gone');
  await api.delete(`/timer-api/members/${me.memberId}/study-categories/${gone}`, { token: me.accessToken });
  // A running session of me that no bad request may end, discard or replace.
  expect(
    (await api.post('/timer-api/study-timer/start', { token: me.accessToken, json: { category_id: Number(kept) } }))
      .status,
  ).toBe(200);
});

/** Everything a bad request could touch: both members' categories, records, points and transactions. */
const snapshot = async () =>
  Promise.all(
    [me, other].flatMap((u) => [
      categoryRows(db, u.memberId),
      records(db, u.memberId),
      memberRow(db, u.memberId),
      transactions(db, u.memberId),
    ]),
  );

async function check(method: string, path: string, payload: Payload, expected: Expected, auth: Sender = 'self') {
  const before = await snapshot();
  expect(before[1]).toHaveLength(1); // me's running record is there
  expectError(await send(api, method, path, payload, authorization(auth)), expected);
  expect(await snapshot()).toEqual(before);
}

const categories = () => `/timer-api/members/${me.memberId}/study-categories`;

describe('POST /members/:id/study-categories (N16)', () => {
  const rows: StudyRow[] = [
    ...badTokenRows({ subject: 5 }),
    row("another member's token with an invalid body → 403", { subject: 5 }, forbidden, 'other'),
    row("another member's token with a valid body → 403", { subject: 'mine now' }, forbidden, 'other'),
    row('an account without a member → 404', { subject: 'x' }, MEMBER_MISSING, 'nomember'),
    ...framingRows({ subject: 'fresh' }),
    {
      name: 'over 100 kB without a token → 413',
      payload: { raw: huge({ subject: 'x' }) },
      expected: tooLarge,
      auth: 'none',
    },
    ...subjectRows(),
    row('a duplicate subject', { subject: 'taken' }, badRequest('카테고리이(가) 이미 존재합니다.', 'CATEGORY_EXISTS')),
  ];
  it.each(rows)('$name', ({ payload, expected, auth }) => check('POST', categories(), payload, expected, auth));
});

describe('GET /members/:id/study-categories (N17)', () => {
  const rows: StudyRow[] = [
    ...bareTokenRows(),
    { name: "another member's token → 403", payload: {}, expected: forbidden, auth: 'other' },
    { name: 'an account without a member → 404', payload: {}, expected: MEMBER_MISSING, auth: 'nomember' },
  ];
  it.each(rows)('$name', ({ payload, expected, auth }) => check('GET', categories(), payload, expected, auth));
});

describe('PATCH /members/:id/study-categories/:category_id (N18)', () => {
  const rows: StudyRow[] = [
    ...badTokenRows({ subject: 5 }),
    row("another member's token with an invalid body → 403", { subject: 5 }, forbidden, 'other'),
    row("another member's token merging into its own subject → 403", { subject: 'theirs' }, forbidden, 'other'),
    row('an account without a member → 404', { subject: 'x' }, MEMBER_MISSING, 'nomember'),
    ...framingRows({ subject: 'renamed' }),
    ...subjectRows(),
    row('the same subject', { subject: 'taken' }, badRequest('변경할 내용이 없습니다.', 'NOTHING_TO_CHANGE')),
  ];
  it.each(rows)('$name', ({ payload, expected, auth }) =>
    check('PATCH', `${categories()}/${taken}`, payload, expected, auth),
  );

  it.each([...JUNK_IDS, 'theirs', 'gone'])('category id %s → 404 with a valid body', (id) => {
    const target = id === 'theirs' ? theirs : id === 'gone' ? gone : id;
    return check('PATCH', `${categories()}/${target}`, { json: { subject: 'kept' } }, CATEGORY_NOT_FOUND);
  });

  it('an invalid body is refused before the id is looked up', () =>
    check('PATCH', `${categories()}/abc`, { json: { subject: '' } }, validation(S.empty)));
});

describe('DELETE /members/:id/study-categories/:category_id (N19)', () => {
  const rows: StudyRow[] = [
    ...bareTokenRows(),
    { name: "another member's token → 403", payload: {}, expected: forbidden, auth: 'other' },
    { name: 'an account without a member → 404', payload: {}, expected: MEMBER_MISSING, auth: 'nomember' },
    { name: 'malformed JSON → 400', payload: { raw: '{"a":' }, expected: malformed('{"a":') },
    { name: 'a body over 100 kB → 413', payload: { raw: huge({}) }, expected: tooLarge },
  ];
  it.each(rows)('$name', ({ payload, expected, auth }) =>
    check('DELETE', `${categories()}/${taken}`, payload, expected, auth),
  );

  it.each([...JUNK_IDS, 'theirs', 'gone'])('category id %s → 404', (id) => {
    const target = id === 'theirs' ? theirs : id === 'gone' ? gone : id;
    return check('DELETE', `${categories()}/${target}`, {}, CATEGORY_NOT_FOUND);
  });
});

describe('member paths that are not the caller’s (N16–N19)', () => {
  it.each(['another member', 'an unknown member', 'a junk id'])('%s → 403 on every category route', async (which) => {
    const id = which === 'another member' ? other.memberId : which === 'a junk id' ? 'not-a-uuid' : randomUUID();
    const base = `/timer-api/members/${id}/study-categories`;
    await check('POST', base, { json: { subject: 5 } }, forbidden);
    await check('GET', base, {}, forbidden);
    await check('PATCH', `${base}/${theirs}`, { json: { subject: 'x' } }, forbidden);
    await check('DELETE', `${base}/${theirs}`, {}, forbidden);
  });
});

describe('POST /study-timer/start (N23)', () => {
  const rows: StudyRow[] = [
    ...badTokenRows({ category_id: '2' }),
    ...framingRows({ category_id: null }),
    { name: 'over 100 kB without a token → 413', payload: { raw: huge({}) }, expected: tooLarge, auth: 'none' },
    row('category_id as a string "2"', { category_id: '2' }, validation(C.number, C.integer)),
    row('category_id as an empty string', { category_id: '' }, validation(C.number, C.integer)),
    ...WRONG_TYPES.slice(1).map(([what, v]) =>
      row(`category_id as ${what}`, { category_id: v }, validation(C.number, C.integer)),
    ),
    row('category_id 1.5', { category_id: 1.5 }, validation(C.integer)),
    row('category_id -1', { category_id: -1 }, validation(C.integer)),
    row('category_id 2^53', { category_id: 2 ** 53 }, validation(C.integer)),
    row('category_id 1e20', { category_id: 1e20 }, validation(C.integer)),
    row(
      'the client clock is not accepted: unknown fields first',
      { start_time: '2024-01-01T00:00:00Z', category_id: '2' },
      validation('property start_time should not exist', C.number, C.integer),
    ),
    row('an unknown category', { category_id: 999_999_999 }, CATEGORY_NOT_FOUND),
    row(
      'an invalid body from an account without a member → 400 first',
      { category_id: '2' },
      validation(C.number, C.integer),
      'nomember',
    ),
    row('an account without a member', { category_id: null }, USER_NOT_FOUND, 'nomember'),
  ];
  it.each(rows)('$name', ({ payload, expected, auth }) =>
    check('POST', '/timer-api/study-timer/start', payload, expected, auth),
  );
  it.each(['theirs', 'gone'])("the %s category (another member's, a deleted one) → 404", (which) => {
    const id = Number(which === 'theirs' ? theirs : gone);
    return check('POST', '/timer-api/study-timer/start', { json: { category_id: id } }, CATEGORY_NOT_FOUND);
  });
});

describe('POST /study-timer/end (N24)', () => {
  const rows: StudyRow[] = [
    ...badTokenRows({ status: 'Done' }),
    ...framingRows({ status: 'Completed' }),
    {
      name: 'over 100 kB without a token → 413',
      payload: { raw: huge({ status: 'Completed' }) },
      expected: tooLarge,
      auth: 'none',
    },
    row('an empty object', {}, validation(ST.oneOf, ST.string)),
    { name: 'no body at all', payload: {}, expected: validation(ST.oneOf, ST.string) },
    { name: 'a JSON null body', payload: { raw: 'null' }, expected: validation(ST.oneOf, ST.string) },
    row('status null', { status: null }, validation(ST.oneOf, ST.string)),
    row('status 5', { status: 5 }, validation(ST.oneOf, ST.string)),
    ...WRONG_TYPES.slice(1).map(([what, v]) =>
      row(`status as ${what}`, { status: v }, validation(ST.oneOf, ST.string)),
    ),
    ...['Done', 'completed', 'COMPLETED', 'Completed ', '', 'x'.repeat(21), 'Completed\u0000'].map((status) =>
      row(
        `status ${JSON.stringify(status)}`,
        { status },
        validation(ST.oneOf, ...(status.includes('\u0000') ? ['status must not contain null characters'] : [])),
      ),
    ),
    row(
      'the client clock and points are not accepted: unknown fields first',
      { end_time: '2030-01-01T00:00:00Z', duration: 3000, status: 'Done' },
      validation('property end_time should not exist', 'property duration should not exist', ST.oneOf),
    ),
    row(
      'a valid status with claimed points',
      { status: 'Completed', points: 100000 },
      validation('property points should not exist'),
    ),
    row(
      'an invalid body from an account without a member → 400 first',
      { status: 'Done' },
      validation(ST.oneOf),
      'nomember',
    ),
    row('an account without a member', { status: 'Completed' }, USER_NOT_FOUND, 'nomember'),
    row(
      "another member's token: no timer of its own",
      { status: 'Completed' },
      notFound('진행중인 타이머를 찾을 수 없습니다.', 'TIMER_NOT_FOUND'),
      'other',
    ),
  ];
  it.each(rows)('$name', ({ payload, expected, auth }) =>
    check('POST', '/timer-api/study-timer/end', payload, expected, auth),
  );
});

describe('GET /members/:id/study-streak (N13)', () => {
  it.each(bareTokenRows())('$name', ({ payload, expected, auth }) =>
    check('GET', `/timer-api/members/${me.memberId}/study-streak`, payload, expected, auth),
  );
  it.each([randomUUID(), 'not-a-uuid', '1', "1'%20or%20'1'='1"])('member id %s → 403', (id) =>
    check('GET', `/timer-api/members/${id}/study-streak`, {}, forbidden),
  );
  it('an expired token for an unknown member → 401 before 403', () =>
    check('GET', `/timer-api/members/${randomUUID()}/study-streak`, {}, unauthenticated, { bad: 'an expired token' }));
});
