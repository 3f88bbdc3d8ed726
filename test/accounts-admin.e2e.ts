import { beforeAll, describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import { login, registerAndLogin, uniqueEmail } from './support/http.js';

// N6–N10 with the original's inverted e-mail check fixed (a new, unused e-mail is accepted); admin is
// the live role, not the claim.
const FORBIDDEN = {
  status: 'error',
  error: 'Forbidden',
  message: '이 작업을 수행할 권한이 없습니다.',
  code: 'FORBIDDEN',
};
const ADMIN_KEYS = ['account_id', 'email', 'provider', 'social_id', 'role', 'created_at', 'updated_at', 'deleted_at'];

let admin: string;
let user: string;

const app = useApp();
const { api } = app;
beforeAll(async () => {
  admin = (await login(api, 'admin@test.com')).access_token;
  user = (await login(api, 'user@test.com')).access_token;
});

describe('admin guard', () => {
  it.each([
    ['POST', '/timer-api/accounts'],
    ['GET', '/timer-api/accounts/00000000-0000-4000-8000-000000000000'],
    ['PATCH', '/timer-api/accounts/00000000-0000-4000-8000-000000000000'],
    ['DELETE', '/timer-api/accounts/00000000-0000-4000-8000-000000000000'],
    ['GET', '/timer-api/members'],
  ])('%s %s: user → 403, no token → 401', async (method, path) => {
    const asUser = await api.call(method, path, {
      token: user,
      json: method === 'GET' || method === 'DELETE' ? undefined : {},
    });
    expect(asUser.status).toBe(403);
    expect(asUser.body).toEqual(FORBIDDEN);
    const anonymous = await api.call(method, path);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.message).toBe('토큰이 유효하지 않거나 만료 되었습니다. 로그인 해주세요.');
  });

  it('a demoted admin loses access at once, whatever the token claims', async () => {
    const email = uniqueEmail('admin2');
    const created = await api.post('/timer-api/accounts', {
      token: admin,
      json: { email, password: 'qwer1234', role: { role_id: 1 } },
    });
    expect(created.status).toBe(200);
    const token = (await login(api, email)).access_token;
    expect((await api.get('/timer-api/members', { token })).status).toBe(200);
    await api.patch(`/timer-api/accounts/${created.body.data.account_id}`, {
      token: admin,
      json: { role: { role_id: 2 } },
    });
    expect((await api.get('/timer-api/members', { token })).status).toBe(403);
  });
});

describe('N6 POST /accounts', () => {
  it('creates an account and shows every timestamp', async () => {
    const email = uniqueEmail('created');
    const r = await api.post('/timer-api/accounts', { token: admin, json: { email, password: 'qwer1234' } });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.data)).toEqual(ADMIN_KEYS);
    expect(r.body.data).toMatchObject({
      email,
      provider: 'email',
      social_id: null,
      role: { role_id: 2, name: 'User' },
      deleted_at: null,
    });
    expect((await api.post('/timer-api/auth/email/login', { json: { email, password: 'qwer1234' } })).status).toBe(200);
  });

  it('refuses a taken e-mail and an unknown role', async () => {
    const dup = await api.post('/timer-api/accounts', {
      token: admin,
      json: { email: 'USER@test.com', password: 'qwer1234' },
    });
    expect(dup.status).toBe(400);
    expect(dup.body).toMatchObject({ error: 'Bad Request', message: '이 이메일로 등록된 계정이 이미 존재합니다.' });
    const role = await api.post('/timer-api/accounts', {
      token: admin,
      json: { email: uniqueEmail(), password: 'qwer1234', role: { role_id: 99 } },
    });
    expect(role.status).toBe(400);
    expect(role.body).toMatchObject({ error: 'Bad Request', message: 'role를 찾을 수 없습니다.' });
  });

  it('rejects provider and social_id', async () => {
    const r = await api.post('/timer-api/accounts', {
      token: admin,
      json: { email: uniqueEmail(), password: 'qwer1234', provider: 'google', social_id: '1' },
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toEqual(['property provider should not exist', 'property social_id should not exist']);
  });
});

