import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import {
  type Auth,
  BAD_REFRESH,
  type BadToken,
  badAuthorizations,
  badTokenRows,
  expectError,
  type Expected,
  framingRows,
  huge,
  malformed,
  notFound,
  type Payload,
  type Row,
  send,
  spring,
  SPRING_BAD_BODY,
  TOO_LARGE_MESSAGE,
  tooLarge,
  unauthenticated,
  unsupportedMediaType,
  validation,
} from './support/bad-input.js';
import { login, registerAndLogin, uniqueEmail } from './support/http.js';

// Bad input on the public auth routes, the token routes, health and the Spring path space: every row
// gets its exact status and envelope, never a 500, and changes nothing.

const E = {
  empty: 'email should not be empty',
  email: 'email must be an email',
  max: 'email must be shorter than or equal to 255 characters',
  nul: 'email must not contain null characters',
};
const P = {
  empty: 'password should not be empty',
  string: 'password must be a string',
  min: 'password must be longer than or equal to 8 characters',
  max: 'password must be shorter than or equal to 128 characters',
  nul: 'password must not contain null characters',
};
const C = {
  empty: 'code should not be empty',
  string: 'code must be a string',
  max: 'code must be shorter than or equal to 2048 characters',
  nul: 'code must not contain null characters',
};
const T = { string: 'id_token must be a string', max: 'id_token must be shorter than or equal to 8192 characters' };
// A well-formed address of 312 characters: over the column's 255.
const LONG_EMAIL = `${'a'.repeat(64)}@${`${'b'.repeat(60)}.`.repeat(4)}com`;
const WRONG_TYPES: [string, unknown][] = [
  ['a number', 42],
  ['an array', ['x@test.com']],
  ['an object', { value: 'x@test.com' }],
  ['a boolean', true],
];

const row = (name: string, json: unknown, expected: Expected, auth?: Auth): Row => ({
  name,
  payload: { json },
  expected,
  auth,
});

/** Rows for `{email, password}` bodies; `valid` fills the field a row does not break. */
function credentialRows(valid: { email: string; password: string }, passwordMin: boolean): Row[] {
  const pw = (...m: string[]) => m.filter((x) => passwordMin || x !== P.min);
  const missingPassword = pw(P.empty, P.string, P.min, P.max);
  return [
    row('an empty object', {}, validation(E.empty, E.email, E.max, ...missingPassword)),
    { name: 'no body at all', payload: {}, expected: validation(E.empty, E.email, E.max, ...missingPassword) },
    {
      name: 'a JSON null body',
      payload: { raw: 'null' },
      expected: validation(E.empty, E.email, E.max, ...missingPassword),
    },
    row('email missing', { password: valid.password }, validation(E.empty, E.email, E.max)),
    row('password missing', { email: valid.email }, validation(...missingPassword)),
    row('email null', { ...valid, email: null }, validation(E.empty, E.email, E.max)),
    row('password null', { ...valid, password: null }, validation(...missingPassword)),
    ...WRONG_TYPES.map(([what, value]) =>
      row(`email as ${what}`, { ...valid, email: value }, validation(E.email, E.max)),
    ),
    ...WRONG_TYPES.map(([what, value]) =>
      row(`password as ${what}`, { ...valid, password: value }, validation(...pw(P.string, P.min, P.max))),
    ),
    row('email empty', { ...valid, email: '' }, validation(E.empty, E.email)),
    row('email blank (trimmed to empty)', { ...valid, email: '   ' }, validation(E.empty, E.email)),
    row('email not an address', { ...valid, email: 'wrongEmail' }, validation(E.email)),
    row('email over 255 characters', { ...valid, email: LONG_EMAIL }, validation(E.email, E.max)),
    row('email with a NUL character', { ...valid, email: `nu\u0000l.${valid.email}` }, validation(E.nul)),
    row('password empty', { ...valid, password: '' }, validation(...pw(P.empty, P.min))),
    row('password over 128 characters', { ...valid, password: 'x'.repeat(129) }, validation(P.max)),
    row('password of 129 emoji', { ...valid, password: '😀'.repeat(129) }, validation(P.max)),
    row('password with a NUL character', { ...valid, password: 'qwer\u00001234' }, validation(P.nul)),
    row('both fields wrong', { email: 'wrongEmail', password: '' }, validation(E.email, ...pw(P.empty, P.min))),
    row(
      'an unknown field beside valid ones',
      { ...valid, role: { role_id: 1 } },
      validation('property role should not exist'),
    ),
    row(
      'unknown fields come first, in body order',
      { zeta: 1, email: 'wrongEmail', provider: 'google', password: 42 },
      validation(
        'property zeta should not exist',
        'property provider should not exist',
        E.email,
        ...pw(P.string, P.min, P.max),
      ),
    ),
    {
      name: 'a __proto__ key',
      payload: { raw: `{"__proto__":{"role_id":1},"email":"${valid.email}","password":"${valid.password}"}` },
      expected: validation('property __proto__ should not exist'),
    },
  ];
}

