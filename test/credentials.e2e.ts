import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdmin } from '../src/accounts/create-admin.js';
import { type Database, openDatabase } from '../src/database/client.js';
import { useApp } from './support/app.js';
import { SteppingClock } from './support/clock.js';
import { login, registerAndLogin, uniqueEmail } from './support/http.js';
import { connect, connected } from './support/sockets.js';

// Issue 9 item 4: a password change, or a reused refresh chain, ends the account's refresh
// and access tokens at once, however the requests interleave.
const REFRESH = '/timer-api/auth/refresh';
const ME = '/timer-api/members/me';
const NEST_401 = {
  status: 'error',
  error: 'Unauthorized',
  message: '토큰이 유효하지 않거나 만료 되었습니다. 로그인 해주세요.',
  code: 'UNAUTHENTICATED',
};
const SPRING_401 = {
  status: 'error',
  error: 'UNAUTHORIZED',
  message: ['인증되지 않은 사용자의 접근입니다.'],
  code: 'UNAUTHENTICATED',
};
const TRIALS = 10;
const PARALLEL = 12;

let database: Database;
const clock = new SteppingClock();

const app = useApp({ env: { REFRESH_REUSE_WINDOW_SECONDS: '60' }, clock });
const { api } = app;
beforeAll(async () => {
  database = await openDatabase({ url: inject('databaseUrl'), dataDir: '', poolSize: 2 });
});
afterAll(async () => {
  await database?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each token answers 401 with the exact body of every other refused token. */
async function expectAllRefused(path: string, tokens: string[], body: object, method = 'post') {
  for (let i = 0; i < tokens.length; i += 24) {
    const replies = await Promise.all(tokens.slice(i, i + 24).map((token) => api.call(method, path, { token })));
    for (const [j, r] of replies.entries()) {
      expect({ index: i + j, status: r.status, body: r.body }).toEqual({ index: i + j, status: 401, body });
    }
  }
}

/**
 * A thief rotates a stolen refresh token on `PARALLEL` connections while the password is changed
 * (and, alongside, someone keeps signing in with the old password). Returns every token handed out.
 */
async function raceAgainstPasswordChange(trial: number, change: (accountId: string) => Promise<void>) {
  const user = await registerAndLogin(api);
  const refreshTokens = [user.refreshToken];
  const accessTokens = [user.accessToken];
  let changed = false;
  let issuedAfterChange = 0;
  const thief = async () => {
    let token = user.refreshToken;
    // Bounded: on a broken server the thief would rotate forever.
    for (let n = 0; n < 300 && issuedAfterChange < PARALLEL * 3; n++) {
      const r = await api.post(REFRESH, { token, json: {} });
      if (r.status !== 200) {
        expect(r.body).toEqual(NEST_401);
        return;
      }
      refreshTokens.push(r.body.data.refresh_token);
      accessTokens.push(r.body.data.access_token);
      token = r.body.data.refresh_token;
      if (changed) issuedAfterChange++;
    }
  };
  const oldPasswordLogin = async () => {
    await sleep(trial * 3);
    const r = await api.post('/timer-api/auth/email/login', { json: { email: user.email, password: user.password } });
    if (r.status === 200) {
      refreshTokens.push(r.body.data.refresh_token);
      accessTokens.push(r.body.data.access_token);
    } else {
      expect(r.status).toBe(401);
    }
  };
  const running = [...Array.from({ length: PARALLEL }, thief), oldPasswordLogin(), oldPasswordLogin()];
  // The change must meet rotations in flight, however slow the machine: wait (bounded) for the
  // thieves' first rotation, then land at a different point of the rotations in each trial.
  for (let waited = 0; refreshTokens.length < 2 && waited < 10_000; waited += 5) await sleep(5);
  const rotatedBeforeChange = refreshTokens.length - 1;
  await sleep(trial * 4);
  await change(user.accountId);
  changed = true;
  await Promise.all(running);
  return { user, refreshTokens, accessTokens, rotatedBeforeChange };
}

describe('a password change while a stolen refresh token is being rotated', () => {
  it(`${TRIALS} trials × ${PARALLEL} parallel rotations: no token issued before the change works after it`, async () => {
    const admin = await login(api, 'admin@test.com');
    let racedTrials = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const newPassword = `new-password-${trial}`;
      const race = await raceAgainstPasswordChange(trial, async (accountId) => {
        const r = await api.patch(`/timer-api/accounts/${accountId}`, {
          token: admin.access_token,
          json: { password: newPassword },
        });
        expect(r.status).toBe(200);
      });
      const { user, refreshTokens, accessTokens } = race;
      if (race.rotatedBeforeChange > 0) racedTrials++;
      await expectAllRefused(REFRESH, refreshTokens, NEST_401);
      await expectAllRefused(ME, accessTokens, NEST_401, 'get');
      // The owner signs in again with the new password, and that session works.
      const fresh = await login(api, user.email, newPassword);
      expect((await api.get(ME, { token: fresh.access_token })).status).toBe(200);
      expect((await api.post(REFRESH, { token: fresh.refresh_token })).status).toBe(200);
    }
    expect(racedTrials, 'trials whose change met a thief already rotating').toBe(TRIALS);
  }, 180_000);

  it('the same through the admin CLI (createAdmin resetting the password of an existing account)', async () => {
    const { refreshTokens, accessTokens } = await raceAgainstPasswordChange(3, async (accountId) => {
      const row = await database.execute(`select email from account where account_id = '${accountId}'`);
      expect(await createAdmin(database, String(row.rows[0]!.email), 'A-str0ng-passw0rd!')).toBe('promoted');
    });
    await expectAllRefused(REFRESH, refreshTokens, NEST_401);
    await expectAllRefused(ME, accessTokens, NEST_401, 'get');
  });

  it("ends the account's access tokens on the Spring routes too, in the Spring dialect", async () => {
    const admin = await login(api, 'admin@test.com');
    const email = uniqueEmail('admin2');
    const created = await api.post('/timer-api/accounts', {
      token: admin.access_token,
      json: { email, password: 'qwer1234', role: { role_id: 1 } },
    });
    expect(created.status).toBe(200);
    const second = await login(api, email);
    expect((await api.get('/v2/admin/items', { token: second.access_token })).status).toBe(200);
    const patched = await api.patch(`/timer-api/accounts/${created.body.data.account_id}`, {
      token: admin.access_token,
      json: { password: 'another-password' },
    });
    expect(patched.status).toBe(200);
    const r = await api.get('/v2/admin/items', { token: second.access_token });
    expect({ status: r.status, body: r.body }).toEqual({ status: 401, body: SPRING_401 });
    // Changing anything but the password leaves the tokens alone.
    const fresh = await login(api, email, 'another-password');
    const renamed = await api.patch(`/timer-api/accounts/${created.body.data.account_id}`, {
      token: admin.access_token,
      json: { email: uniqueEmail('admin3') },
    });
    expect(renamed.status).toBe(200);
    expect((await api.get('/v2/admin/items', { token: fresh.access_token })).status).toBe(200);
  });

  it('a socket cannot connect with an access token from before the change', async () => {
    const admin = await login(api, 'admin@test.com');
    const user = await registerAndLogin(api);
    const before = connect(app.url, { token: user.accessToken });
    await connected(before);
    before.close();
    const r = await api.patch(`/timer-api/accounts/${user.accountId}`, {
      token: admin.access_token,
      json: { password: 'changed-password' },
    });
    expect(r.status).toBe(200);
    const after = connect(app.url, { token: user.accessToken });
    try {
      await expect(connected(after)).rejects.toThrow('unauthorized');
    } finally {
      after.close();
    }
  });
});

describe('a reused (stolen) refresh chain', () => {
  it("is revoked, and every access token of the account ends with it; the owner's other chain refreshes", async () => {
    const user = await registerAndLogin(api);
    const other = await login(api, user.email); // another device: another chain
    const rotated = await api.post(REFRESH, { token: user.refreshToken });
    expect(rotated.status).toBe(200);
    for (const token of [user.accessToken, rotated.body.data.access_token, other.access_token]) {
      expect((await api.get(ME, { token })).status).toBe(200);
    }

    clock.offsetMs = 61_000;
    try {
      const reused = await api.post(REFRESH, { token: user.refreshToken });
      expect({ status: reused.status, body: reused.body }).toEqual({ status: 401, body: NEST_401 });
      await expectAllRefused(REFRESH, [rotated.body.data.refresh_token], NEST_401);
      await expectAllRefused(
        ME,
        [user.accessToken, rotated.body.data.access_token, other.access_token],
        NEST_401,
        'get',
      );
      // The other device's chain was not stolen: it refreshes, and its new access token works.
      const again = await api.post(REFRESH, { token: other.refresh_token });
      expect(again.status).toBe(200);
      expect((await api.get(ME, { token: again.body.data.access_token })).status).toBe(200);
    } finally {
      clock.offsetMs = 0;
    }
  });
});

describe('a sign-in racing a generation bump that is not a password change', () => {
  it('signs in (the password is unchanged), and its tokens carry the new generation', async () => {
    const email = uniqueEmail();
    const registered = await api.post('/timer-api/auth/email/register', { json: { email, password: 'qwer1234' } });
    expect(registered.status).toBe(200);
    const accountId = registered.body.data.account.account_id as string;
    // Another session holds the account row, as a reused chain's refresh does while it bumps the generation.
    const holder = new pg.Client({ connectionString: inject('databaseUrl') });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select 1 from account where account_id = $1 for no key update', [accountId]);
      const pending = api.post('/timer-api/auth/email/login', { json: { email, password: 'qwer1234' } });
      // The login has checked the password and now waits for the row (bounded: the lock timeout is 3 s).
      const blocked = async () =>
        (
          await holder.query(
            `select count(*)::int n from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))`,
          )
        ).rows[0].n as number;
      const until = Date.now() + 2_500;
      while ((await blocked()) < 1 && Date.now() < until) await sleep(20);
      expect(await blocked(), 'the login waiting on the account row').toBe(1);
      await holder.query('update account set token_generation = token_generation + 1 where account_id = $1', [
        accountId,
      ]);
      await holder.query('commit');
      const signedIn = await pending;
      expect(signedIn.status, signedIn.text).toBe(200);
      expect((await api.get(ME, { token: signedIn.body.data.access_token })).status).toBe(200);
      expect((await api.post(REFRESH, { token: signedIn.body.data.refresh_token })).status).toBe(200);
    } finally {
      await holder.end();
    }
  });
});
