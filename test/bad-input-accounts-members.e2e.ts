import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import {
  type Auth,
  type BadToken,
  badAuthorizations,
  badRequest,
  badTokenRows,
  expectError,
  type Expected,
  forbidden,
  framingRows,
  huge,
  malformed,
  notFound,
  type Row,
  send,
  tooLarge,
  unauthenticated,
  validation,
} from './support/bad-input.js';
import { login, registerAndLogin, uniqueEmail } from './support/http.js';

// Bad input on the admin account routes and the member routes: credentials and permissions are
// checked before the body, every row gets its exact error, and nothing changes.

const E = {
  empty: 'email should not be empty',
  email: 'email must be an email',
  max: 'email must be shorter than or equal to 255 characters',
};
const P = {
  empty: 'password should not be empty',
  string: 'password must be a string',
  min: 'password must be longer than or equal to 8 characters',
  max: 'password must be shorter than or equal to 128 characters',
};
const ROLE = 'role must be an object with an integer role_id';
const N = {
  empty: 'nickname should not be empty',
  string: 'nickname must be a string',
  max: 'nickname must be shorter than or equal to 100 characters',
  nul: 'nickname must not contain null characters',
};
const I = { string: 'image_url must be a string', max: 'image_url must be shorter than or equal to 255 characters' };
const S = {
  string: 'status_message must be a string',
  max: 'status_message must be shorter than or equal to 500 characters',
};
const LONG_EMAIL = `${'a'.repeat(64)}@${`${'b'.repeat(60)}.`.repeat(4)}com`;
const WRONG_TYPES: [string, unknown][] = [
  ['a number', 42],
  ['an array', ['x']],
  ['an object', { value: 'x' }],
  ['a boolean', false],
];
const ROLE_NOT_FOUND = badRequest('role를 찾을 수 없습니다.', 'ROLE_NOT_FOUND');
const ACCOUNT_NOT_FOUND = notFound('계정을 찾을 수 없습니다.', 'ACCOUNT_NOT_FOUND');

const row = (name: string, json: unknown, expected: Expected, auth?: Auth): Row => ({
  name,
  payload: { json },
  expected,
  auth,
});

/** Rows for the optional `role` object of both account bodies. */
const roleRows = (base: Record<string, unknown>): Row[] => [
  ...[
    ['a string', 'Admin'],
    ['a number', 1],
    ['an array', [1]],
    ['an object without role_id', {}],
    ['a string role_id', { role_id: '1' }],
    ['a fractional role_id', { role_id: 1.5 }],
    ['an extra key', { role_id: 1, admin: true }],
  ].map(([what, role]) => row(`role as ${what}`, { ...base, role }, validation(ROLE))),
  ...[0, -1, 99, 2 ** 31, 1e20].map((roleId) =>
    row(`role_id ${roleId} (no such role)`, { ...base, role: { role_id: roleId } }, ROLE_NOT_FOUND),
  ),
];

let admin: string;
let bad: Record<BadToken, string | undefined>;

const app = useApp();
const { api } = app;
beforeAll(async () => {
  const session = await login(api, 'admin@test.com');
  admin = session.access_token;
  const someone = await registerAndLogin(api);
  bad = await badAuthorizations(app.handle.config.AUTH_JWT_SECRET, session.account.account_id, someone);
});

/** Resolves a row's sender: `self` and `other` are the suite's own users. */
function authorization(auth: Auth, users: { self?: string; other?: string }): string | undefined {
  if (auth === 'none') return undefined;
  if (typeof auth === 'object') return bad[auth.bad];
  const token = auth === 'admin' ? admin : users[auth];
  if (!token) throw new Error(`no ${auth} in this suite`);
  return `Bearer ${token}`;
}

