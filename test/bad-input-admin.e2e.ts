import { beforeAll, describe, expect, it } from 'vitest';
import {
  adminKit,
  type AdminKit,
  BAD_BODY,
  byName,
  expectReply,
  invalid,
  newCharacter,
  newItem,
  newPalette,
  type Row,
  unique,
} from './support/admin-kit.js';
import { useApp } from './support/app.js';
import { login, type Reply } from './support/http.js';

// Bad input on the Spring admin catalogue (S5–S18): every validation message of a create,
// and unreadable bodies, wrong types and bad path ids answered with a clear 400 that changes nothing.
// The routes themselves: test/admin-catalogue.e2e.ts.

/** The refusal of U+0000 and of unpaired surrogates in a catalogue text. */
const UNUSABLE = (java: string) => `${java} : 입력 값에 사용할 수 없는 문자가 포함되어 있습니다.`;
const mangled = (v: unknown) => (typeof v === 'string' ? v.replace(/\p{Cs}/gu, '\ufffd') : v);

let admin: string;
let kit: AdminKit;

const app = useApp();
const { api } = app;
beforeAll(async () => {
  admin = (await login(api, 'admin@test.com')).access_token;
  kit = adminKit(api, admin);
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
    [
      'item: an unpaired surrogate in every text field (issue 9 item 10)',
      '/v2/admin/items',
      newItem({
        item_type: 'Food\ud800',
        name: `${unique('lone')}\ud800`,
        grade: '\udc00',
        description: 'egg 😀'.slice(0, -1),
        image_url: 'https://img.test/\udfff.png',
      }),
      invalid(UNUSABLE('itemType'), UNUSABLE('name'), UNUSABLE('grade'), UNUSABLE('description'), UNUSABLE('imageUrl')),
    ],
    [
      'palette: an unpaired surrogate in every text field',
      '/admin/palettes',
      newPalette({
        name: `${unique('lone')}\udbff`,
        grade: '\ud800A',
        light_color: '#aabb\ud800',
        normal_color: '\udc00889900',
        dark_color: '#44556\udfff',
        darker_color: '#1122\ud83d',
      }),
      invalid(
        UNUSABLE('name'),
        UNUSABLE('grade'),
        UNUSABLE('lightColor'),
        UNUSABLE('normalColor'),
        UNUSABLE('darkColor'),
        UNUSABLE('darkerColor'),
      ),
    ],
    [
      'character: an unpaired surrogate in every text field, beside a valid price',
      '/admin/characters',
      newCharacter({
        name: `${unique('lone')}\ud800`,
        description: '\udc00\ud800',
        image_url: 'https://img.test/\ud800',
        grade: 'B\udfff',
      }),
      invalid(UNUSABLE('name'), UNUSABLE('description'), UNUSABLE('imageUrl'), UNUSABLE('grade')),
    ],
    [
      'character: every text field whitespace-only (blank is absent)',
      '/admin/characters',
      newCharacter({ name: ' ', description: '\t\n', image_url: '\u3000', grade: '\u00a0' }),
      invalid(
        'name : 캐릭터 이름은 필수 입력 값 입니다.',
        'description : 캐릭터 설명은 필수 입력 값 입니다.',
        'imageUrl : 이미지 URL은 필수 입력 값 입니다.',
        'grade : 캐릭터 등급은 필수 입력 값 입니다.',
      ),
    ],
  ];
  it.each(rows)('%s', async (_name, path, body, expected) => {
    expectReply(await api.post(path, { token: admin, json: body }), expected);
    const listed = await kit.listed(path, path.split('/').pop()!);
    expect(byName(listed, body.name)).toEqual([]);
    // PostgreSQL would have stored a lone surrogate as U+FFFD.
    expect(byName(listed, mangled(body.name))).toEqual([]);
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
    list: () => kit.items(),
    body: newItem,
    create: () => kit.createItem(),
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
      [{ name: 'ok\ud800', cost: 5 }, invalid(UNUSABLE('name'))],
      [{ description: 'x'.repeat(10) + '\udc00', item_type: 'Consumable' }, invalid(UNUSABLE('description'))],
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
    list: () => kit.palettes(),
    body: newPalette,
    create: () => kit.createPalette(),
    snapshot: (id) => kit.paletteRow(id),
    wrongTypes: [{ name: { text: 'x' } }, { light_color: ['#000000'] }, { grade: {} }],
    badPatches: [
      [
        { normal_color: 'blue', name: 'new' },
        invalid('normalColor : normal color는 #RRGGBB 형식의 색상 코드여야 합니다.'),
      ],
      // A number is read as text, as Jackson does, and then is no colour.
      [{ darker_color: 123456 }, invalid('darkerColor : darker color는 #RRGGBB 형식의 색상 코드여야 합니다.')],
      [{ grade: '\udfff', name: 'new' }, invalid(UNUSABLE('grade'))],
    ],
  },
  character: {
    base: '/admin/characters',
    list: () => kit.characters(),
    body: newCharacter,
    create: () => kit.createCharacter(),
    snapshot: async (id) => (await api.get(`/admin/characters/${id}`, { token: admin })).body,
    wrongTypes: [{ name: { text: 'x' } }, { grade: [] }, { sell_price: 'cheap' }, { sell_price: {} }],
    badPatches: [
      [
        { sell_price: -1, name: 'x'.repeat(101) },
        invalid('name : 캐릭터 이름은 100자 이하로 입력해주세요.', 'sellPrice : 판매 가격은 0 이상이어야 합니다.'),
      ],
      [{ image_url: 'https://img.test/\ud800.png', sell_price: 1 }, invalid(UNUSABLE('imageUrl'))],
      [{ name: '   ', grade: '\udc00' }, invalid(UNUSABLE('grade'))],
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