describe('N7 GET /accounts/:id', () => {
  it('shows the account with its role name, or data:null', async () => {
    const target = await registerAndLogin(api);
    const r = await api.get(`/timer-api/accounts/${target.accountId}`, { token: admin });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.data)).toEqual(ADMIN_KEYS);
    expect(r.body.data.role).toEqual({ role_id: 2, name: 'User' });
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const missing = await api.get(`/timer-api/accounts/${id}`, { token: admin });
      expect(missing.status).toBe(200);
      expect(missing.body).toEqual({ status: 'success', data: null });
    }
  });
});

describe('N8 PATCH /accounts/:id', () => {
  it('changes the e-mail to an unused one (the original refused it) and the password', async () => {
    const target = await registerAndLogin(api);
    const email = uniqueEmail('renamed');
    const r = await api.patch(`/timer-api/accounts/${target.accountId}`, {
      token: admin,
      json: { email, password: 'newpass123' },
    });
    expect(r.status).toBe(200);
    expect(r.body.data.email).toBe(email);
    expect((await api.post('/timer-api/auth/email/login', { json: { email, password: 'newpass123' } })).status).toBe(
      200,
    );
    expect(
      (await api.post('/timer-api/auth/email/login', { json: { email: target.email, password: 'qwer1234' } })).status,
    ).toBe(404);
  });

  it('a new password ends the sessions opened with the old one', async () => {
    const target = await registerAndLogin(api);
    const r = await api.patch(`/timer-api/accounts/${target.accountId}`, {
      token: admin,
      json: { password: 'brand-new-pw' },
    });
    expect(r.status).toBe(200);
    expect((await api.post('/timer-api/auth/refresh', { token: target.refreshToken })).status).toBe(401);
    const fresh = await api.post('/timer-api/auth/email/login', {
      json: { email: target.email, password: 'brand-new-pw' },
    });
    expect((await api.post('/timer-api/auth/refresh', { token: fresh.body.data.refresh_token })).status).toBe(200);
  });

  it("keeps its own e-mail, refuses another account's", async () => {
    const target = await registerAndLogin(api);
    const same = await api.patch(`/timer-api/accounts/${target.accountId}`, {
      token: admin,
      json: { email: target.email },
    });
    expect(same.status).toBe(200);
    const taken = await api.patch(`/timer-api/accounts/${target.accountId}`, {
      token: admin,
      json: { email: 'user@test.com' },
    });
    expect(taken.status).toBe(400);
    expect(taken.body.message).toBe('이 이메일로 등록된 계정이 이미 존재합니다.');
  });

  it('unknown id → 404 계정을 찾을 수 없습니다.; unknown role → 400', async () => {
    const r = await api.patch('/timer-api/accounts/00000000-0000-4000-8000-000000000000', {
      token: admin,
      json: { email: uniqueEmail() },
    });
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: 'Not Found', message: '계정을 찾을 수 없습니다.' });
    const target = await registerAndLogin(api);
    const role = await api.patch(`/timer-api/accounts/${target.accountId}`, {
      token: admin,
      json: { role: { role_id: 7 } },
    });
    expect(role.status).toBe(400);
    expect(role.body.message).toBe('role를 찾을 수 없습니다.');
  });
});

describe('N10 GET /members', () => {
  it('lists members without timestamps', async () => {
    const target = await registerAndLogin(api);
    const r = await api.get('/timer-api/members', { token: admin });
    expect(r.status).toBe(200);
    const listed = r.body.data.members.find((m: { member_id: string }) => m.member_id === target.memberId);
    expect(Object.keys(listed)).toEqual([
      'member_id',
      'status_message',
      'image_url',
      'nickname',
      'point',
      'active_record_id',
    ]);
  });
});
