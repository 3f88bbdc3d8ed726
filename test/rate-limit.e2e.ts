import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { useApps, useInstances } from './support/app.js';
import { client, registerAndLogin, uniqueEmail } from './support/http.js';

// 429 with Retry-After in the Nest envelope, per IP and per account, shared across instances via Redis.
const TOO_MANY = {
  status: 'error',
  error: 'Too Many Requests',
  message: '요청이 너무 많습니다. 잠시 후 다시 시도해주세요.',
  code: 'RATE_LIMITED',
};

const LIMITS = {
  RATE_LIMIT_WINDOW_SECONDS: '60',
  RATE_LIMIT_LOGIN_PER_ACCOUNT: '3',
  RATE_LIMIT_REGISTER_PER_IP: '4',
  RATE_LIMIT_REFRESH_PER_ACCOUNT: '3',
  RATE_LIMIT_SOCIAL_PER_IP: '2',
  // Connection refused at once: allowed social attempts fail fast with 422.
  NAVER_TOKEN_URL: 'http://127.0.0.1:9/token',
};

const instances = useInstances();

describe('rate limits shared through Redis by two instances', () => {
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(inject('redisUrl'));
    // The per-IP buckets are shared by every run on this machine: start from empty ones.
    await redis.del('monta:ratelimit:register:ip:127.0.0.1', 'monta:ratelimit:social:ip:127.0.0.1');
  });
  // Registered before the instances, so it runs after they closed.
  afterAll(async () => {
    await redis.del('monta:ratelimit:register:ip:127.0.0.1', 'monta:ratelimit:social:ip:127.0.0.1');
    redis.disconnect();
  });
  const [a, b] = useApps(2, () => ({ env: { ...LIMITS, REDIS_URL: inject('redisUrl') } }));

  it('login: the fourth attempt on one account, across both instances, is 429 with Retry-After', async () => {
    const email = uniqueEmail('limited');
    const apis = [client(a.url), client(b.url), client(a.url)];
    for (const api of apis) {
      const r = await api.post('/timer-api/auth/email/login', { json: { email, password: 'qwer1234' } });
      expect(r.status).toBe(404);
    }
    const blocked = await client(b.url).post('/timer-api/auth/email/login', { json: { email, password: 'qwer1234' } });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual(TOO_MANY);
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // The e-mail is the bucket, whatever its case; another account is unaffected.
    const upper = await client(a.url).post('/timer-api/auth/email/login', {
      json: { email: email.toUpperCase(), password: 'x' },
    });
    expect(upper.status).toBe(429);
    const other = await client(a.url).post('/timer-api/auth/email/login', {
      json: { email: uniqueEmail(), password: 'x' },
    });
    expect(other.status).toBe(404);
  });

  it('register: per IP across both instances; a refused registration creates nothing', async () => {
    const emails = Array.from({ length: 5 }, () => uniqueEmail('reg'));
    const statuses = [];
    for (const [i, email] of emails.entries()) {
      const api = client(i % 2 === 0 ? a.url : b.url);
      statuses.push(
        (await api.post('/timer-api/auth/email/register', { json: { email, password: 'qwer1234' } })).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const last = await client(a.url).post('/timer-api/auth/email/login', {
      json: { email: emails[4], password: 'qwer1234' },
    });
    expect(last.status).toBe(404);
  });

  it('refresh: per account', async () => {
    // Registered through an instance without low limits, so the register bucket above doesn't interfere.
    const free = await instances.start({ REDIS_URL: inject('redisUrl') });
    const user = await registerAndLogin(client(free.url), uniqueEmail('refresh'));
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const api = client(i % 2 === 0 ? a.url : b.url);
      statuses.push((await api.post('/timer-api/auth/refresh', { token: user.refreshToken })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('social logins: per IP', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await client(b.url).post('/timer-api/auth/naver/login', { json: { code: 'c' } })).status);
    }
    expect(statuses[2]).toBe(429);
    expect(statuses.slice(0, 2).every((s) => s === 422)).toBe(true);
  });
});

describe('rate limits in memory (no Redis)', () => {
  it('counts per instance', async () => {
    const { api } = await instances.start({ RATE_LIMIT_LOGIN_PER_ACCOUNT: '2' });
    const email = uniqueEmail('mem');
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await api.post('/timer-api/auth/email/login', { json: { email, password: 'x' } })).status);
    }
    expect(statuses).toEqual([404, 404, 429]);
  });
});

describe('rate limits with Redis unreachable', () => {
  it('fall back to counting in memory: logins work and stay limited', async () => {
    const { api } = await instances.start({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_LOGIN_PER_ACCOUNT: '2' });
    const ok = await api.post('/timer-api/auth/email/login', {
      json: { email: 'user@test.com', password: 'qwer1234' },
    });
    expect(ok.status).toBe(200);
    const email = uniqueEmail('offline');
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await api.post('/timer-api/auth/email/login', { json: { email, password: 'x' } })).status);
    }
    expect(statuses).toEqual([404, 404, 429]);
    expect((await api.get('/health/ready')).status).toBe(503);
  });
});

describe('refresh limits spare the logged-out PWA and other accounts', () => {
  it('refreshes with no token are not counted; a forged token names no account bucket', async () => {
    const { api } = await instances.start({ RATE_LIMIT_REFRESH_PER_IP: '4', RATE_LIMIT_REFRESH_PER_ACCOUNT: '2' });
    const user = await registerAndLogin(api, uniqueEmail('spared'));
    for (let i = 0; i < 6; i++) {
      const r = await api.post('/timer-api/auth/refresh', { headers: { authorization: 'Bearer ' }, json: {} });
      expect(r.status).toBe(401);
    }
    // A token with the user's account id but the wrong signature: 401, and the user's bucket is untouched.
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.accountId)
      .setJti('x')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
    expect((await api.post('/timer-api/auth/refresh', { token: forged })).status).toBe(401);
    const first = await api.post('/timer-api/auth/refresh', { token: user.refreshToken });
    expect(first.status).toBe(200);
    // Had the forged call counted for the account (limit 2), this one would be refused.
    const second = await api.post('/timer-api/auth/refresh', { token: first.body.data.refresh_token });
    expect(second.status).toBe(200);
    const third = await api.post('/timer-api/auth/refresh', { token: second.body.data.refresh_token });
    expect(third.status).toBe(429);
    expect(third.body.code).toBe('RATE_LIMITED');
  });
});
