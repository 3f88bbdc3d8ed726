import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from './support/app.js';
import { SPRING_BAD_BODY } from './support/bad-input.js';
import { client, type Client, login, registerAndLogin, type Reply } from './support/http.js';

// The Spring admin catalogue S5–S19 with the fixes of SPEC §2.9: partial PATCH, clear 400s that change
// nothing, a live character name unique under concurrency. Rows are told apart by unique names.

const err = (status: number, error: string, message: string[], code?: string) => ({
  status,
  body: code === undefined ? { status: 'error', error, message } : { status: 'error', error, message, code },
});
const FORBIDDEN = err(403, 'FORBIDDEN', ['해당 권한이 없습니다.'], 'FORBIDDEN');
const UNAUTHORIZED = err(401, 'UNAUTHORIZED', ['인증되지 않은 사용자의 접근입니다.'], 'UNAUTHENTICATED');
const BAD_BODY = err(400, 'BAD_REQUEST', [SPRING_BAD_BODY]);
const invalid = (...messages: string[]) => err(400, 'BAD_REQUEST', messages, 'VALIDATION');
const ITEM_NOT_FOUND = err(404, 'NOT_FOUND', ['존재하지 않는 아이템입니다.'], 'ITEM_NOT_FOUND');
const PALETTE_NOT_FOUND = err(404, 'NOT_FOUND', ['해당 팔레트를 찾을 수 없습니다.'], 'PALETTE_NOT_FOUND');
const CHARACTER_NOT_FOUND = err(400, 'BAD_REQUEST', ['캐릭터를 찾을 수 없습니다.'], 'CHARACTER_NOT_FOUND');
const TAKEN = '이미 사용중인 캐릭터 이름입니다. 다른 이름을 입력해주세요.';
const NAME_TAKEN = err(400, 'BAD_REQUEST', [TAKEN], 'CHARACTER_NAME_TAKEN');

// The contract's field lists, in order (WIRE-CONTRACT S6, S10, S15, S19).
const keys = (list: string) => list.split(' ');
const ITEM_KEYS = keys(
  'item_id item_type name grade description image_url cost required_study_time effect_code is_hidden created_at updated_at',
);
const PALETTE_KEYS = keys(
  'palette_id name grade light_color normal_color dark_color darker_color created_at updated_at',
);
const CHARACTER_KEYS = keys('character_id name description image_url grade sell_price created_at updated_at');
const MEMBER_KEYS = keys(
  'member_id account_id nickname image_url point status_message active_record_id created_at updated_at',
);
/** Jackson's LocalDateTime: ISO local date-time, no offset, fraction without trailing zeros. */
const SPRING_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?$/;

let app: TestApp;
let api: Client;
let admin: string;
let user: string;

beforeAll(async () => {
  app = await startApp();
  api = client(app.url);
  admin = (await login(api, 'admin@test.com')).access_token;
  user = (await login(api, 'user@test.com')).access_token;
});
afterAll(() => app.close());

const unique = (tag: string) => `${tag}-${randomUUID()}`;
const newItem = (extra: Record<string, unknown> = {}) => ({
  item_type: 'Food',
  name: unique('item'),
  grade: 'C',
  description: 'an egg',
  image_url: 'https://img.test/egg.png',
  cost: 100,
  required_study_time: 3600,
  effect_code: 10000,
  is_hidden: false,
  ...extra,
});
const newPalette = (extra: Record<string, unknown> = {}) => ({
  name: unique('palette'),
  grade: 'A',
  light_color: '#aabbcc',
  normal_color: '#889900',
  dark_color: '#445566',
  darker_color: '#112233',
  ...extra,
});
const newCharacter = (extra: Record<string, unknown> = {}) => ({
  name: unique('char'),
  description: 'a cat',
  image_url: 'https://img.test/cat.png',
  grade: 'B',
  sell_price: 50,
  ...extra,
});

function expectReply(reply: Reply, expected: { status: number; body: unknown }) {
  expect({ status: reply.status, body: reply.body }).toEqual(expected);
}
async function created(path: string, body: Record<string, unknown>, key: string): Promise<number> {
  const reply = await api.post(path, { token: admin, json: body });
  expect(reply.status, reply.text).toBe(201);
  expect(reply.body).toEqual({ status: 'success', data: { [key]: expect.any(Number) } });
  return reply.body.data[key] as number;
}
const createItem = (extra?: Record<string, unknown>) => created('/v2/admin/items', newItem(extra), 'item_id');
const createPalette = (extra?: Record<string, unknown>) => created('/admin/palettes', newPalette(extra), 'palette_id');
const createCharacter = (extra?: Record<string, unknown>) =>
  created('/admin/characters', newCharacter(extra), 'character_id');