describe('POST /accounts (admin)', () => {
  const fresh = uniqueEmail('bad-admin');
  const valid = { email: fresh, password: 'qwer1234' };
  const rows: Row[] = [
    ...badTokenRows({ email: 'wrongEmail' }),
    row('a user token with an invalid body → 403', { email: 'wrongEmail' }, forbidden, 'self'),
    row('a user token with a valid body → 403', { ...valid, role: { role_id: 1 } }, forbidden, 'self'),
    ...framingRows(valid),
    // The body is parsed before any guard runs, as Express's body parser did.
    { name: 'malformed JSON from a user → 400', payload: { raw: '{"a":' }, expected: malformed('{"a":'), auth: 'self' },
    { name: 'over 100 kB without a token → 413', payload: { raw: huge(valid) }, expected: tooLarge, auth: 'none' },
    row('an empty object', {}, validation(E.empty, E.email, E.max, P.empty, P.string, P.min, P.max)),
    {
      name: 'no body at all',
      payload: {},
      expected: validation(E.empty, E.email, E.max, P.empty, P.string, P.min, P.max),
    },
    row('email null', { ...valid, email: null }, validation(E.empty, E.email, E.max)),
    row('password null', { ...valid, password: null }, validation(P.empty, P.string, P.min, P.max)),
    ...WRONG_TYPES.map(([what, value]) =>
      row(`email as ${what}`, { ...valid, email: value }, validation(E.email, E.max)),
    ),
    ...WRONG_TYPES.map(([what, value]) =>
      row(`password as ${what}`, { ...valid, password: value }, validation(P.string, P.min, P.max)),
    ),
    row('email not an address', { ...valid, email: 'wrongEmail' }, validation(E.email)),
    row('email over 255 characters', { ...valid, email: LONG_EMAIL }, validation(E.email, E.max)),
    row('password too short', { ...valid, password: 'qwer123' }, validation(P.min)),
    row('password over 128 characters', { ...valid, password: 'x'.repeat(129) }, validation(P.max)),
    ...roleRows(valid),
    row(
      'provider and social_id are unknown, listed first',
      { ...valid, provider: 'google', social_id: '1', password: 1 },
      validation('property provider should not exist', 'property social_id should not exist', P.string, P.min, P.max),
    ),
  ];
  let user: string;

  beforeAll(async () => {
    user = (await registerAndLogin(api)).accessToken;
  });

  it.each(rows)('$name', async ({ payload, expected, auth = 'admin' }) => {
    expectError(await send(api, 'POST', '/timer-api/accounts', payload, authorization(auth, { self: user })), expected);
    // No account was created for the row's e-mail.
    expectError(await api.post('/timer-api/auth/email/login', { json: valid }), ACCOUNT_NOT_FOUND);
  });
});

describe('PATCH /accounts/:id (admin)', () => {
  let target: Awaited<ReturnType<typeof registerAndLogin>>;
  const rows: Row[] = [
    ...badTokenRows({ role: { role_id: 1 }, email: null }),
    row('the account itself asking for Admin → 403', { role: { role_id: 1 } }, forbidden, 'self'),
    row('the account itself with an invalid body → 403', { email: null }, forbidden, 'self'),
    ...framingRows({ password: 'newpassword1' }),
    row('email null', { email: null }, validation(E.empty, E.email, E.max)),
    row('password null', { password: null }, validation(P.empty, P.string, P.min, P.max)),
    ...WRONG_TYPES.map(([what, value]) => row(`email as ${what}`, { email: value }, validation(E.email, E.max))),
    ...WRONG_TYPES.map(([what, value]) =>
      row(`password as ${what}`, { password: value }, validation(P.string, P.min, P.max)),
    ),
    row('email empty', { email: '' }, validation(E.empty, E.email)),
    row('email not an address', { email: 'wrongEmail' }, validation(E.email)),
    row('email over 255 characters', { email: LONG_EMAIL }, validation(E.email, E.max)),
    row('password empty', { password: '' }, validation(P.empty, P.min)),
    row('password too short', { password: 'qwer123' }, validation(P.min)),
    row('password over 128 characters', { password: 'x'.repeat(129) }, validation(P.max)),
    row(
      "another account's email",
      { email: 'user@test.com' },
      badRequest('이 이메일로 등록된 계정이 이미 존재합니다.', 'EMAIL_TAKEN'),
    ),
    ...roleRows({ password: 'newpassword1' }),
    row(
      'unknown fields first, then every field in declaration order',
      { deleted_at: null, provider: 'kakao', role: 'Admin', password: '', email: 5 },
      validation(
        'property deleted_at should not exist',
        'property provider should not exist',
        E.email,
        E.max,
        P.empty,
        P.min,
        ROLE,
      ),
    ),
  ];

  beforeAll(async () => {
    target = await registerAndLogin(api);
  });
  const snapshot = async () => (await api.get(`/timer-api/accounts/${target.accountId}`, { token: admin })).body;

  it.each(rows)('$name', async ({ payload, expected, auth = 'admin' }) => {
    const before = await snapshot();
    expect(before.data.account_id).toBe(target.accountId);
    const path = `/timer-api/accounts/${target.accountId}`;
    expectError(await send(api, 'PATCH', path, payload, authorization(auth, { self: target.accessToken })), expected);
    expect(await snapshot()).toEqual(before); // updated_at included
    expect((await login(api, target.email)).account.role).toEqual({ role_id: 2, name: 'User' });
  });

  it.each([
    ['not-a-uuid', { role: { role_id: 2 } }],
    [randomUUID(), { password: 'newpassword1' }],
  ])('an unknown id %s → 404, never 500', async (id, body) => {
    expectError(await api.patch(`/timer-api/accounts/${id}`, { token: admin, json: body }), ACCOUNT_NOT_FOUND);
  });
});

