import { beforeAll, describe, expect, it } from 'vitest';
import {
  adminKit,
  type AdminKit,
  byName,
  CHARACTER_KEYS,
  CHARACTER_NOT_FOUND,
  expectReply,
  FORBIDDEN,
  ITEM_KEYS,
  ITEM_NOT_FOUND,
  MEMBER_KEYS,
  NAME_TAKEN,
  newCharacter,
  newItem,
  newPalette,
  PALETTE_KEYS,
  PALETTE_NOT_FOUND,
  type Row,
  SPRING_TIME,
  UNAUTHORIZED,
  unique,
} from './support/admin-kit.js';
import { useApp } from './support/app.js';
import { login, registerAndLogin } from './support/http.js';

// The Spring admin catalogue S5–S19 with the original's defects fixed: partial PATCH, clear 400s
// that change nothing, a live character name unique under concurrency. Rows are told apart by unique names.
// Create validation and bad input on these routes: test/bad-input-admin.e2e.ts.

let admin: string;
let user: string;
let kit: AdminKit;

const app = useApp();
const { api } = app;
beforeAll(async () => {
  admin = (await login(api, 'admin@test.com')).access_token;
  user = (await login(api, 'user@test.com')).access_token;
  kit = adminKit(api, admin);
});

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
    const id = await kit.created('/v2/admin/items', body, 'item_id');
    const shown = await api.get(`/v2/admin/items/${id}`, { token: admin });
    expect(shown.status).toBe(200);
    expect(Object.keys(shown.body.data)).toEqual(['item']);
    const item = shown.body.data.item;
    expect(Object.keys(item)).toEqual(ITEM_KEYS);
    expect(item).toMatchObject({ item_id: id, ...body });
    expect(item.created_at).toMatch(SPRING_TIME);
    expect(item.updated_at).toMatch(SPRING_TIME);
    expect(byName(await kit.items(), body.name)).toEqual([item]);

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
    expect(byName(await kit.items(), full.name)).toEqual([]);
    expectReply(await api.get(`/v2/admin/items/${id}`, { token: admin }), ITEM_NOT_FOUND);
    expectReply(await api.patch(`/v2/admin/items/${id}`, { token: admin, json: { cost: 1 } }), ITEM_NOT_FOUND);
    expectReply(await api.delete(`/v2/admin/items/${id}`, { token: admin }), ITEM_NOT_FOUND);
  });

  it('fills the Java defaults and coerces as Jackson does', async () => {
    const name = unique('defaults');
    const id = await kit.created(
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
    const id = await kit.created('/admin/palettes', body, 'palette_id');
    const row = await kit.paletteRow(id);
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
    expect(await kit.paletteRow(id)).toEqual(patched.body.data.palette);

    const deleted = await api.delete(`/admin/palettes/${id}`, { token: admin });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect(await kit.paletteRow(id)).toBeUndefined();
    expectReply(await api.patch(`/admin/palettes/${id}`, { token: admin, json: { name: 'x' } }), PALETTE_NOT_FOUND);
    expectReply(await api.delete(`/admin/palettes/${id}`, { token: admin }), PALETTE_NOT_FOUND);
    expectReply(await api.delete('/admin/palettes/2147483648', { token: admin }), PALETTE_NOT_FOUND);
  });
});

describe('S14–S18 /admin/characters', () => {
  it('creates, shows under getCharacterDto, lists, patches partially and soft-deletes a character', async () => {
    const body = newCharacter();
    const id = await kit.created('/admin/characters', body, 'character_id');
    const shown = await api.get(`/admin/characters/${id}`, { token: admin });
    expect(shown.status).toBe(200);
    expect(Object.keys(shown.body.data)).toEqual(['getCharacterDto']);
    const character = shown.body.data.getCharacterDto;
    expect(Object.keys(character)).toEqual(CHARACTER_KEYS);
    expect(character).toMatchObject({ character_id: id, ...body });
    expect(byName(await kit.characters(), body.name)).toEqual([character]);

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
    expect(byName(await kit.characters(), body.name)).toEqual([]);
    expectReply(await api.get(`/admin/characters/${id}`, { token: admin }), CHARACTER_NOT_FOUND);
    expectReply(await api.patch(`/admin/characters/${id}`, { token: admin, json: {} }), CHARACTER_NOT_FOUND);
    expectReply(await api.delete(`/admin/characters/${id}`, { token: admin }), CHARACTER_NOT_FOUND);
    // A deleted character's name is free again.
    await kit.createCharacter({ name: body.name });
  });

  it('keeps a live name unique on create, on rename and under parallel creates', async () => {
    const name = unique('taken');
    await kit.createCharacter({ name });
    const other = newCharacter();
    const otherId = await kit.created('/admin/characters', other, 'character_id');
    expectReply(await api.post('/admin/characters', { token: admin, json: newCharacter({ name }) }), NAME_TAKEN);
    expectReply(
      await api.patch(`/admin/characters/${otherId}`, { token: admin, json: { name, sell_price: 1 } }),
      NAME_TAKEN,
    );
    expect(byName(await kit.characters(), other.name)).toMatchObject([{ character_id: otherId, sell_price: 50 }]);
    expect(byName(await kit.characters(), name)).toHaveLength(1);
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
    expect(byName(await kit.characters(), racing)).toHaveLength(1);
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