type Row = Record<string, unknown>;
async function listed(path: string, key: string): Promise<Row[]> {
  const reply = await api.get(path, { token: admin });
  expect(reply.status).toBe(200);
  expect(Object.keys(reply.body.data)).toEqual([key]);
  return reply.body.data[key] as Row[];
}
const items = () => listed('/v2/admin/items', 'items');
const palettes = () => listed('/admin/palettes', 'palettes');
const characters = () => listed('/admin/characters', 'characters');
const byName = (rows: Row[], name: unknown) => rows.filter((r) => r.name === name);
const paletteRow = async (id: number) => (await palettes()).find((p) => p.palette_id === id);

describe('authorisation on every route', () => {
  const routes: [string, string][] = [
    ['POST', '/v2/admin/items'],
    ['GET', '/v2/admin/items'],
    ['GET', '/v2/admin/items/1'],
    ['PATCH', '/v2/admin/items/1'],
    ['DELETE', '/v2/admin/items/1'],
    ['GET', '/admin/palettes'],
    ['POST', '/admin/palettes'],
    ['PATCH', '/admin/palettes/1'],
    ['DELETE', '/admin/palettes/1'],
    ['POST', '/admin/characters'],
    ['GET', '/admin/characters'],
    ['GET', '/admin/characters/1'],
    ['PATCH', '/admin/characters/1'],
    ['DELETE', '/admin/characters/1'],
    ['GET', '/admin/members'],
  ];
  it.each(routes)('%s %s: user → 403, no or bad token → 401, before the body is read', async (method, path) => {
    const json = method === 'POST' || method === 'PATCH' ? [] : undefined;
    expectReply(await api.call(method, path, { token: user, json }), FORBIDDEN);
    expectReply(await api.call(method, path, { json }), UNAUTHORIZED);
    expectReply(await api.call(method, path, { token: 'wrongToken', json }), UNAUTHORIZED);
    // A just-registered user's token carries no role name; it is authenticated, not authorised.
    const fresh = await registerAndLogin(api);
    expectReply(await api.call(method, path, { token: fresh.accessToken, json }), FORBIDDEN);
  });
});

describe('S5–S9 /v2/admin/items', () => {
  it('creates, lists, shows, patches partially and soft-deletes an item', async () => {
    const body = newItem({ item_type: 'Consumable', is_hidden: true });
    const id = await created('/v2/admin/items', body, 'item_id');
    const shown = await api.get(`/v2/admin/items/${id}`, { token: admin });
    expect(shown.status).toBe(200);
    expect(Object.keys(shown.body.data)).toEqual(['item']);
    const item = shown.body.data.item;
    expect(Object.keys(item)).toEqual(ITEM_KEYS);
    expect(item).toMatchObject({ item_id: id, ...body });
    expect(item.created_at).toMatch(SPRING_TIME);
    expect(item.updated_at).toMatch(SPRING_TIME);
    expect(byName(await items(), body.name)).toEqual([item]);

    const before = Date.now();
    const patched = await api.patch(`/v2/admin/items/${id}`, {
      token: admin,
      json: { cost: 500, name: '   ', description: null, is_hidden: false },
    });
    expect(patched.status).toBe(200);
    expect(Object.keys(patched.body.data)).toEqual(['item']);
    expect(patched.body.data.item).toEqual({ ...item, cost: 500, is_hidden: false, updated_at: expect.any(String) });
    expect(Date.parse(`${patched.body.data.item.updated_at}Z`)).toBeGreaterThanOrEqual(before - 1);
    expect((await api.get(`/v2/admin/items/${id}`, { token: admin })).body.data.item).toEqual(patched.body.data.item);

    const full = newItem({ item_type: 'Food', grade: 'S', required_study_time: 0, effect_code: 10006 });
    const replaced = await api.patch(`/v2/admin/items/${id}`, { token: admin, json: full });
    expect(replaced.body.data.item).toMatchObject({ item_id: id, ...full });

    const deleted = await api.delete(`/v2/admin/items/${id}`, { token: admin });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect(byName(await items(), full.name)).toEqual([]);
    expectReply(await api.get(`/v2/admin/items/${id}`, { token: admin }), ITEM_NOT_FOUND);
    expectReply(await api.patch(`/v2/admin/items/${id}`, { token: admin, json: { cost: 1 } }), ITEM_NOT_FOUND);
    expectReply(await api.delete(`/v2/admin/items/${id}`, { token: admin }), ITEM_NOT_FOUND);
  });

  it('fills the Java defaults and coerces as Jackson does', async () => {
    const name = unique('defaults');
    const id = await created(
      '/v2/admin/items',
      { item_type: 'Food', name, description: 42, image_url: 'u', is_hidden: 'true', unknown: { x: 1 } },
      'item_id',
    );
    const item = (await api.get(`/v2/admin/items/${id}`, { token: admin })).body.data.item;
    expect(item).toMatchObject({
      description: '42',
      grade: null,
      cost: 0,
      required_study_time: null,
      effect_code: 0,
      is_hidden: true,
    });
    const coerced = await api.patch(`/v2/admin/items/${id}`, {
      token: admin,
      json: { cost: '300', effect_code: 10001.9, grade: 7 },
    });
    expect(coerced.body.data.item).toMatchObject({ name, cost: 300, effect_code: 10001, grade: '7' });
  });

  it('answers unknown, zero and out-of-range ids with the not-found', async () => {
    for (const id of ['0', '2147483647', '2147483648', '999999999999999']) {
      expectReply(await api.get(`/v2/admin/items/${id}`, { token: admin }), ITEM_NOT_FOUND);
      expectReply(await api.patch(`/v2/admin/items/${id}`, { token: admin, json: {} }), ITEM_NOT_FOUND);
      expectReply(await api.delete(`/v2/admin/items/${id}`, { token: admin }), ITEM_NOT_FOUND);
    }
  });
});