describe.each(['GET', 'DELETE'])('%s /accounts/:id (admin)', (method) => {
  let target: Awaited<ReturnType<typeof registerAndLogin>>;
  const withoutBody = badTokenRows({}).map((r) => ({
    ...r,
    name: r.name.replace(' with an invalid body', ''),
    payload: {},
  }));
  const rows: Row[] = [...withoutBody, { name: 'a user token → 403', payload: {}, expected: forbidden, auth: 'self' }];
  if (method === 'DELETE') {
    rows.push(
      { name: 'a user token with malformed JSON → 400', payload: { raw: '{' }, expected: malformed('{'), auth: 'self' },
      { name: 'an admin with malformed JSON → 400', payload: { raw: '{"a":' }, expected: malformed('{"a":') },
      { name: 'an admin with a body over 100 kB → 413', payload: { raw: huge({}) }, expected: tooLarge },
    );
  }

  beforeAll(async () => {
    target = await registerAndLogin(api);
  });

  it.each(rows)('$name', async ({ payload, expected, auth = 'admin' }) => {
    const path = `/timer-api/accounts/${target.accountId}`;
    expectError(await send(api, method, path, payload, authorization(auth, { self: target.accessToken })), expected);
    // Still there, and its owner still signs in.
    const r = await api.get(path, { token: admin });
    expect(r.body.data.account_id).toBe(target.accountId);
    expect((await login(api, target.email)).account.account_id).toBe(target.accountId);
  });

  it('a junk id answers as an unknown one, never 500', async () => {
    const r = await api.call(method, `/timer-api/accounts/${encodeURIComponent("1' or '1'='1")}`, { token: admin });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(method === 'GET' ? { status: 'success', data: null } : { status: 'success' });
  });
});

describe('GET /members (admin) and GET /members/me', () => {
  let user: string;

  beforeAll(async () => {
    user = (await registerAndLogin(api)).accessToken;
  });

  const rows = badTokenRows({}).map((r) => ({ ...r, name: r.name.replace(' with an invalid body', '') }));
  it.each(rows)('GET /members: $name', async ({ auth }) => {
    expectError(await send(api, 'GET', '/timer-api/members', {}, authorization(auth!, {})), unauthenticated);
  });
  it('GET /members: a user token → 403', async () => {
    expectError(await api.get('/timer-api/members', { token: user }), forbidden);
  });
  it.each(rows)('GET /members/me: $name', async ({ auth }) => {
    expectError(await send(api, 'GET', '/timer-api/members/me', {}, authorization(auth!, {})), unauthenticated);
  });
});

