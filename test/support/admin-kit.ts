import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { SPRING_BAD_BODY } from './bad-input.js';
import type { Client, Reply } from './http.js';

// Shared by the admin catalogue suites (test/admin-catalogue.e2e.ts, test/bad-input-admin.e2e.ts):
// the exact error replies, the contract's field lists and factories for rows with unique names.

export interface ErrorReply {
  status: number;
  body: { status: 'error'; error: string; message: string[]; code?: string };
}

const err = (status: number, error: string, message: string[], code?: string): ErrorReply => ({
  status,
  body: code === undefined ? { status: 'error', error, message } : { status: 'error', error, message, code },
});
export const FORBIDDEN = err(403, 'FORBIDDEN', ['해당 권한이 없습니다.'], 'FORBIDDEN');
export const UNAUTHORIZED = err(401, 'UNAUTHORIZED', ['인증되지 않은 사용자의 접근입니다.'], 'UNAUTHENTICATED');
export const BAD_BODY = err(400, 'BAD_REQUEST', [SPRING_BAD_BODY]);
export const invalid = (...messages: string[]) => err(400, 'BAD_REQUEST', messages, 'VALIDATION');
export const ITEM_NOT_FOUND = err(404, 'NOT_FOUND', ['존재하지 않는 아이템입니다.'], 'ITEM_NOT_FOUND');
export const PALETTE_NOT_FOUND = err(404, 'NOT_FOUND', ['해당 팔레트를 찾을 수 없습니다.'], 'PALETTE_NOT_FOUND');
export const CHARACTER_NOT_FOUND = err(400, 'BAD_REQUEST', ['캐릭터를 찾을 수 없습니다.'], 'CHARACTER_NOT_FOUND');
const TAKEN = '이미 사용중인 캐릭터 이름입니다. 다른 이름을 입력해주세요.';
export const NAME_TAKEN = err(400, 'BAD_REQUEST', [TAKEN], 'CHARACTER_NAME_TAKEN');

// The contract's field lists, in order (WIRE-CONTRACT S6, S10, S15, S19).
const keys = (list: string) => list.split(' ');
export const ITEM_KEYS = keys(
  'item_id item_type name grade description image_url cost required_study_time effect_code is_hidden created_at updated_at',
);
export const PALETTE_KEYS = keys(
  'palette_id name grade light_color normal_color dark_color darker_color created_at updated_at',
);
export const CHARACTER_KEYS = keys('character_id name description image_url grade sell_price created_at updated_at');
export const MEMBER_KEYS = keys(
  'member_id account_id nickname image_url point status_message active_record_id created_at updated_at',
);
/** Jackson's LocalDateTime: ISO local date-time, no offset, fraction without trailing zeros. */
export const SPRING_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d*[1-9])?$/;

export type Row = Record<string, unknown>;

export const unique = (tag: string) => `${tag}-${randomUUID()}`;
export const newItem = (extra: Row = {}) => ({
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
export const newPalette = (extra: Row = {}) => ({
  name: unique('palette'),
  grade: 'A',
  light_color: '#aabbcc',
  normal_color: '#889900',
  dark_color: '#445566',
  darker_color: '#112233',
  ...extra,
});
export const newCharacter = (extra: Row = {}) => ({
  name: unique('char'),
  description: 'a cat',
  image_url: 'https://img.test/cat.png',
  grade: 'B',
  sell_price: 50,
  ...extra,
});

export function expectReply(reply: Reply, expected: { status: number; body: unknown }) {
  expect({ status: reply.status, body: reply.body }).toEqual(expected);
}
export const byName = (rows: Row[], name: unknown) => rows.filter((r) => r.name === name);

/** The helpers that create and list rows as the admin, over that client. */
export function adminKit(api: Client, admin: string) {
  async function created(path: string, body: Row, key: string): Promise<number> {
    const reply = await api.post<{ data: Record<string, number> }>(path, { token: admin, json: body });
    expect(reply.status, reply.text).toBe(201);
    expect(reply.body).toEqual({ status: 'success', data: { [key]: expect.any(Number) } });
    return reply.body.data[key];
  }
  async function listed(path: string, key: string): Promise<Row[]> {
    const reply = await api.get<{ data: Record<string, Row[]> }>(path, { token: admin });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body.data)).toEqual([key]);
    return reply.body.data[key];
  }
  const palettes = () => listed('/admin/palettes', 'palettes');
  return {
    created,
    listed,
    createItem: (extra?: Row) => created('/v2/admin/items', newItem(extra), 'item_id'),
    createPalette: (extra?: Row) => created('/admin/palettes', newPalette(extra), 'palette_id'),
    createCharacter: (extra?: Row) => created('/admin/characters', newCharacter(extra), 'character_id'),
    items: () => listed('/v2/admin/items', 'items'),
    palettes,
    characters: () => listed('/admin/characters', 'characters'),
    paletteRow: async (id: number) => (await palettes()).find((p) => p.palette_id === id),
  };
}

export type AdminKit = ReturnType<typeof adminKit>;