describe('S10–S13 /admin/palettes', () => {
  it('creates, lists, patches partially and soft-deletes a palette', async () => {
    const body = newPalette();
    const id = await created('/admin/palettes', body, 'palette_id');
    const row = await paletteRow(id);
    expect(Object.keys(row!)).toEqual(PALETTE_KEYS);
    expect(row).toMatchObject({ palette_id: id, ...body });
    expect(row!.created_at).toMatch(SPRING_TIME);

    const before = Date.now();
    const patched = await api.patch(`/admin/palettes/${id}`, {
      token: admin,
      json: { dark_color: '#ABCDEF', name: '', grade: null },
    });
    expect(patched.status).toBe(200);
    expect(Object.keys(patched.body.data)).toEqual(['palette']);
    expect(patched.body.data.palette).toEqual({ ...row, dark_color: '#ABCDEF', updated_at: expect.any(String) });
    expect(Date.parse(`${patched.body.data.palette.updated_at}Z`)).toBeGreaterThanOrEqual(before - 1);
    expect(await paletteRow(id)).toEqual(patched.body.data.palette);

    const deleted = await api.delete(`/admin/palettes/${id}`, { token: admin });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect(await paletteRow(id)).toBeUndefined();
    expectReply(await api.patch(`/admin/palettes/${id}`, { token: admin, json: { name: 'x' } }), PALETTE_NOT_FOUND);
    expectReply(await api.delete(`/admin/palettes/${id}`, { token: admin }), PALETTE_NOT_FOUND);
    expectReply(await api.delete('/admin/palettes/2147483648', { token: admin }), PALETTE_NOT_FOUND);
  });
});

