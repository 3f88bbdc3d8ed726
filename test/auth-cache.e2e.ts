import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { useApps } from './support/app.js';
import { useDb } from './support/db.js';
import { type Client, login, registerAndLogin } from './support/http.js';
import { useOwnRedis } from './support/redis-server.js';

// Issue 11, the guard cache: the live-account and member lookups are cached per instance and every
// instance drops a change before the changing request answers. The TTL here is long (60 s), so an
// instance that missed an invalidation would go on accepting from its cache and these tests would fail.
const LONG_TTL = '60';

const redis = useOwnRedis();
const db = useDb({ max: 2 });
const [one, two] = useApps(2, () => ({
  env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'cache-test:', AUTH_CACHE_TTL_SECONDS: LONG_TTL },
}));
const [a, b] = [one.api, two.api];
let adminToken: string;

beforeAll(async () => {
  adminToken = (await login(a, 'admin@test.com')).access_token;
  await untilListening(2);
});

/** Until `count` instances are subscribed to the invalidation channel (each subscribes once Redis is ready). */
async function untilListening(count: number, url = redis.url, prefix = 'cache-test:') {
  const probe = new Redis(url);
  try {
    for (let i = 0; i < 100; i++) {
      const [, n] = (await probe.call('PUBSUB', 'NUMSUB', `${prefix}auth-cache`)) as [string, number];
      if (n >= count) return;
      await sleep(50);
    }
    throw new Error(`fewer than ${count} instances subscribed`);
  } finally {
    probe.disconnect();
  }
}

const me = (api: Client, token: string) => api.get('/timer-api/members/me', { token });
const streakOf = (api: Client, token: string, memberId: string) =>
  api.get(`/timer-api/members/${memberId}/study-streak`, { token });
const categoriesOf = (api: Client, token: string, memberId: string) =>
  api.get(`/timer-api/members/${memberId}/study-categories`, { token });

describe('the guard cache across two instances sharing one Redis', () => {
  it('caches: an account erased behind the service’s back is still accepted until its entry expires', async () => {
    // The control for every test below: without an invalidation, instance B answers from its cache.
    const user = await registerAndLogin(a);
    expect((await categoriesOf(b, user.accessToken, user.memberId)).status).toBe(200);
    await db.query('delete from account where account_id = $1', [user.accountId]);
    expect((await categoriesOf(b, user.accessToken, user.memberId)).status).toBe(200); // from B's cache
    // A cached the access at registration (its /me) but not the member id, which it now looks for in vain.
    expect((await categoriesOf(a, user.accessToken, user.memberId)).status).toBe(404);
  });

  it('an account erased on A is refused on B on the very next request, with its member and owner checks', async () => {
    const user = await registerAndLogin(a);
    const other = await registerAndLogin(a);
    // Warm all three lookups on B: the access, the caller's member id, the member's existence.
    expect((await me(b, user.accessToken)).status).toBe(200);
    expect((await categoriesOf(b, user.accessToken, user.memberId)).status).toBe(200);
    expect((await streakOf(b, other.accessToken, user.memberId)).status).toBe(200);

    expect((await a.delete('/timer-api/auth/me', { token: user.accessToken })).status).toBe(200);
    expect((await me(b, user.accessToken)).status).toBe(401);
    expect((await categoriesOf(b, user.accessToken, user.memberId)).status).toBe(401);
    expect((await streakOf(b, other.accessToken, user.memberId)).status).toBe(403);
  });

  it('an account erased by an admin on A is refused on B at once', async () => {
    const user = await registerAndLogin(a);
    expect((await categoriesOf(b, user.accessToken, user.memberId)).status).toBe(200);
    expect((await a.delete(`/timer-api/accounts/${user.accountId}`, { token: adminToken })).status).toBe(200);
    expect((await categoriesOf(b, user.accessToken, user.memberId)).status).toBe(401);
  });

  it('a password changed on A ends the old access token on B at once', async () => {
    const user = await registerAndLogin(a);
    expect((await me(b, user.accessToken)).status).toBe(200);
    const changed = await a.patch(`/timer-api/accounts/${user.accountId}`, {
      token: adminToken,
      json: { password: 'n3w-password' },
    });
    expect(changed.status).toBe(200);
    expect((await me(b, user.accessToken)).status).toBe(401);
    const fresh = await login(b, user.email, 'n3w-password');
    expect((await me(b, fresh.access_token)).status).toBe(200);
  });

  it('a role changed on A holds on B at once, both ways', async () => {
    const user = await registerAndLogin(a);
    const setRole = async (roleId: number) =>
      (
        await a.patch(`/timer-api/accounts/${user.accountId}`, {
          token: adminToken,
          json: { role: { role_id: roleId } },
        })
      ).status;
    expect((await b.get('/timer-api/members', { token: user.accessToken })).status).toBe(403);
    expect(await setRole(1)).toBe(200);
    expect((await b.get('/timer-api/members', { token: user.accessToken })).status).toBe(200);
    expect(await setRole(2)).toBe(200);
    expect((await b.get('/timer-api/members', { token: user.accessToken })).status).toBe(403);
  });

  it('a reused refresh token on A ends the access tokens on B at once', async () => {
    const user = await registerAndLogin(a);
    expect((await me(b, user.accessToken)).status).toBe(200);
    // Rotate once, then present the rotated token again as if the reuse window were long over.
    expect((await a.post('/timer-api/auth/refresh', { token: user.refreshToken })).status).toBe(200);
    await db.query("update refresh_token set rotated_at = rotated_at - interval '1 hour' where account_id = $1", [
      user.accountId,
    ]);
    expect((await a.post('/timer-api/auth/refresh', { token: user.refreshToken })).status).toBe(401);
    expect((await me(b, user.accessToken)).status).toBe(401);
  });

  it('a member created on A is seen on B at once (a missing member is never cached)', async () => {
    const registered = await a.post('/timer-api/auth/email/register', {
      json: { email: `fresh.${Date.now()}@test.com`, password: 'qwer1234' },
    });
    const token = registered.body.data.access_token as string;
    const accountId = registered.body.data.account.account_id as string;
    // B looks for the member before it exists: the owner check finds none.
    const before = await categoriesOf(b, token, '00000000-0000-4000-8000-000000000000');
    expect(before.status).toBe(404);
    const created = await me(a, token);
    expect(created.status).toBe(200);
    const memberId = created.body.data.member.member_id as string;
    expect(created.body.data.member.account).toEqual({ account_id: accountId });
    expect((await categoriesOf(b, token, memberId)).status).toBe(200);
    expect((await streakOf(b, adminToken, memberId)).status).toBe(200);
  });
});

