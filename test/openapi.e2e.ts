import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { newCharacter, newItem, newPalette } from './support/admin-kit.js';
import { useApp, useInstances } from './support/app.js';
import { useDb } from './support/db.js';
import {
  client,
  type Client,
  login,
  registerAndLogin,
  type Reply,
  type RequestOptions,
  uniqueEmail,
} from './support/http.js';
import { DECORATORS } from '@nestjs/swagger';
import { dialectOf } from '../src/common/wire/dialect.js';
import { type ErrorCode, ERRORS } from '../src/common/wire/error-codes.js';
import { type Declared, RAISES } from '../src/common/wire/raises.js';
import { insertInventory } from './support/factories.js';
import { FakeOAuthProvider } from './support/fake-oauth-provider.js';
import { createScratchDatabase } from './support/scratch-db.js';
import { type Documented, documented, schemaAt, templateOf } from './support/documented.js';

// Issue 12: /docs-json is a valid OpenAPI document, and every route's real answers (status, media
// type, body, Retry-After) match what it documents, errors included: each error status a route
// answers is documented with the exact bodies of the codes it can raise there. The routes are called
// in one pass, each at least once, and each route that declares codes of its own raises one of them.

// The social logins sign in against the local provider, and fail at it (422) with a code it never issued.
const provider = FakeOAuthProvider.use();
const app = useApp(() => ({ env: { DOCS_ENABLED: 'true', ...provider.env() } }));
/** The instance that runs the statistics jobs (pg-boss), on a database of its own. */
const instances = useInstances();
const db = useDb();
let doc: any;
let document: Documented;
let api: Client;
/** `METHOD /template` of every operation whose answer was checked. */
const exercised = new Set<string>();
/** `METHOD /template` of every operation called, whatever it answered. */
const called = new Map<string, string>();
const failures: string[] = [];
/** Every error answer, by `METHOD /template`. */
const errorAnswers = new Map<string, Reply[]>();

function check(method: string, url: string, reply: Reply): void {
  const path = url.split('?')[0]!;
  const lower = method.toLowerCase();
  const template = templateOf(document, lower, path);
  if (!template) return void failures.push(`${method} ${path}: not in the document`);
  const operation = doc.paths[template][lower];
  // Every status is documented on its own (no `default`): an error status the route was not
  // documented to answer fails here.
  const status = String(reply.status);
  const response = operation.responses[status];
  const where = `${method} ${template} → ${reply.status}`;
  if (!response) return void failures.push(`${where}: status not documented`);
  const key = `${method} ${template}`;
  called.set(key, `${called.get(key) ?? ''}[${reply.status} ${reply.text.slice(0, 200)}]`);
  if (reply.status >= 200 && reply.status < 300) exercised.add(`${method} ${template}`);
  if (reply.status >= 400) errorAnswers.set(key, [...(errorAnswers.get(key) ?? []), reply]);
  const retryAfter = response.headers?.['Retry-After'];
  if (retryAfter?.required && !/^\d+$/.test(reply.headers.get('retry-after') ?? ''))
    failures.push(`${where}: no Retry-After (${reply.headers.get('retry-after')})`);
  if (!response.content) {
    if (reply.text !== '') failures.push(`${where}: documented without a body, answered ${reply.text.slice(0, 80)}`);
    return;
  }
  const type = (reply.headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (!response.content[type]) return void failures.push(`${where}: media type ${type} not documented`);
  if (type !== 'application/json') return;
  const validate = schemaAt(document, 'paths', template, lower, 'responses', status, 'content', type, 'schema')!;
  if (!validate(reply.body)) {
    failures.push(`${where}: ${document.ajv.errorsText(validate.errors)} in ${reply.text.slice(0, 300)}`);
  }
}

/** The test client, checking each answer against the document as it comes. */
function checking(inner: Client): Client {
  const call = async (method: string, path: string, options?: RequestOptions) => {
    const reply = await inner.call(method, path, options);
    check(method, path, reply);
    return reply;
  };
  return {
    get: (path, o) => call('GET', path, o),
    post: (path, o) => call('POST', path, o),
    patch: (path, o) => call('PATCH', path, o),
    delete: (path, o) => call('DELETE', path, o),
    call,
  } as Client;
}

interface NestRoute {
  /** `METHOD /template`. */
  route: string;
  handler: object;
  controller: object;
}

/** Every route Nest serves, read from the controllers' own metadata. */
function nestRoutes(): NestRoute[] {
  const prefix = `/${app.handle.config.API_PREFIX}`;
  const unprefixed = /^\/(v2|admin\/(palettes|characters|members)|characters|health)(\/|$)/;
  const routes: NestRoute[] = [];
  for (const module of app.handle.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as { prototype: Record<string, unknown> } & object;
      const base = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const handler = type.prototype[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const own = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (method === undefined || own === undefined) continue;
        for (const b of base)
          for (const p of ([] as string[]).concat(own)) {
            const joined = `/${[b, p].filter((x) => x && x !== '/').join('/')}`.replace(/:(\w+)/g, '{$1}');
            const route = `${RequestMethod[method]} ${unprefixed.test(joined) ? joined : prefix + joined}`;
            routes.push({ route, handler, controller: type });
          }
      }
    }
  }
  return routes;
}