describe('S14–S18 /admin/characters', () => {
  it('creates, shows under getCharacterDto, lists, patches partially and soft-deletes a character', async () => {
    const body = newCharacter();
    const id = await created('/admin/characters', body, 'character_id');
    const shown = await api.get(`/admin/characters/${id}`, { token: admin });
    expect(shown.status).toBe(200);
    expect(Object.keys(shown.body.data)).toEqual(['getCharacterDto']);
    const character = shown.body.data.getCharacterDto;
    expect(Object.keys(character)).toEqual(CHARACTER_KEYS);
    expect(character).toMatchObject({ character_id: id, ...body });
    expect(byName(await characters(), body.name)).toEqual([character]);

    const before = Date.now();
    const patched = await api.patch(`/admin/characters/${id}`, {
      token: admin,
      json: { sell_price: 0, name: body.name, description: ' ', grade: null },
    });
    expect(patched.status).toBe(200);
    expect(Object.keys(patched.body.data)).toEqual(['getCharacterDto']);
    expect(patched.body.data.getCharacterDto).toEqual({ ...character, sell_price: 0, updated_at: expect.any(String) });
    expect(Date.parse(`${patched.body.data.getCharacterDto.updated_at}Z`)).toBeGreaterThanOrEqual(before - 1);

    const deleted = await api.delete(`/admin/characters/${id}`, { token: admin });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect(byName(await characters(), body.name)).toEqual([]);
    expectReply(await api.get(`/admin/characters/${id}`, { token: admin }), CHARACTER_NOT_FOUND);
    expectReply(await api.patch(`/admin/characters/${id}`, { token: admin, json: {} }), CHARACTER_NOT_FOUND);
    expectReply(await api.delete(`/admin/characters/${id}`, { token: admin }), CHARACTER_NOT_FOUND);
    // A deleted character's name is free again.
    await createCharacter({ name: body.name });
  });

  it('keeps a live name unique on create, on rename and under parallel creates', async () => {
    const name = unique('taken');
    await createCharacter({ name });
    const other = newCharacter();
    const otherId = await created('/admin/characters', other, 'character_id');
    expectReply(await api.post('/admin/characters', { token: admin, json: newCharacter({ name }) }), NAME_TAKEN);
    expectReply(
      await api.patch(`/admin/characters/${otherId}`, { token: admin, json: { name, sell_price: 1 } }),
      NAME_TAKEN,
    );
    expect(byName(await characters(), other.name)).toMatchObject([{ character_id: otherId, sell_price: 50 }]);
    expect(byName(await characters(), name)).toHaveLength(1);
    // An unknown id is reported as such, not as a name clash.
    expectReply(await api.patch('/admin/characters/2147483647', { token: admin, json: { name } }), CHARACTER_NOT_FOUND);

    const racing = unique('race');
    const replies = await Promise.all(
      Array.from({ length: 5 }, () =>
        api.post('/admin/characters', { token: admin, json: newCharacter({ name: racing }) }),
      ),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([201, 400, 400, 400, 400]);
    for (const r of replies.filter((x) => x.status === 400)) expect(r.body).toEqual(NAME_TAKEN.body);
    expect(byName(await characters(), racing)).toHaveLength(1);
  });
});

describe('S19 GET /admin/members', () => {
  it('lists members with a numeric or null active_record_id', async () => {
    const idle = await registerAndLogin(api);
    const studying = await registerAndLogin(api);
    const started = await api.post('/timer-api/study-timer/start', { token: studying.accessToken, json: {} });
    expect(started.status).toBe(200);
    const reply = await api.get('/admin/members', { token: admin });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body.data)).toEqual(['members']);
    const members = reply.body.data.members as Row[];
    const find = (id: string) => members.find((m) => m.member_id === id)!;
    expect(Object.keys(find(idle.memberId))).toEqual(MEMBER_KEYS);
    expect(find(idle.memberId)).toMatchObject({
      account_id: idle.accountId,
      active_record_id: null,
      point: expect.any(Number),
    });
    expect(find(idle.memberId).created_at).toMatch(SPRING_TIME);
    expect(find(studying.memberId).active_record_id).toEqual(expect.any(Number));
  });
});

