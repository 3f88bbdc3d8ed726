import { beforeAll, describe, expect, it } from 'vitest';
import { useApp } from './support/app.js';
import { login, uniqueEmail } from './support/http.js';

// Cases 1–17 of the original team's e2e suite, with exact statuses and messages.
const INVALID_TOKEN = '토큰이 유효하지 않거나 만료 되었습니다. 로그인 해주세요.';
const EXPIRED =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDAwMDF9.c2lnbmF0dXJl';

const app = useApp();
const { api } = app;

function expectSession(data: any) {
  expect(typeof data.access_token).toBe('string');
  expect(typeof data.refresh_token).toBe('string');
  expect(typeof data.expires_in).toBe('number');
}

function expectAccount(account: any) {
  expect(Object.keys(account)).toEqual(['account_id', 'email', 'provider', 'social_id', 'role', 'created_at']);
  expect(account.account_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(account.provider).toBe('email');
  expect(account.social_id).toBeNull();
  expect(account.role).toEqual({ role_id: 2, name: 'User' });
  expect(account.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  expect(account.password).toBeUndefined();
}

describe('auth (cases 1–11)', () => {
  const email = uniqueEmail('testUser');

  it('1: register with a bad email and empty password → 400 Validation Error', async () => {
    const r = await api.post('/timer-api/auth/email/register', { json: { email: 'wrongEmail', password: '' } });
    expect(r.status).toBe(400);
    expect(r.body.status).toBe('error');
    expect(r.body.error).toBe('Validation Error');
    expect(Array.isArray(r.body.message)).toBe(true);
    expect(r.body.message).toContain('email must be an email');
    expect(r.body.message).toContain('password should not be empty');
  });

  it('2: register an existing email → 400 with the exact message', async () => {
    const r = await api.post('/timer-api/auth/email/register', {
      json: { email: 'user@test.com', password: 'qwer1234' },
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      status: 'error',
      error: 'Bad Request',
      message: '이 이메일로 등록된 계정이 이미 존재합니다.',
    });
  });

  it('3: register a new user → 200 with tokens and the account', async () => {
    const r = await api.post('/timer-api/auth/email/register', { json: { email, password: 'qwer1234' } });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('success');
    expectSession(r.body.data);
    expectAccount(r.body.data.account);
    expect(r.body.data.account.email).toBe(email.toLowerCase()); // stored lower-cased
  });

  it('4: login with a bad email and empty password → 400 Validation Error', async () => {
    const r = await api.post('/timer-api/auth/email/login', { json: { email: 'wrongEmail', password: '' } });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('Validation Error');
    expect(Array.isArray(r.body.message)).toBe(true);
  });

  it('5: login with an unknown email → 404 계정을 찾을 수 없습니다.', async () => {
    const r = await api.post('/timer-api/auth/email/login', {
      json: { email: 'wrongEmail@test.com', password: 'qwer1234' },
    });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      status: 'error',
      error: 'Not Found',
      message: '계정을 찾을 수 없습니다.',
      code: 'ACCOUNT_NOT_FOUND',
    });
  });

  it('6: login with a wrong password → 401 비밀번호가 일치하지 않습니다.', async () => {
    const r = await api.post('/timer-api/auth/email/login', { json: { email, password: 'wrongPassword' } });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ status: 'error', error: 'Unauthorized', message: '비밀번호가 일치하지 않습니다.' });
  });

  it('7: login → 200 with tokens and the account', async () => {
    const r = await api.post('/timer-api/auth/email/login', { json: { email, password: 'qwer1234' } });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('success');
    expectSession(r.body.data);
    expectAccount(r.body.data.account);
  });

  it('8: the member is created lazily by GET /members/me', async () => {
    const { access_token } = await login(api, email);
    const r = await api.get('/timer-api/members/me', { token: access_token });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('success');
    expect(r.body.data.member).toBeDefined();
  });

  it('9: refresh with the refresh token → 200 with a new pair', async () => {
    const { refresh_token } = await login(api, email);
    const r = await api.post('/timer-api/auth/refresh', { token: refresh_token, json: {} });
    expect(r.status).toBe(200);
    expectSession(r.body.data);
    expect(r.body.data.account).toBeUndefined();
  });

  it('10: DELETE /auth/me with a wrong token → 401 with the invalid-token message', async () => {
    const r = await api.delete('/timer-api/auth/me', { token: 'wrongToken' });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ status: 'error', error: 'Unauthorized', message: INVALID_TOKEN });
  });

  it('11: DELETE /auth/me → 200 {status:"success"}, then the login is 404', async () => {
    const { access_token } = await login(api, email);
    const r = await api.delete('/timer-api/auth/me', { token: access_token });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'success' });
    const again = await api.post('/timer-api/auth/email/login', { json: { email, password: 'qwer1234' } });
    expect(again.status).toBe(404);
  });
});

describe('members (cases 12–17)', () => {
  let token: string;
  let memberId: string;

  beforeAll(async () => {
    token = (await login(api, 'user@test.com')).access_token;
    memberId = (await api.get('/timer-api/members/me', { token })).body.data.member.member_id;
  });

  it('12: GET /members/me with an expired token → 401', async () => {
    const r = await api.get('/timer-api/members/me', { token: EXPIRED });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ status: 'error', error: 'Unauthorized', message: INVALID_TOKEN });
  });

  it('13: GET /members/me → the member with every field, and no timestamps', async () => {
    const r = await api.get('/timer-api/members/me', { token });
    expect(r.status).toBe(200);
    // ranking_opt_out is the one addition (issue 13), after the original's fields.
    expect(Object.keys(r.body.data.member)).toEqual([
      'member_id',
      'status_message',
      'image_url',
      'nickname',
      'point',
      'active_record_id',
      'ranking_opt_out',
    ]);
    expect(typeof r.body.data.member.point).toBe('number');
  });

  it('14: PATCH with an expired token and no body → 401', async () => {
    const r = await api.patch(`/timer-api/members/${memberId}`, { token: EXPIRED });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ error: 'Unauthorized', message: INVALID_TOKEN });
  });

  it("15: PATCH another member's id → 403", async () => {
    const r = await api.patch('/timer-api/members/testtet2132', {
      token,
      json: { nickname: 'x', image_url: 'http://x', status_message: 'y' },
    });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({
      status: 'error',
      error: 'Forbidden',
      message: '이 작업을 수행할 권한이 없습니다.',
      code: 'FORBIDDEN',
    });
  });

  it('16: PATCH with no body → 400 변경할 내용이 없습니다.', async () => {
    const r = await api.patch(`/timer-api/members/${memberId}`, { token });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ status: 'error', error: 'Bad Request', message: '변경할 내용이 없습니다.' });
  });

  it('17: PATCH the three fields → 200 data:null, and /members/me shows them', async () => {
    const ts = Date.now();
    const patch = { nickname: `name.${ts}`, image_url: `http://test.com/${ts}.jpg`, status_message: `message.${ts}` };
    const r = await api.patch(`/timer-api/members/${memberId}`, { token, json: patch });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'success', data: null });
    const me = (await api.get('/timer-api/members/me', { token })).body.data.member;
    expect({ nickname: me.nickname, image_url: me.image_url, status_message: me.status_message }).toEqual(patch);
  });
});