const operationOf = (route: string) => {
  const [method, path] = route.split(' ') as [string, string];
  return doc.paths[path][method.toLowerCase()];
};

/** The codes a handler declares with `@Raises` (its own, not its guards' or the app's). */
const ownCodes = (handler: object): ErrorCode[] =>
  (Reflect.getMetadata(DECORATORS.API_EXTENSION, handler)?.[RAISES] as Declared | undefined)?.handler ?? [];

/** Whether the answer is exactly the code's, as the document writes it for the route's dialect. */
function answersWith(route: string, reply: Reply, code: ErrorCode): boolean {
  const component = `${dialectOf(route.split(' ')[1]!) === 'nest' ? 'NestError' : 'SpringError'}.${code}`;
  const validate = schemaAt(document, 'components', 'schemas', component);
  return reply.status === ERRORS[code].status && validate !== undefined && validate(reply.body) === true;
}

beforeAll(async () => {
  doc = (await app.api.get('/docs-json')).body;
  document = documented(doc);
  api = checking(app.api);
});

describe('/docs-json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every Nest route, each with a success response', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(
      nestRoutes()
        .map((r) => r.route)
        .sort(),
    ).toEqual(documented.sort());
    const withoutSuccess = documented.filter((route) => {
      const [method, path] = route.split(' ') as [string, string];
      return !Object.keys(doc.paths[path][method.toLowerCase()].responses).some((s) => s.startsWith('2'));
    });
    expect(withoutSuccess).toEqual([]);
  });

  it('documents a 401 on every route the access-token guard covers', () => {
    const publicRoute = (r: NestRoute) =>
      Reflect.getMetadata('auth:public', r.handler) ?? Reflect.getMetadata('auth:public', r.controller) ?? false;
    const undocumented = nestRoutes()
      .filter((r) => !publicRoute(r))
      .map((r) => r.route)
      .filter((route) => !operationOf(route).responses['401']);
    expect(undocumented).toEqual([]);
  });
});