describe('create validation: every message, and nothing is written', () => {
  const rows: [string, string, Record<string, unknown>, ReturnType<typeof invalid>][] = [
    [
      'item: every required field missing',
      '/v2/admin/items',
      { name: null, item_type: undefined, description: '', image_url: ' \t', is_hidden: null },
      invalid(
        'itemType : 아이템 타입은 필수 입력 값 입니다.',
        'name : 아이템 이름은 필수 입력 값 입니다.',
        'description : 아이템 설명은 필수 입력 값 입니다.',
        'imageUrl : 이미지 URL은 필수 입력 값 입니다.',
        'isHidden : hidden 여부 필수 입력 값 입니다.',
      ),
    ],
    [
      'item: unknown type, name and grade too long',
      '/v2/admin/items',
      newItem({ item_type: 'Weapon', name: `${unique('long')}${'가'.repeat(70)}`, grade: 'G'.repeat(21) }),
      invalid(
        'itemType : 아이템 타입은 Food 또는 Consumable 이어야 합니다.',
        'name : 아이템 이름은 100자 이하로 입력해주세요.',
        'grade : 아이템 등급은 20자 이하로 입력해주세요.',
      ),
    ],
    [
      'item: description and url too long, NUL in the type',
      '/v2/admin/items',
      newItem({ description: 'd'.repeat(256), image_url: '😀'.repeat(256), item_type: 'Fo\u0000d' }),
      invalid(
        'itemType : 입력 값에 사용할 수 없는 문자가 포함되어 있습니다.',
        'description : 아이템 설명은 255자 이하로 입력해주세요.',
        'imageUrl : 이미지 URL은 255자 이하로 입력해주세요.',
      ),
    ],
    [
      'item: negative numbers and an effect code out of range',
      '/v2/admin/items',
      newItem({ cost: -1, required_study_time: '-5', effect_code: 100000 }),
      invalid(
        'cost : 아이템 가격은 0 이상이어야 합니다.',
        'requiredStudyTime : 필요 학습 시간은 0 이상이어야 합니다.',
        'effectCode : 효과 코드는 0 이상 99999 이하여야 합니다.',
      ),
    ],
    [
      'palette: every field missing',
      '/admin/palettes',
      { name: '  ' },
      invalid(
        'name : 팔레트 이름은 필수 입력 값 입니다.',
        'grade : 팔레트 등급은 필수 입력 값 입니다.',
        'lightColor : light color 필수 입력 값 입니다.',
        'normalColor : normal color 필수 입력 값 입니다.',
        'darkColor : dark color 필수 입력 값 입니다.',
        'darkerColor : darker color 필수 입력 값 입니다.',
      ),
    ],
    [
      'palette: colours that are not #RRGGBB, a long name',
      '/admin/palettes',
      newPalette({ light_color: 'red', normal_color: '#12345G', dark_color: '#1234567', grade: 'x'.repeat(21) }),
      invalid(
        'grade : 팔레트 등급은 20자 이하로 입력해주세요.',
        'lightColor : light color는 #RRGGBB 형식의 색상 코드여야 합니다.',
        'normalColor : normal color는 #RRGGBB 형식의 색상 코드여야 합니다.',
        'darkColor : dark color는 7자 이하로 입력해주세요.',
      ),
    ],
    [
      'character: every required field missing',
      '/admin/characters',
      {},
      invalid(
        'name : 캐릭터 이름은 필수 입력 값 입니다.',
        'description : 캐릭터 설명은 필수 입력 값 입니다.',
        'imageUrl : 이미지 URL은 필수 입력 값 입니다.',
        'grade : 캐릭터 등급은 필수 입력 값 입니다.',
      ),
    ],
    [
      'character: negative price, long grade',
      '/admin/characters',
      newCharacter({ sell_price: -10, grade: 'SSSSSSSSSSSSSSSSSSSSS' }),
      invalid('grade : 캐릭터 등급은 20자 이하로 입력해주세요.', 'sellPrice : 판매 가격은 0 이상이어야 합니다.'),
    ],
  ];
  it.each(rows)('%s', async (_name, path, body, expected) => {
    expectReply(await api.post(path, { token: admin, json: body }), expected);
    expect(byName(await listed(path, path.split('/').pop()!), body.name)).toEqual([]);
  });
});

type Payload = { json?: unknown; raw?: string; headers?: Record<string, string> };
interface Resource {
  base: string;
  body: () => Record<string, unknown>;
  list: () => Promise<Row[]>;
  create: () => Promise<number>;
  /** What an admin sees of the row; a bad request must leave it exactly so (updated_at included). */
  snapshot: (id: number) => Promise<unknown>;
  /** Values Jackson could not read, each in an otherwise valid body. */
  wrongTypes: Record<string, unknown>[];
  /** PATCH bodies with one bad value beside good ones, and the exact answer. */
  badPatches: [Record<string, unknown>, ReturnType<typeof invalid>][];
}
const RESOURCES: Record<string, Resource> = {
  item: {
    base: '/v2/admin/items',
    list: items,
    body: newItem,
    create: () => createItem(),
    snapshot: async (id) => (await api.get(`/v2/admin/items/${id}`, { token: admin })).body,
    wrongTypes: [
      { name: { text: 'x' } },
      { description: ['x'] },
      { cost: 'ten' },
      { cost: 2147483648 },
      { is_hidden: 'yes' },
      { effect_code: {} },
    ],
    badPatches: [
      [{ item_type: 'Weapon', cost: 5 }, invalid('itemType : 아이템 타입은 Food 또는 Consumable 이어야 합니다.')],
      [{ name: 'ok', cost: -1 }, invalid('cost : 아이템 가격은 0 이상이어야 합니다.')],
      [
        { effect_code: -1, image_url: 'i'.repeat(256) },
        invalid(
          'imageUrl : 이미지 URL은 255자 이하로 입력해주세요.',
          'effectCode : 효과 코드는 0 이상 99999 이하여야 합니다.',
        ),
      ],
    ],
  },
  palette: {
    base: '/admin/palettes',
    list: palettes,
    body: newPalette,
    create: () => createPalette(),
    snapshot: (id) => paletteRow(id),
    wrongTypes: [{ name: { text: 'x' } }, { light_color: ['#000000'] }, { grade: {} }],
    badPatches: [
      [
        { normal_color: 'blue', name: 'new' },
        invalid('normalColor : normal color는 #RRGGBB 형식의 색상 코드여야 합니다.'),
      ],
      // A number is read as text, as Jackson does, and then is no colour.
      [{ darker_color: 123456 }, invalid('darkerColor : darker color는 #RRGGBB 형식의 색상 코드여야 합니다.')],
    ],
  },
  character: {
    base: '/admin/characters',
    list: characters,
    body: newCharacter,
    create: () => createCharacter(),
    snapshot: async (id) => (await api.get(`/admin/characters/${id}`, { token: admin })).body,
    wrongTypes: [{ name: { text: 'x' } }, { grade: [] }, { sell_price: 'cheap' }, { sell_price: {} }],
    badPatches: [
      [
        { sell_price: -1, name: 'x'.repeat(101) },
        invalid('name : 캐릭터 이름은 100자 이하로 입력해주세요.', 'sellPrice : 판매 가격은 0 이상이어야 합니다.'),
      ],
    ],
  },
};