let providerHits = 0;
let provider: Server;
let base: string;

beforeAll(async () => {
  // Every provider endpoint points at this server, which refuses everything and counts the calls.
  provider = createServer((request, response) => {
    providerHits += 1;
    request.resume();
    response.writeHead(500, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
});
const app = useApp(() => ({
  env: {
    GOOGLE_TOKEN_URL: `${base}/google/token`,
    GOOGLE_JWKS_URL: `${base}/google/jwks`,
    KAKAO_TOKEN_URL: `${base}/kakao/token`,
    KAKAO_JWKS_URL: `${base}/kakao/jwks`,
    NAVER_TOKEN_URL: `${base}/naver/token`,
    NAVER_PROFILE_URL: `${base}/naver/me`,
  },
}));
const { api } = app;
afterAll(async () => {
  await new Promise((resolve) => provider.close(resolve));
});

describe('POST /auth/email/login', () => {
  const valid = { email: 'user@test.com', password: 'qwer1234' };
  const rows = [...framingRows(valid), ...credentialRows(valid, false)];

  it.each(rows)('$name', async ({ payload, expected }) => {
    expectError(await send(api, 'POST', '/timer-api/auth/email/login', payload), expected);
  });

  it('the account the rows aimed at still logs in with its password', async () => {
    expect((await login(api, valid.email)).account.email).toBe(valid.email);
  });
});

describe('POST /auth/email/register', () => {
  // Every row carries an e-mail nobody holds; after the row it still belongs to no account.
  const fresh = uniqueEmail('bad');
  const valid = { email: fresh, password: 'qwer1234' };
  const rows = [...framingRows(valid), ...credentialRows(valid, true)];

  it.each(rows)('$name', async ({ payload, expected }) => {
    expectError(await send(api, 'POST', '/timer-api/auth/email/register', payload), expected);
    const r = await api.post('/timer-api/auth/email/login', { json: valid });
    expectError(r, notFound('계정을 찾을 수 없습니다.', 'ACCOUNT_NOT_FOUND'));
  });
});

describe('routes that take a token and no body', () => {
  let user: Awaited<ReturnType<typeof registerAndLogin>>;
  let bad: Record<BadToken, string | undefined>;

  beforeAll(async () => {
    user = await registerAndLogin(api);
    const admin = await login(api, 'admin@test.com');
    bad = await badAuthorizations(app.handle.config.AUTH_JWT_SECRET, admin.account.account_id, user);
  });

  // The body is ignored, but it is still parsed (and refused) before the credentials are checked.
  const bodyRows: Row[] = [
    ...['{"a":', '{"a":1,}', 'nope'].map((raw) => ({
      name: `malformed JSON ${raw}`,
      payload: { raw },
      expected: malformed(raw),
    })),
    { name: 'a body over 100 kB', payload: { raw: huge({}) }, expected: tooLarge },
    {
      name: 'a form-urlencoded body',
      payload: { raw: 'a=1', contentType: 'application/x-www-form-urlencoded' },
      expected: unsupportedMediaType,
    },
  ];
  const noToken: Row[] = [
    ...bodyRows.map((r) => ({ ...r, name: `${r.name} without a token`, auth: 'none' as const })),
    row('a JSON array body without a token (the body is ignored)', [1], unauthenticated, 'none'),
  ];

  describe.each([
    ['POST', '/timer-api/auth/refresh'],
    ['POST', '/timer-api/auth/logout'],
  ])('%s %s', (method, path) => {
    const rows = [...badTokenRows({ junk: true }, BAD_REFRESH), ...bodyRows, ...noToken];

    it.each(rows)('$name', async ({ payload, expected, auth }) => {
      const session = await login(api, user.email);
      const authorization = auth === undefined ? `Bearer ${session.refresh_token}` : header(auth);
      expectError(await send(api, method, path, payload, authorization), expected);
      // Neither rotated away nor revoked: the session still refreshes.
      const refreshed = await api.post('/timer-api/auth/refresh', { token: session.refresh_token });
      expect(refreshed.status).toBe(200);
    });
  });

  describe('DELETE /auth/me', () => {
    const rows = [...badTokenRows({ junk: true }), ...bodyRows, ...noToken];

    it.each(rows)('$name', async ({ payload, expected, auth }) => {
      const authorization = auth === undefined ? `Bearer ${user.accessToken}` : header(auth);
      expectError(await send(api, 'DELETE', '/timer-api/auth/me', payload, authorization), expected);
      // The account is not erased.
      expect((await login(api, user.email)).account.account_id).toBe(user.accountId);
      const me = await api.get('/timer-api/members/me', { token: user.accessToken });
      expect(me.body.data.member.member_id).toBe(user.memberId);
    });
  });

  function header(auth: Auth) {
    if (auth === 'none') return undefined;
    if (typeof auth === 'object') return bad[auth.bad];
    throw new Error(`unused auth ${auth}`);
  }
});

/** Rows for `{code}` bodies (Kakao, Naver); Google's `code` is optional and has its own rows. */
function codeRows(): Row[] {
  const missing = validation(C.empty, C.string, C.max);
  return [
    row('an empty object', {}, missing),
    { name: 'no body at all', payload: {}, expected: missing },
    { name: 'a JSON null body', payload: { raw: 'null' }, expected: missing },
    row('code null', { code: null }, missing),
    row('code empty', { code: '' }, validation(C.empty)),
    ...WRONG_TYPES.map(([what, value]) => row(`code as ${what}`, { code: value }, validation(C.string, C.max))),
    row('code over 2048 characters', { code: 'x'.repeat(2049) }, validation(C.max)),
    row('code with a NUL character', { code: 'abc\u0000' }, validation(C.nul)),
    row(
      'an unknown field beside a valid code',
      { code: 'abc', state: 'x' },
      validation('property state should not exist'),
    ),
    row(
      "Google's id_token is unknown here, and listed first",
      { id_token: 'x', code: 7 },
      validation('property id_token should not exist', C.string, C.max),
    ),
  ];
}

function googleRows(): Row[] {
  const none = validation(C.empty);
  return [
    row('an empty object', {}, none),
    { name: 'no body at all', payload: {}, expected: none },
    { name: 'a JSON null body', payload: { raw: 'null' }, expected: none },
    row('code null', { code: null }, none),
    row('code and id_token null', { code: null, id_token: null }, none),
    row('code empty', { code: '' }, validation(C.empty)),
    ...WRONG_TYPES.map(([what, value]) => row(`code as ${what}`, { code: value }, validation(C.string, C.max))),
    ...WRONG_TYPES.map(([what, value]) => row(`id_token as ${what}`, { id_token: value }, validation(T.string, T.max))),
    row('code over 2048 characters', { code: 'x'.repeat(2049) }, validation(C.max)),
    row('id_token over 8192 characters', { id_token: 'x'.repeat(8193) }, validation(T.max)),
    row('code with a NUL character', { code: 'abc\u0000' }, validation(C.nul)),
    row('an unknown field alone', { credential: 'x' }, validation('property credential should not exist')),
    row(
      'unknown fields come first',
      { redirect_uri: 'https://evil.example', code: 7 },
      validation('property redirect_uri should not exist', C.string, C.max),
    ),
  ];
}

describe.each([
  ['google', googleRows()],
  ['kakao', codeRows()],
  ['naver', codeRows()],
])('POST /auth/%s/login', (name, fieldRows) => {
  const path = `/timer-api/auth/${name}/login`;

  // Nothing reaches the provider: a bad body is refused before any exchange.
  it.each([...framingRows({ code: 'abc' }), ...fieldRows])('$name', async ({ payload, expected }) => {
    const before = providerHits;
    expectError(await send(api, 'POST', path, payload), expected);
    expect(providerHits).toBe(before);
  });

  it('a well-formed code does reach the (failing) provider: the count above can move', async () => {
    const before = providerHits;
    const r = await api.post(path, { json: { code: 'abc' } });
    expectError(r, {
      status: 422,
      body: {
        status: 'error',
        error: 'Unprocessable Entity',
        message: '작업에 실패했습니다. 다시 시도해주세요.',
        code: 'PROVIDER_FAILED',
      },
    });
    expect(providerHits).toBeGreaterThan(before);
  });
});

describe('health', () => {
  it.each([
    ['/health/live', { json: {} }, notFound('Cannot POST /health/live')],
    ['/health/ready', { raw: huge({}) }, tooLarge],
  ] as [string, Payload, Expected][])('POST %s', async (path, payload, expected) => {
    expectError(await send(api, 'POST', path, payload), expected);
  });

  it.each(['/health/live', '/health/ready'])('GET %s ignores a junk query', async (path) => {
    const r = await api.get(`${path}?x=%zz&y[]=1`);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('ok');
  });
});

describe('the Spring path space (/v2/, /admin/, /characters)', () => {
  const notFoundSpring = spring(404, 'NOT_FOUND', [expect.any(String)]);
  const tooLargeSpring = spring(413, 'PAYLOAD_TOO_LARGE', [TOO_LARGE_MESSAGE]);
  const badBodySpring = spring(400, 'BAD_REQUEST', [SPRING_BAD_BODY]);
  const rows: [string, string, Payload, Expected][] = [
    ['GET', '/v2/nope', {}, notFoundSpring],
    ['GET', '/v2', {}, notFoundSpring],
    ['GET', '/admin/nope', {}, notFoundSpring],
    ['GET', '/characters/nope/deeper', {}, notFoundSpring],
    ['POST', '/v2/nope', { json: { item_id: 1 } }, notFoundSpring],
    ['DELETE', '/admin/nope/1', {}, notFoundSpring],
    ['POST', '/v2/nope', { raw: huge({ item_id: 1 }) }, tooLargeSpring],
    ['POST', '/admin/nope', { raw: huge({}) }, tooLargeSpring],
    ['POST', '/characters/nope', { raw: huge({}) }, tooLargeSpring],
    ['PATCH', '/v2/nope', { raw: huge({}) }, tooLargeSpring],
    ['POST', '/v2/nope', { raw: '{"item_id":' }, badBodySpring],
    ['POST', '/admin/nope', { raw: "{'a':1}" }, badBodySpring],
    // No Spring route exists yet, so these paths are all unknown. Neighbours of the prefixes stay Nest.
    ['GET', '/v20/x', {}, notFound('Cannot GET /v20/x')],
    ['GET', '/administrator', {}, notFound('Cannot GET /administrator')],
    ['POST', '/timer-api/nope', { raw: huge({}) }, tooLarge],
  ];

  it.each(rows)('%s %s', async (method, path, payload, expected) => {
    expectError(await send(api, method, path, payload), expected);
  });
});
