import { beforeAll, describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import { useDb } from './support/db.js';
import { expectError, type Expected, type Payload, send, validation } from './support/bad-input.js';
import { FakeOAuthProvider } from './support/fake-oauth-provider.js';
import { login, registerAndLogin, uniqueEmail } from './support/http.js';

// Text fields of the Nest dialect (issue 9 item 10): a whitespace-only nickname, subject or social
// code is 400, and so is an unpaired UTF-16 surrogate in any text field, which PostgreSQL would
// otherwise store as U+FFFD. Each row gets its exact error and changes nothing in the database.
// The Spring catalogue's rows are in test/bad-input-admin.e2e.ts.

type Member = Awaited<ReturnType<typeof registerAndLogin>>;

/** Whitespace-only values (JavaScript's trim: Unicode White_Space and the BOM). */
const BLANKS: [string, string][] = [
  ['one space', ' '],
  ['spaces', '   '],
  ['a tab and a newline', '\t\n'],
  ['an ideographic space', '\u3000'],
  ['a no-break space and a BOM', '\u00a0\ufeff'],
];
/** Text that `JSON.parse` accepts from `\u` escapes but no UTF-8 column can hold. */
const LONE: [string, string][] = [
  ['a lone high surrogate', '\ud800'],
  ['a lone low surrogate', 'a\udfff'],
  ['a reversed pair', '\udc00\ud83d'],
  ['an emoji cut in half', 'study 😀'.slice(0, -1)],
];
const blank = (f: string) => `${f} should not be blank`;
const unpaired = (f: string) => `${f} must not contain unpaired surrogates`;

interface Row {
  name: string;
  payload: Payload;
  expected: Expected;
}
const besides = (extra: Record<string, unknown>) => (Object.keys(extra).length ? ' beside a valid field' : '');
const blankRows = (f: string, extra: Record<string, unknown> = {}): Row[] =>
  BLANKS.map(([what, value]) => ({
    name: `${f} ${what}${besides(extra)}`,
    payload: { json: { ...extra, [f]: value } },
    expected: validation(blank(f)),
  }));
const loneRows = (f: string, extra: Record<string, unknown> = {}): Row[] => [
  ...LONE.map(([what, value]) => ({
    name: `${f} with ${what}${besides(extra)}`,
    payload: { json: { ...extra, [f]: value } },
    expected: validation(unpaired(f)),
  })),
  {
    name: `${f} as a raw upper-case \\uDC00 escape${besides(extra)}`,
    payload: { raw: JSON.stringify({ ...extra, [f]: 'x' }).replace('"x"', '"x\\uDC00"') },
    expected: validation(unpaired(f)),
  },
];

let admin: string;

const provider = FakeOAuthProvider.use();
const app = useApp(() => ({ env: provider.env() }));
const { api } = app;
const db = useDb({ max: 2 });
beforeAll(async () => {
  admin = (await login(api, 'admin@test.com')).access_token;
});

const rows = async (sql: string, params: unknown[]) => (await db.query(sql, params)).rows;
/** A parameter with a lone surrogate reaches PostgreSQL as U+FFFD, so this also finds a mangled copy. */
const accountsWithEmail = (email: string) =>
  rows('select account_id from account where lower(email) = lower($1)', [email]);
const accountRow = (id: string) => rows('select * from account where account_id = $1', [id]);
const refreshTokens = (id: string) => rows('select * from refresh_token where account_id = $1', [id]);
const memberRow = (id: string) => rows('select * from member where member_id = $1', [id]);
const categories = (id: string) =>
  rows('select * from study_category where member_id = $1 order by study_category_id', [id]);
const records = (id: string) => rows('select * from study_record where member_id = $1 order by study_record_id', [id]);

describe('PATCH /members/:member_id', () => {
  let me: Member;
  beforeAll(async () => {
    me = await registerAndLogin(api);
  });
  const table: Row[] = [
    ...blankRows('nickname'),
    ...blankRows('nickname', { status_message: 'fine' }),
    {
      name: 'a nickname of 101 spaces: blank and too long',
      payload: { json: { nickname: ' '.repeat(101) } },
      expected: validation(blank('nickname'), 'nickname must be shorter than or equal to 100 characters'),
    },
    ...loneRows('nickname'),
    ...loneRows('image_url'),
    ...loneRows('status_message'),
    ...loneRows('status_message', { nickname: 'valid' }),
    {
      name: 'every field bad at once: declaration order',
      payload: { json: { status_message: '\ud800', image_url: '\udc00', nickname: ' ' } },
      expected: validation(blank('nickname'), unpaired('image_url'), unpaired('status_message')),
    },
  ];

  it.each(table)('$name', async ({ payload, expected }) => {
    const before = await memberRow(me.memberId);
    expect(before).toHaveLength(1);
    const path = `/timer-api/members/${me.memberId}`;
    expectError(await send(api, 'PATCH', path, payload, `Bearer ${me.accessToken}`), expected);
    expect(await memberRow(me.memberId)).toEqual(before); // updated_at included
  });

  it('stores valid text exactly as sent: nothing is trimmed, a blank status message is a status message', async () => {
    const someone = await registerAndLogin(api);
    const sent = { nickname: ' spaced 😀 ', status_message: '   ', image_url: '' };
    const r = await api.patch(`/timer-api/members/${someone.memberId}`, { token: someone.accessToken, json: sent });
    expect(r.status).toBe(200);
    const [row] = await memberRow(someone.memberId);
    expect({ nickname: row.nickname, status_message: row.status_message, image_url: row.image_url }).toEqual(sent);
  });
});

describe('study categories: subject', () => {
  let me: Member;
  let categoryId: string;
  beforeAll(async () => {
    me = await registerAndLogin(api);
    const r = await api.post(`/timer-api/members/${me.memberId}/study-categories`, {
      token: me.accessToken,
      json: { subject: 'math' },
    });
    expect(r.status).toBe(200);
    categoryId = (await categories(me.memberId))[0].study_category_id as string;
  });
  const table: Row[] = [...blankRows('subject'), ...loneRows('subject')];

  it.each(table)('POST: $name', async ({ payload, expected }) => {
    const before = await categories(me.memberId);
    const path = `/timer-api/members/${me.memberId}/study-categories`;
    expectError(await send(api, 'POST', path, payload, `Bearer ${me.accessToken}`), expected);
    expect(await categories(me.memberId)).toEqual(before);
  });

  it.each(table)('PATCH: $name', async ({ payload, expected }) => {
    const before = await categories(me.memberId);
    expect(before).toHaveLength(1);
    const path = `/timer-api/members/${me.memberId}/study-categories/${categoryId}`;
    expectError(await send(api, 'PATCH', path, payload, `Bearer ${me.accessToken}`), expected);
    expect(await categories(me.memberId)).toEqual(before);
  });

  it('a subject with surrounding spaces is a subject, stored as sent', async () => {
    const someone = await registerAndLogin(api);
    const path = `/timer-api/members/${someone.memberId}/study-categories`;
    expect((await api.post(path, { token: someone.accessToken, json: { subject: ' 영어 ' } })).status).toBe(200);
    expect((await categories(someone.memberId)).map((c) => c.subject)).toEqual([' 영어 ']);
  });
});

describe('e-mail and password fields', () => {
  let me: Member;
  beforeAll(async () => {
    me = await registerAndLogin(api);
  });
  const loneEmail = () => `x\ud800${uniqueEmail('lone')}`;

  it.each([
    ['POST /auth/email/register', '/timer-api/auth/email/register', undefined],
    ['POST /accounts (admin)', '/timer-api/accounts', 'admin'],
  ])('%s: a lone surrogate in the e-mail or the password creates nothing', async (_, path, who) => {
    const authorization = who ? `Bearer ${admin}` : undefined;
    const email = loneEmail();
    expectError(
      await send(api, 'POST', path, { json: { email, password: 'qwer1234' } }, authorization),
      validation(unpaired('email')),
    );
    expect(await accountsWithEmail(email)).toEqual([]);
    const fresh = uniqueEmail('lone-password');
    for (const [, password] of LONE) {
      const body = { email: fresh, password: `qwer1234${password}` };
      expectError(await send(api, 'POST', path, { json: body }, authorization), validation(unpaired('password')));
    }
    expect(await accountsWithEmail(fresh)).toEqual([]);
  });

  it('POST /auth/email/login: 400 before any look-up, and no session is issued', async () => {
    const before = await refreshTokens(me.accountId);
    for (const [, text] of LONE) {
      const byPassword = { json: { email: me.email, password: `${me.password}${text}` } };
      expectError(await send(api, 'POST', '/timer-api/auth/email/login', byPassword), validation(unpaired('password')));
      const byEmail = { json: { email: `${text.replace(' ', '')}${me.email}`, password: me.password } };
      expectError(await send(api, 'POST', '/timer-api/auth/email/login', byEmail), validation(unpaired('email')));
    }
    expect(await refreshTokens(me.accountId)).toEqual(before);
  });

  it('PATCH /accounts/:id (admin): the account stays as it was', async () => {
    const target = await registerAndLogin(api);
    const before = await accountRow(target.accountId);
    const path = `/timer-api/accounts/${target.accountId}`;
    for (const [, text] of LONE) {
      const email = { json: { email: `${text.replace(' ', '')}${uniqueEmail('moved')}` } };
      expectError(await send(api, 'PATCH', path, email, `Bearer ${admin}`), validation(unpaired('email')));
      const password = { json: { password: `newpassword${text}` } };
      expectError(await send(api, 'PATCH', path, password, `Bearer ${admin}`), validation(unpaired('password')));
    }
    expect(await accountRow(target.accountId)).toEqual(before);
    expect((await login(api, target.email)).account.account_id).toBe(target.accountId);
  });
});

describe('social login codes: refused before anything reaches the provider', () => {
  const routes: [string, string, string[]][] = [
    ['kakao', '/timer-api/auth/kakao/login', ['code']],
    ['naver', '/timer-api/auth/naver/login', ['code']],
    ['google', '/timer-api/auth/google/login', ['code', 'id_token']],
  ];
  const table = routes.flatMap(([who, path, fields]) =>
    fields.flatMap((f) =>
      [...blankRows(f), ...loneRows(f)].map((row) => ({ ...row, name: `${who}: ${row.name}`, path })),
    ),
  );

  it.each(table)('$name', async ({ path, payload, expected }) => {
    const sent = provider.requests().length;
    expectError(await send(api, 'POST', path, payload), expected);
    expect(provider.requests()).toHaveLength(sent);
  });

  it('a real code cut by a lone surrogate is refused, not exchanged as U+FFFD', async () => {
    const code = `${provider.kakaoCode({ sub: `${Date.now()}` })}\ud800`;
    expectError(
      await send(api, 'POST', '/timer-api/auth/kakao/login', { json: { code } }),
      validation(unpaired('code')),
    );
    expect(provider.exchangeOf(code)).toBeUndefined();
    expect(provider.exchangeOf(code.replace('\ud800', '\ufffd'))).toBeUndefined();
  });
});

describe('POST /study-timer/end: status', () => {
  it('a lone surrogate is named as such beside the list of values, and the running session stays', async () => {
    const me = await registerAndLogin(api);
    expect((await api.post('/timer-api/study-timer/start', { token: me.accessToken, json: {} })).status).toBe(200);
    const before = await records(me.memberId);
    expect(before).toHaveLength(1);
    expectError(
      await send(
        api,
        'POST',
        '/timer-api/study-timer/end',
        { json: { status: 'Completed\ud800' } },
        `Bearer ${me.accessToken}`,
      ),
      validation('status must be one of the following values: Completed, Incompleted', unpaired('status')),
    );
    expect(await records(me.memberId)).toEqual(before);
  });
});

describe('query and path text: a lone surrogate cannot arrive percent-encoded', () => {
  // %ED%A0%80 is U+D800 in CESU-8, not UTF-8: it is never decoded into a lone surrogate. A query keeps
  // it as the raw text; a path answers the undecodable-path 400 in its dialect. Guards against a 500.
  const LONE_BYTES = '%ED%A0%80';
  const BAD_URL = '요청 경로가 올바르지 않습니다.';
  let me: Member;
  beforeAll(async () => {
    me = await registerAndLogin(api);
  });
  const nest = (status: number, error: string, message: unknown, code?: string) => ({
    status,
    body: { status: 'error', error, message, ...(code ? { code } : {}) },
  });
  const table: [string, string, () => string, 'me' | 'admin', { status: number; body: unknown }][] = [
    [
      'GET',
      '?timezone= (statistics)',
      () => `/timer-api/members/${me.memberId}/statistics?timezone=${LONE_BYTES}`,
      'me',
      validation('timezone must be an IANA time zone such as Asia/Seoul'),
    ],
    [
      'GET',
      '?item_type= (items)',
      () => `/timer-api/items?item_type=${LONE_BYTES}`,
      'me',
      validation('item_type must be either Food or Consumable'),
    ],
    [
      'GET',
      '?grade= (Spring characters)',
      () => `/characters?grade=${LONE_BYTES}`,
      'me',
      { status: 200, body: { status: 'success', data: { characters: [] } } },
    ],
    ['PATCH', 'a member id', () => `/timer-api/members/${LONE_BYTES}`, 'me', nest(400, 'Bad Request', BAD_URL)],
    ['GET', 'an account id', () => `/timer-api/accounts/${LONE_BYTES}`, 'admin', nest(400, 'Bad Request', BAD_URL)],
    [
      'DELETE',
      'a category id',
      () => `/timer-api/members/${me.memberId}/study-categories/${LONE_BYTES}`,
      'me',
      nest(400, 'Bad Request', BAD_URL),
    ],
    [
      'GET',
      'a Spring catalogue id',
      () => `/admin/characters/${LONE_BYTES}`,
      'admin',
      nest(400, 'BAD_REQUEST', [BAD_URL]),
    ],
    [
      'POST',
      'a Spring inventory id',
      () => `/v2/item-inventory/${LONE_BYTES}`,
      'me',
      nest(400, 'BAD_REQUEST', [BAD_URL]),
    ],
  ];

  it.each(table)('%s %s', async (method, _, path, who, expected) => {
    const before = [await memberRow(me.memberId), await categories(me.memberId)];
    const token = who === 'admin' ? admin : me.accessToken;
    const payload: Payload = method === 'PATCH' ? { json: { nickname: 'renamed' } } : {};
    const reply = await send(api, method, path(), payload, `Bearer ${token}`);
    expect({ status: reply.status, body: reply.body }).toEqual(expected);
    expect([await memberRow(me.memberId), await categories(me.memberId)]).toEqual(before);
  });
});

describe('JSON bodies whose bytes are not UTF-8', () => {
  // A lone surrogate encoded as bytes (ED A0 80, as WTF-8 writes it) or any invalid byte was decoded
  // to U+FFFD and stored so; the body is now refused as the framing error it is, in either dialect.
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
  const post = (method: string, path: string, body: Buffer, token: string) =>
    fetch(app.url + path, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }));
  const NOT_UTF8 = 'request body must be UTF-8 text';
  const BODIES: [string, number[]][] = [
    ['an encoded lone surrogate', [0xed, 0xa0, 0x80]],
    ['a stray continuation byte', [0x80]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['a truncated sequence', [0xe0, 0xa0]],
  ];

  it.each(BODIES)('Nest: %s in a nickname', async (_, bad) => {
    const me = await registerAndLogin(api);
    const before = await memberRow(me.memberId);
    const reply = await post(
      'PATCH',
      `/timer-api/members/${me.memberId}`,
      bytes('{"nickname":"a', bad, '"}'),
      me.accessToken,
    );
    expect(reply).toEqual({ status: 400, body: { status: 'error', error: 'Bad Request', message: NOT_UTF8 } });
    expect(await memberRow(me.memberId)).toEqual(before);
  });

  it.each(BODIES)('Spring: %s in a palette name', async (_, bad) => {
    const name = `bytes-${Date.now()}-${Math.random()}`;
    const body = bytes(
      `{"name":"${name}`,
      bad,
      '","grade":"A","light_color":"#aabbcc","normal_color":"#889900",',
      '"dark_color":"#445566","darker_color":"#112233"}',
    );
    const reply = await post('POST', '/admin/palettes', body, admin);
    expect(reply).toEqual({
      status: 400,
      body: { status: 'error', error: 'BAD_REQUEST', message: ['입력한 필드 타입이 올바른지 확인해주세요.'] },
    });
    const { rows: found } = await db.query("select palette_id from palette where name like $1 || '%'", [name]);
    expect(found).toEqual([]);
  });

  it('valid UTF-8 is read as before: a leading BOM is dropped, 4-byte characters kept', async () => {
    const me = await registerAndLogin(api);
    const body = bytes([0xef, 0xbb, 0xbf], '{"nickname":"공부 😀"}');
    expect(await post('PATCH', `/timer-api/members/${me.memberId}`, body, me.accessToken)).toEqual({
      status: 200,
      body: { status: 'success', data: null },
    });
    expect((await memberRow(me.memberId))[0].nickname).toBe('공부 😀');
  });
});