/** Framing that is refused whatever the route: the generic unreadable-body 400. */
const framing = (valid: Record<string, unknown>): [string, Payload][] => [
  ['malformed JSON', { raw: `{"name":${JSON.stringify(valid.name)},` }],
  ['single-quoted JSON', { raw: `{'name':'${String(valid.name)}'}` }],
  ['a JSON array', { json: [valid] }],
  ['a JSON string', { json: JSON.stringify(valid) }],
  ['a JSON number', { json: 42 }],
  ['JSON null', { raw: 'null' }],
  ['an empty JSON body', { raw: '' }],
  ['no body at all', {}],
  ['JSON sent as text/plain', { raw: JSON.stringify(valid), headers: { 'content-type': 'text/plain' } }],
];

describe.each(Object.entries(RESOURCES))('bad input on the %s routes: 400, nothing changes', (_label, r) => {
  let id: number;
  let before: unknown;
  beforeAll(async () => {
    id = await r.create();
    before = await r.snapshot(id);
  });
  const expectBadBody = (label: unknown, reply: Reply) =>
    expect({ label, status: reply.status, body: reply.body }).toEqual({ label, ...BAD_BODY });
  const send = (method: string, path: string, payload: Payload) =>
    api.call(method, path, { ...payload, headers: { authorization: `Bearer ${admin}`, ...payload.headers } });

  it('refuses bad framing on POST and PATCH', async () => {
    const valid = r.body();
    for (const [name, payload] of framing(valid)) {
      expectBadBody(name, await send('POST', r.base, payload));
      expectBadBody(name, await send('PATCH', `${r.base}/${id}`, payload));
    }
    expect(byName(await r.list(), valid.name)).toEqual([]);
    expect(await r.snapshot(id)).toEqual(before);
  });

  it('refuses values Jackson could not read, in a create and in a PATCH', async () => {
    for (const wrong of r.wrongTypes) {
      const body = { ...r.body(), ...wrong };
      expectBadBody(wrong, await api.post(r.base, { token: admin, json: body }));
      expect(byName(await r.list(), body.name)).toEqual([]);
      expectBadBody(wrong, await api.patch(`${r.base}/${id}`, { token: admin, json: { grade: 'Z', ...wrong } }));
    }
    expect(await r.snapshot(id)).toEqual(before);
  });

  it('refuses a PATCH with one bad value and keeps the good ones out too', async () => {
    for (const [body, expected] of r.badPatches) {
      expectReply(await api.patch(`${r.base}/${id}`, { token: admin, json: body }), expected);
    }
    expect(await r.snapshot(id)).toEqual(before);
  });

  it.each(['abc', '1.5', '-1', '0x10', '1e3', '9'.repeat(16)])(
    'refuses the path id %s on every method',
    async (bad) => {
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        if (method === 'GET' && r.base === '/admin/palettes') continue; // S10–S13 have no GET by id
        const reply = await api.call(method, `${r.base}/${bad}`, {
          token: admin,
          json: method === 'PATCH' ? { name: 'renamed' } : undefined,
        });
        expectBadBody(method, reply);
      }
      expect(await r.snapshot(id)).toEqual(before);
    },
  );
});