describe('PATCH /members/:member_id (owner)', () => {
  let me: Awaited<ReturnType<typeof registerAndLogin>>;
  let other: Awaited<ReturnType<typeof registerAndLogin>>;
  const nothing = badRequest('변경할 내용이 없습니다.', 'NOTHING_TO_CHANGE');
  const rows: Row[] = [
    ...badTokenRows({ nickname: null }),
    row("another member's token with an invalid body → 403", { nickname: null }, forbidden, 'other'),
    row("another member's token with a valid body → 403", { nickname: 'taken over' }, forbidden, 'other'),
    ...framingRows({ nickname: 'valid name' }),
    row('an empty object', {}, nothing),
    { name: 'no body at all', payload: {}, expected: nothing },
    { name: 'a JSON null body', payload: { raw: 'null' }, expected: nothing },
    row('nickname null', { nickname: null }, validation(N.empty, N.string, N.max)),
    row('status_message null', { status_message: null }, validation(S.string, S.max)),
    row('nickname empty', { nickname: '' }, validation(N.empty)),
    ...WRONG_TYPES.map(([what, value]) => row(`nickname as ${what}`, { nickname: value }, validation(N.string, N.max))),
    ...WRONG_TYPES.map(([what, value]) =>
      row(`image_url as ${what}`, { image_url: value }, validation(I.string, I.max)),
    ),
    ...WRONG_TYPES.map(([what, value]) =>
      row(`status_message as ${what}`, { status_message: value }, validation(S.string, S.max)),
    ),
    row('nickname over 100 characters', { nickname: 'n'.repeat(101) }, validation(N.max)),
    row('nickname of 101 emoji', { nickname: '😀'.repeat(101) }, validation(N.max)),
    row('image_url over 255 characters', { image_url: `https://x.test/${'i'.repeat(241)}` }, validation(I.max)),
    row('status_message over 500 characters', { status_message: 's'.repeat(501) }, validation(S.max)),
    row('nickname with a NUL character', { nickname: 'a\u0000b' }, validation(N.nul)),
    row('a valid field beside an invalid one', { nickname: 'fine', status_message: null }, validation(S.string, S.max)),
    row(
      'every field wrong: declaration order',
      { status_message: null, image_url: 5, nickname: null },
      validation(N.empty, N.string, N.max, I.string, I.max, S.string, S.max),
    ),
    row('point is unknown', { point: 999999, nickname: 'rich' }, validation('property point should not exist')),
    row(
      'unknown fields come first, in body order',
      { nickname: null, member_id: 'x', active_record_id: '1' },
      validation(
        'property member_id should not exist',
        'property active_record_id should not exist',
        N.empty,
        N.string,
        N.max,
      ),
    ),
  ];

  beforeAll(async () => {
    me = await registerAndLogin(api);
    other = await registerAndLogin(api);
  });
  const snapshot = async () =>
    Promise.all(
      [me, other].map(async (u) => (await api.get('/timer-api/members/me', { token: u.accessToken })).body.data.member),
    );

  it.each(rows)('$name', async ({ payload, expected, auth = 'self' }) => {
    const before = await snapshot();
    expect(before[0].member_id).toBe(me.memberId);
    const users = { self: me.accessToken, other: other.accessToken };
    expectError(
      await send(api, 'PATCH', `/timer-api/members/${me.memberId}`, payload, authorization(auth, users)),
      expected,
    );
    expect(await snapshot()).toEqual(before);
  });

  it('limits count characters as the column does: 100 emoji fit a 100-character nickname', async () => {
    const someone = await registerAndLogin(api);
    const nickname = '😀'.repeat(100);
    const r = await api.patch(`/timer-api/members/${someone.memberId}`, {
      token: someone.accessToken,
      json: { nickname },
    });
    expect(r.status).toBe(200);
    const me = await api.get('/timer-api/members/me', { token: someone.accessToken });
    expect(me.body.data.member.nickname).toBe(nickname);
  });

  it.each([
    ["another member's id", () => other.memberId],
    ['an unknown id', () => randomUUID()],
    ['a junk id', () => 'not-a-uuid'],
  ])('%s with an invalid body → 403 before validation', async (_, id) => {
    const before = await snapshot();
    const r = await api.patch(`/timer-api/members/${id()}`, { token: me.accessToken, json: { nickname: null } });
    expectError(r, forbidden);
    expect(await snapshot()).toEqual(before);
  });
});