describe('the guard cache while Redis is down or silent', () => {
  // Their own pair on their own Redis, with a short TTL: an erasure that cannot be confirmed waits it out.
  const faulty = useOwnRedis();
  const pair = useApps(2, () => ({
    env: { REDIS_URL: faulty.url, REDIS_KEY_PREFIX: 'cache-faults:', AUTH_CACHE_TTL_SECONDS: '2' },
  }));
  const [x, y] = [pair[0].api, pair[1].api];

  beforeAll(async () => {
    await untilListening(2, faulty.url, 'cache-faults:');
  });

  it('Redis down: the instances read the database, so an erasure on one is refused on the other at once', async () => {
    const user = await registerAndLogin(x);
    const kept = await registerAndLogin(x);
    expect((await me(y, user.accessToken)).status).toBe(200);
    await faulty.stop();
    try {
      await sleep(200); // both subscriptions see the connection close
      expect((await x.delete('/timer-api/auth/me', { token: user.accessToken })).status).toBe(200);
      expect((await me(y, user.accessToken)).status).toBe(401);
      expect((await me(y, kept.accessToken)).status).toBe(200);
    } finally {
      await faulty.start();
    }
    await untilListening(2, faulty.url, 'cache-faults:');
    // Back: the cache is used again and still dropped across instances.
    expect((await me(y, kept.accessToken)).status).toBe(200);
    expect((await x.delete('/timer-api/auth/me', { token: kept.accessToken })).status).toBe(200);
    expect((await me(y, kept.accessToken)).status).toBe(401);
  });

  it('Redis silent (paused): the erasure answers once the TTL is over, and no instance accepts the token after', async () => {
    const user = await registerAndLogin(x);
    expect((await me(y, user.accessToken)).status).toBe(200);
    const probe = new Redis(faulty.url);
    try {
      await probe.call('CLIENT', 'PAUSE', '4000', 'ALL');
      const asked = performance.now();
      expect((await x.delete('/timer-api/auth/me', { token: user.accessToken })).status).toBe(200);
      // Not a timing figure: the erasure could not be confirmed, so it must have waited out the 2 s TTL.
      expect(performance.now() - asked).toBeGreaterThanOrEqual(1_900);
      expect((await me(y, user.accessToken)).status).toBe(401);
      expect((await me(x, user.accessToken)).status).toBe(401);
    } finally {
      await probe.ping(); // answered once the pause is over, so nothing is left hanging when the apps close
      probe.disconnect();
    }
  });
});
