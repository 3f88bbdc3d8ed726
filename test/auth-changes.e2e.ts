import bcrypt from 'bcryptjs';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { startApp, useApp } from './support/app.js';
import { SteppingClock } from './support/clock.js';
import { useDb } from './support/db.js';
import { client, login, registerAndLogin, uniqueEmail } from './support/http.js';

// The original's auth defects fixed: account erasure, refresh rotation with a reuse window, logout,
// passwords, e-mails.
const INVALID_TOKEN = '토큰이 유효하지 않거나 만료 되었습니다. 로그인 해주세요.';

const clock = new SteppingClock();

const app = useApp({ env: { REFRESH_REUSE_WINDOW_SECONDS: '60' }, clock });
const { api } = app;
const db = useDb({ max: 2 });

const count = async (sql: string, params: unknown[]) => Number((await db.query(sql, params)).rows[0].n);

describe('account deletion erases (change 2)', () => {
  it("refuses the deleted account's access token at once, erases its data and frees the e-mail", async () => {
    const user = await registerAndLogin(api);
    const second = await login(api, user.email); // another live session of the same account
    expect((await api.delete('/timer-api/auth/me', { token: user.accessToken })).status).toBe(200);

    for (const token of [user.accessToken, second.access_token]) {
      const me = await api.get('/timer-api/members/me', { token });
      expect(me.status).toBe(401);
      expect(me.body).toMatchObject({ error: 'Unauthorized', message: INVALID_TOKEN });
    }
    const refreshed = await api.post('/timer-api/auth/refresh', { token: second.refresh_token });
    expect(refreshed.status).toBe(401);

    expect(await count('select count(*) n from account where account_id = $1', [user.accountId])).toBe(0);
    expect(await count('select count(*) n from member where member_id = $1', [user.memberId])).toBe(0);
    expect(await count('select count(*) n from study_streak where member_id = $1', [user.memberId])).toBe(0);
    expect(await count('select count(*) n from refresh_token where account_id = $1', [user.accountId])).toBe(0);

    const again = await api.post('/timer-api/auth/email/register', {
      json: { email: user.email, password: 'qwer1234' },
    });
    expect(again.status).toBe(200);
    expect(again.body.data.account.account_id).not.toBe(user.accountId);
  });

  it('a second instance refuses the token at once too', async () => {
    const other = await startApp();
    try {
      const user = await registerAndLogin(api);
      const elsewhere = client(other.url);
      expect((await elsewhere.get('/timer-api/members/me', { token: user.accessToken })).status).toBe(200);
      expect((await api.delete('/timer-api/auth/me', { token: user.accessToken })).status).toBe(200);
      expect((await elsewhere.get('/timer-api/members/me', { token: user.accessToken })).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('an admin deleting an account has the same effect', async () => {
    const user = await registerAndLogin(api);
    const admin = await login(api, 'admin@test.com');
    const r = await api.delete(`/timer-api/accounts/${user.accountId}`, { token: admin.access_token });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'success' });
    expect((await api.get('/timer-api/members/me', { token: user.accessToken })).status).toBe(401);
    expect(await count('select count(*) n from member where member_id = $1', [user.memberId])).toBe(0);
  });
});

describe('refresh rotation (change 3)', () => {
  it('expires_in never exceeds the access token exp × 1000', async () => {
    const session = await login(api, 'user@test.com');
    const { exp } = decodeJwt(session.access_token);
    expect(session.expires_in).toBeLessThanOrEqual(exp! * 1000);
    expect(session.expires_in).toBeGreaterThan(exp! * 1000 - 10_000);
  });

  it('stores only a digest of the refresh token', async () => {
    const session = await login(api, 'user@test.com');
    const rows = await db.query('select token_hash from refresh_token');
    expect(rows.rows.some((r) => r.token_hash === session.refresh_token)).toBe(false);
    expect(rows.rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it('parallel refreshes with one token all succeed, with working pairs of one chain', async () => {
    const user = await registerAndLogin(api);
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => api.post('/timer-api/auth/refresh', { token: user.refreshToken, json: {} })),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
    for (const r of replies) {
      expect((await api.get('/timer-api/members/me', { token: r.body.data.access_token })).status).toBe(200);
    }
    const chains = await db.query('select distinct chain_id from refresh_token where account_id = $1', [
      user.accountId,
    ]);
    expect(chains.rows).toHaveLength(1);
    // Each new refresh token works once more.
    const next = await api.post('/timer-api/auth/refresh', { token: replies[3]!.body.data.refresh_token });
    expect(next.status).toBe(200);
  });

  it('a rotated token presented after the window revokes the whole chain', async () => {
    const user = await registerAndLogin(api);
    const other = await login(api, user.email); // a second login: another chain, untouched
    const first = await api.post('/timer-api/auth/refresh', { token: user.refreshToken });
    expect(first.status).toBe(200);
    const successor = first.body.data.refresh_token as string;

    clock.offsetMs = 61_000;
    try {
      const stolen = await api.post('/timer-api/auth/refresh', { token: user.refreshToken });
      expect(stolen.status).toBe(401);
      expect(stolen.body).toMatchObject({ error: 'Unauthorized', message: INVALID_TOKEN });
      const revoked = await api.post('/timer-api/auth/refresh', { token: successor });
      expect(revoked.status).toBe(401);
      const untouched = await api.post('/timer-api/auth/refresh', { token: other.refresh_token });
      expect(untouched.status).toBe(200);
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('within the window a rotated token still gets a pair', async () => {
    const user = await registerAndLogin(api);
    expect((await api.post('/timer-api/auth/refresh', { token: user.refreshToken })).status).toBe(200);
    clock.offsetMs = 30_000;
    try {
      expect((await api.post('/timer-api/auth/refresh', { token: user.refreshToken })).status).toBe(200);
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('an empty bearer, an access token or garbage as refresh token → 401', async () => {
    const session = await login(api, 'user@test.com');
    for (const headers of [{ authorization: 'Bearer ' }, { authorization: 'Bearer x.y.z' }, {}] as Record<
      string,
      string
    >[]) {
      const r = await api.post('/timer-api/auth/refresh', { headers, json: {} });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({
        status: 'error',
        error: 'Unauthorized',
        message: INVALID_TOKEN,
        code: 'UNAUTHENTICATED',
      });
    }
    expect((await api.post('/timer-api/auth/refresh', { token: session.access_token })).status).toBe(401);
  });

  it('an access token signed with another algorithm (alg none) is refused', async () => {
    const session = await login(api, 'user@test.com');
    const [, payload] = session.access_token.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const r = await api.get('/timer-api/members/me', { token: `${header}.${payload}.` });
    expect(r.status).toBe(401);
  });
});

describe('logout', () => {
  it('revokes the chain of the refresh token; other sessions keep working', async () => {
    const user = await registerAndLogin(api);
    const other = await login(api, user.email);
    const r = await api.post('/timer-api/auth/logout', { token: user.refreshToken });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'success', data: null });
    expect((await api.post('/timer-api/auth/refresh', { token: user.refreshToken })).status).toBe(401);
    expect((await api.post('/timer-api/auth/logout', { token: user.refreshToken })).status).toBe(401);
    expect((await api.post('/timer-api/auth/refresh', { token: other.refresh_token })).status).toBe(200);
  });
});

describe('passwords and e-mails (change 5)', () => {
  it('a legacy bcrypt hash logs in and is upgraded to Argon2id', async () => {
    const user = await registerAndLogin(api);
    await db.query('update account set password = $1 where account_id = $2', [
      await bcrypt.hash('legacy-pass', 10),
      user.accountId,
    ]);
    expect(
      (await api.post('/timer-api/auth/email/login', { json: { email: user.email, password: 'wrong-pass' } })).status,
    ).toBe(401);
    const r = await api.post('/timer-api/auth/email/login', { json: { email: user.email, password: 'legacy-pass' } });
    expect(r.status).toBe(200);
    const stored = (await db.query('select password from account where account_id = $1', [user.accountId])).rows[0];
    expect(stored.password).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(
      (await api.post('/timer-api/auth/email/login', { json: { email: user.email, password: 'legacy-pass' } })).status,
    ).toBe(200);
  });

  it('an older short password (6 characters) still logs in; new ones need 8', async () => {
    const user = await registerAndLogin(api);
    await db.query('update account set password = $1 where account_id = $2', [
      await bcrypt.hash('abc123', 10),
      user.accountId,
    ]);
    expect(
      (await api.post('/timer-api/auth/email/login', { json: { email: user.email, password: 'abc123' } })).status,
    ).toBe(200);
    const r = await api.post('/timer-api/auth/email/register', { json: { email: uniqueEmail(), password: 'abc1234' } });
    expect(r.status).toBe(400);
    expect(r.body.message).toEqual(['password must be longer than or equal to 8 characters']);
  });

  it('e-mails are trimmed and lower-cased: register, login and duplicates', async () => {
    const email = uniqueEmail('MiXeD').replace('mixed', 'MiXeD');
    const r = await api.post('/timer-api/auth/email/register', {
      json: { email: `  ${email.toUpperCase()} `, password: 'qwer1234' },
    });
    expect(r.status).toBe(200);
    expect(r.body.data.account.email).toBe(email.toLowerCase());
    expect(
      (await api.post('/timer-api/auth/email/login', { json: { email: email.toUpperCase(), password: 'qwer1234' } }))
        .status,
    ).toBe(200);
    const dup = await api.post('/timer-api/auth/email/register', {
      json: { email: email.toLowerCase(), password: 'qwer1234' },
    });
    expect(dup.status).toBe(400);
    expect(dup.body.message).toBe('이 이메일로 등록된 계정이 이미 존재합니다.');
  });

  it('parallel registrations of one e-mail create exactly one account', async () => {
    const email = uniqueEmail('race');
    const replies = await Promise.all(
      Array.from({ length: 8 }, () =>
        api.post('/timer-api/auth/email/register', { json: { email, password: 'qwer1234' } }),
      ),
    );
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    expect(
      replies
        .filter((r) => r.status === 400)
        .every((r) => r.body.message === '이 이메일로 등록된 계정이 이미 존재합니다.'),
    ).toBe(true);
    expect(await count('select count(*) n from account where email = $1', [email])).toBe(1);
  });

  it('a social account cannot log in with a password', async () => {
    const email = uniqueEmail('social');
    await db.query("insert into account (email, provider, social_id) values ($1, 'google', $2)", [email, email]);
    const r = await api.post('/timer-api/auth/email/login', { json: { email, password: 'qwer1234' } });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'Bad Request', message: '간편 로그인 계정이 존재합니다.' });
  });
});

describe('members/me', () => {
  it('parallel first calls create one member with 500 points and a streak', async () => {
    const registered = await api.post('/timer-api/auth/email/register', {
      json: { email: uniqueEmail(), password: 'qwer1234' },
    });
    const token = registered.body.data.access_token;
    const accountId = registered.body.data.account.account_id;
    const replies = await Promise.all(Array.from({ length: 6 }, () => api.get('/timer-api/members/me', { token })));
    expect(replies.map((r) => r.status)).toEqual(Array(6).fill(200));
    const ids = new Set(replies.map((r) => r.body.data.member.member_id));
    expect(ids.size).toBe(1);
    expect(replies.filter((r) => r.body.data.member.account !== undefined)).toHaveLength(1);
    const creating = replies.find((r) => r.body.data.member.account)!.body.data.member;
    expect(creating.account).toEqual({ account_id: accountId });
    expect(creating.point).toBe(500);
    expect(creating.nickname).toMatch(/^[0-9a-f]{20}$/);
    expect(creating.active_record_id).toBeNull();
    expect(await count('select count(*) n from study_streak where member_id = $1', [creating.member_id])).toBe(1);
  });
});