describe('real answers match the document', () => {
  it('every route, called as the app calls it', async () => {
    const admin = (await login(api, 'admin@test.com')).access_token;
    const auth = (token: string, json?: unknown): RequestOptions => ({ token, json });
    const u = await registerAndLogin(api);
    const me = `/timer-api/members/${u.memberId}`;
    const t = u.accessToken;

    // auth
    await api.post('/timer-api/auth/email/login', { json: { email: u.email, password: u.password } });
    await api.post('/timer-api/auth/email/login', { json: { email: u.email, password: 'wrong-password' } });
    const second = await login(api, u.email);
    await api.post('/timer-api/auth/refresh', { token: second.refresh_token, json: {} });
    await api.post('/timer-api/auth/refresh', { token: 'not-a-token', json: {} });
    await api.post('/timer-api/auth/logout', { token: second.refresh_token });
    await api.post('/timer-api/auth/logout', { token: second.refresh_token });
    await api.post('/timer-api/auth/email/register', { json: { email: 'not an email', password: 'x' } });
    await api.post('/timer-api/auth/email/register', { json: { email: u.email, password: 'qwer1234' } });
    for (const name of ['google', 'kakao', 'naver']) {
      await api.post(`/timer-api/auth/${name}/login`, { json: { code: '' } });
      await api.post(`/timer-api/auth/${name}/login`, { json: { code: 'a-code-the-provider-never-issued' } });
    }
    const id = `1${randomUUID().replace(/\D/g, '').slice(0, 15)}`;
    await api.post('/timer-api/auth/google/login', {
      json: { code: provider.googleCode({ sub: id, email: uniqueEmail('google'), email_verified: true }) },
    });
    await api.post('/timer-api/auth/kakao/login', { json: { code: provider.kakaoCode({ sub: id }) } });
    await api.post('/timer-api/auth/naver/login', { json: { code: provider.naverCode({ id }) } });
    const leaving = await registerAndLogin(client(app.url));
    await api.delete('/timer-api/auth/me', { token: leaving.accessToken });

    // accounts (admin)
    const account = await api.post(
      '/timer-api/accounts',
      auth(admin, { email: uniqueEmail('acct'), password: 'qwer1234' }),
    );
    const accountId = account.body.data.account_id as string;
    await api.post('/timer-api/accounts', auth(admin, { email: u.email, password: 'qwer1234' }));
    await api.patch(`/timer-api/accounts/${randomUUID()}`, auth(admin, { password: 'asdf1234' }));
    await api.get(`/timer-api/accounts/${accountId}`, { token: admin });
    await api.get(`/timer-api/accounts/${randomUUID()}`, { token: admin });
    await api.patch(`/timer-api/accounts/${accountId}`, auth(admin, { password: 'asdf1234' }));
    await api.delete(`/timer-api/accounts/${accountId}`, { token: admin });
    await api.get('/timer-api/accounts/x', { token: t });

    // members
    await api.get('/timer-api/members', { token: admin });
    await api.get('/timer-api/members/me', { token: t });
    await api.patch(me, auth(t, { nickname: 'docs', status_message: 'hello' }));
    await api.patch(me, auth(t, {}));
    await api.get('/timer-api/members/me');

    // categories, timer, records, statistics, streak, rankings
    const day = new Date(Date.now() - 3 * 3600_000).toISOString().slice(0, 10);
    const [year, month] = day.split('-').map(Number);
    const created = await api.post(`${me}/study-categories`, auth(t, { subject: 'maths' }));
    const categoryId = created.body.data.category.study_category_id as string;
    await api.post(`${me}/study-categories`, auth(t, { subject: 'maths' }));
    await api.get(`${me}/study-categories`, { token: t });
    await api.patch(`${me}/study-categories/${categoryId}`, auth(t, { subject: 'algebra' }));
    await api.patch(`${me}/study-categories/${categoryId}`, auth(t, { subject: 'algebra' }));
    await api.post('/timer-api/study-timer/start', auth(t, { category_id: Number(categoryId) + 1000 }));
    await api.post('/timer-api/study-timer/start', auth(t, { category_id: Number(categoryId) }));
    await api.post('/timer-api/study-timer/end', auth(t, { status: 'Completed' }));
    await api.post('/timer-api/study-timer/end', auth(t, { status: 'Completed' }));
    await api.delete(`${me}/study-categories/${categoryId}`, { token: t });
    await api.delete(`${me}/study-categories/${categoryId}`, { token: t });
    await api.post(
      `${me}/study-records`,
      auth(t, {
        client_id: randomUUID(),
        start_time: new Date(Date.now() - 3 * 3600_000).toISOString(),
        end_time: new Date(Date.now() - 2 * 3600_000).toISOString(),
        status: 'Completed',
      }),
    );
    await api.post(`${me}/study-records`, auth(t, { surprise: 1 }));
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    await api.post(
      `${me}/study-records`,
      auth(t, { client_id: randomUUID(), start_time: hourAgo, end_time: hourAgo, status: 'Completed' }),
    );
    await api.get(`${me}/study-records?date=${day}&timezone=UTC`, { token: t });
    await api.get(`${me}/statistics?date=${day}&timezone=UTC`, { token: t });
    await api.get(`${me}/statistics`, { token: t });
    await api.get(`${me}/statistics/monthly?year=${year}&month=${month}&timezone=UTC`, { token: t });
    await api.get(`${me}/statistics/monthly`, { token: t });
    await api.get(`${me}/statistics/heat-map?start=${day}&end=${day}&timezone=UTC`, { token: t });
    await api.get(`${me}/statistic/heat-map?start=${day}&end=${day}`, { token: t });
    await api.get(`${me}/study-streak`, { token: t });
    await api.get(`/timer-api/rankings?period=month&date=${day}&timezone=UTC`, { token: t });
    await api.get('/timer-api/rankings?limit=0', { token: t });
    await api.get('/timer-api/rankings?scope=group', { token: t });

    // statistics jobs (admin); this service runs no jobs, so the backfill answers 503 (queued below)
    await api.get('/timer-api/admin/jobs', { token: admin });
    await api.post('/timer-api/admin/statistics/backfill', auth(admin, { from: '2024-05-01', to: '2024-05-02' }));

    // items and inventories (Nest), shop (Spring)
    await api.get('/timer-api/items?item_type=Food', { token: t });
    await api.get('/timer-api/items', { token: t });
    const itemId = (await api.post('/v2/admin/items', auth(admin, newItem({ cost: 0 })))).body.data.item_id;
    await api.post('/v2/shop/purchase', auth(t, { item_id: itemId, count: 1 }));
    await api.post('/v2/shop/purchase', auth(t, { item_id: itemId, count: 0 }));
    await api.get(`${me}/item-inventory?item_type=Food`, { token: t });
    const food = await insertInventory(db, u.memberId, { progress: 0 });
    const hatched = await api.post(`/v2/item-inventory/${food}`, { token: t });
    const ticket = await insertInventory(db, u.memberId, { progress: null, itemType: 'Consumable' });
    await api.post(`/v2/item-inventory/${ticket}`, { token: t });
    await api.post('/v2/item-inventory/abc', { token: t });
    await api.post('/v2/item-inventory/999999999', { token: t });
    await api.get(`${me}/character-inventory`, { token: t });
    const sold = hatched.body.data.character_inventory_id;
    await api.post('/v2/shop/sell', auth(t, { character_inventory_id: String(sold), count: 1 }));
    await api.post('/v2/shop/sell', auth(t, { character_inventory_id: '999999999', count: 1 }));
    await api.get('/characters?grade=B', { token: t });
    await api.get('/characters');

    // admin catalogue (Spring)
    await api.get('/v2/admin/items', { token: admin });
    await api.get(`/v2/admin/items/${itemId}`, { token: admin });
    await api.patch(`/v2/admin/items/${itemId}`, auth(admin, { cost: 5 }));
    await api.patch(`/v2/admin/items/${itemId}`, auth(admin, { cost: -5 }));
    await api.delete(`/v2/admin/items/${itemId}`, { token: admin });
    await api.get(`/v2/admin/items/${itemId}`, { token: admin });
    await api.delete(`/v2/admin/items/${itemId}`, { token: admin });
    await api.post('/v2/admin/items', auth(admin, newItem({ cost: -1 })));
    const paletteId = (await api.post('/admin/palettes', auth(admin, newPalette()))).body.data.palette_id;
    await api.post('/admin/palettes', auth(admin, {}));
    await api.get('/admin/palettes', { token: admin });
    await api.patch(`/admin/palettes/${paletteId}`, auth(admin, { grade: 'B' }));
    await api.delete(`/admin/palettes/${paletteId}`, { token: admin });
    await api.patch(`/admin/palettes/${paletteId}`, auth(admin, { grade: 'B' }));
    await api.delete(`/admin/palettes/${paletteId}`, { token: admin });
    const character = newCharacter();
    const characterId = (await api.post('/admin/characters', auth(admin, character))).body.data.character_id;
    await api.post('/admin/characters', auth(admin, character));
    await api.get('/admin/characters', { token: admin });
    await api.get(`/admin/characters/${characterId}`, { token: admin });
    await api.patch(`/admin/characters/${characterId}`, auth(admin, { sell_price: 7 }));
    await api.delete(`/admin/characters/${characterId}`, { token: admin });
    await api.get(`/admin/characters/${characterId}`, { token: admin });
    await api.patch(`/admin/characters/${characterId}`, auth(admin, { sell_price: 7 }));
    await api.delete(`/admin/characters/${characterId}`, { token: admin });
    await api.get('/admin/members', { token: admin });
    await api.get('/admin/members', { token: t });

    // what Fastify refuses before a handler runs, in both dialects (documented on every route by rule)
    const notJson = { token: t, raw: '{"category_id":', headers: { 'content-type': 'application/json' } };
    await api.call('POST', '/timer-api/study-timer/start', notJson);
    await api.call('POST', '/v2/shop/purchase', notJson);
    const xml = { token: t, raw: '<count>1</count>', headers: { 'content-type': 'application/xml' } };
    await api.call('POST', '/timer-api/study-timer/start', xml);
    await api.call('POST', '/v2/shop/purchase', xml);
    await api.call('DELETE', '/timer-api/auth/me', { token: t, raw: 'x'.repeat(200 * 1024) });
    await api.call('PATCH', '/admin/characters/1', { token: admin, raw: 'x'.repeat(200 * 1024) });
    await api.get('/timer-api/accounts/%ZZ', { token: admin });
    await api.get('/admin/characters/%ZZ', { token: admin });

    // health and the export file
    await api.get('/health/live');
    await api.get('/health/ready');
    await api.get(`${me}/export`, { token: t });
    await api.get(`${me}/export?format=csv&timezone=Asia/Seoul`, { token: t });

    expect(failures).toEqual([]);
  });

  it('a backfill queued by an instance that runs the jobs, on a database of its own', async () => {
    const scratch = await createScratchDatabase('openapi_jobs');
    const scratchDb = new pg.Client({ connectionString: scratch.url });
    try {
      const jobs = await instances.start({
        DATABASE_URL: scratch.url,
        JOBS_ENABLED: 'true',
        AUTH_CACHE_TTL_SECONDS: '0',
      });
      await scratchDb.connect();
      await scratchDb.query(`insert into role (role_id, name) values (1, 'Admin'), (2, 'User') on conflict do nothing`);
      const user = await registerAndLogin(jobs.api);
      await scratchDb.query('update account set role_id = 1 where account_id = $1', [user.accountId]);
      const admin = (await login(jobs.api, user.email)).access_token;
      const queued = await checking(jobs.api).post('/timer-api/admin/statistics/backfill', {
        token: admin,
        json: { from: '2024-05-01', to: '2024-05-02' },
      });
      expect(queued.status).toBe(200);
      await jobs.close();
    } finally {
      await scratchDb.end();
      await scratch.drop();
    }
    expect(failures).toEqual([]);
  });

  it('every documented route answered at least once with success', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const missed = documented.filter((route) => !exercised.has(route));
    expect(missed.map((route) => `${route}: ${called.get(route) ?? 'not called'}`)).toEqual([]);
  });

  it('every route that declares codes of its own answered one of them', () => {
    const missed = nestRoutes()
      .map(({ route, handler }) => ({ route, codes: ownCodes(handler) }))
      .filter(({ codes }) => codes.length > 0)
      .filter(
        ({ route, codes }) => !(errorAnswers.get(route) ?? []).some((r) => codes.some((c) => answersWith(route, r, c))),
      )
      .map(({ route, codes }) => `${route} (${codes.join(', ')}): ${called.get(route) ?? 'not called'}`);
    expect(missed).toEqual([]);
  });
});
