import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startApp, useInstances } from './support/app.js';
import { client, login, registerAndLogin } from './support/http.js';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-db.js';

// Issue 9 item 6: no secret is fixed in the code. Outside production unset secrets are
// generated once and kept in the database, shared by every instance and across restarts; production
// requires them; a token without `exp` is refused.
const NEST_401 = {
  status: 'error',
  error: 'Unauthorized',
  message: '토큰이 유효하지 않거나 만료 되었습니다. 로그인 해주세요.',
  code: 'UNAUTHENTICATED',
};
/** The access secret the source used to fall back to whenever NODE_ENV was not production. */
const FORMER_FIXED_SECRET = 'dev-only-access-secret-change-me-0123456789';

const scratch: ScratchDatabase[] = [];
afterAll(async () => {
  await Promise.all(scratch.splice(0).map((d) => d.drop()));
});
const instances = useInstances();

const sign = (secret: string, claims: Record<string, unknown>, sub: string, exp = true) => {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub).setIssuedAt();
  return (exp ? jwt.setExpirationTime('1h') : jwt).sign(new TextEncoder().encode(secret));
};

describe('unset secrets outside production', () => {
  it('are generated once per database: parallel first boots agree, tokens work on both and after a restart', async () => {
    const database = await createScratchDatabase('secrets');
    scratch.push(database);
    const env = { DATABASE_URL: database.url };
    const [a, b] = await Promise.all([
      instances.start(env, { captureLogs: true }),
      instances.start(env, { captureLogs: true }),
    ]);
    for (const name of ['AUTH_JWT_SECRET', 'AUTH_REFRESH_SECRET'] as const) {
      expect(a.handle.config[name].length).toBeGreaterThanOrEqual(32);
      expect(b.handle.config[name]).toBe(a.handle.config[name]);
    }
    expect(a.handle.config.AUTH_JWT_SECRET).not.toBe(a.handle.config.AUTH_REFRESH_SECRET);

    // A warning at boot that names the settings and never shows a value.
    for (const app of [a, b]) {
      const warning = app.logs.map((l) => JSON.parse(l)).find((l) => /signing secrets unset/.test(l.msg));
      expect(warning).toMatchObject({ level: 40, generated: ['AUTH_JWT_SECRET', 'AUTH_REFRESH_SECRET'] });
      const all = app.logs.join('\n');
      expect(all).not.toContain(a.handle.config.AUTH_JWT_SECRET);
      expect(all).not.toContain(a.handle.config.AUTH_REFRESH_SECRET);
    }

    // A new PostgreSQL database gets no seed at boot: the roles are all registering needs.
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    await db.query(`insert into role (role_id, name) values (1, 'Admin'), (2, 'User')`);
    await db.end();
    // Register on one instance, use the tokens on the other.
    const user = await registerAndLogin(client(a.url));
    expect((await client(b.url).get('/timer-api/members/me', { token: user.accessToken })).status).toBe(200);
    const refreshed = await client(b.url).post('/timer-api/auth/refresh', { token: user.refreshToken });
    expect(refreshed.status).toBe(200);

    await a.close();
    await b.close();
    const restarted = await instances.start(env);
    expect(restarted.handle.config.AUTH_JWT_SECRET).toBe(a.handle.config.AUTH_JWT_SECRET);
    const api = client(restarted.url);
    expect((await api.get('/timer-api/members/me', { token: refreshed.body.data.access_token })).status).toBe(200);
    expect((await api.post('/timer-api/auth/refresh', { token: refreshed.body.data.refresh_token })).status).toBe(200);
  });

  it('the secret the source used to fix no longer forges a token (NODE_ENV test, or development as when unset)', async () => {
    for (const NODE_ENV of ['test', 'development']) {
      const app = await instances.start({ NODE_ENV });
      const api = client(app.url);
      const admin = await login(api, 'admin@test.com');
      const forged = await sign(
        FORMER_FIXED_SECRET,
        { email: 'admin@test.com', role: { role_id: 1, name: 'Admin' } },
        admin.account.account_id,
      );
      const r = await api.get('/timer-api/accounts/' + admin.account.account_id, { token: forged });
      expect({ status: r.status, body: r.body }).toEqual({ status: 401, body: NEST_401 });
      expect((await api.get('/timer-api/members/me', { token: admin.access_token })).status).toBe(200);
      await app.close();
    }
  });

  it('secrets given in the environment are used as given', async () => {
    const secret = randomBytes(32).toString('hex');
    const app = await instances.start(
      { AUTH_JWT_SECRET: secret, AUTH_REFRESH_SECRET: randomBytes(32).toString('hex') },
      { captureLogs: true },
    );
    expect(app.handle.config.AUTH_JWT_SECRET).toBe(secret);
    expect(app.logs.some((l) => /signing secrets unset/.test(l))).toBe(false);
    const api = client(app.url);
    const user = await registerAndLogin(api);
    const own = await sign(secret, { email: null, role: { role_id: 2 } }, user.accountId);
    expect((await api.get('/timer-api/members/me', { token: own })).status).toBe(200);
  });
});

describe('a database that cannot keep generated secrets', () => {
  it('stops the boot naming the cause by its code, never by the driver message that carries the values', async () => {
    const database = await createScratchDatabase('secrets_refused');
    scratch.push(database);
    const first = await instances.start({
      DATABASE_URL: database.url,
      AUTH_JWT_SECRET: 'a'.repeat(40),
      AUTH_REFRESH_SECRET: 'b'.repeat(40),
    });
    await first.close();
    // Every insert into app_secret now fails; Drizzle's message for it lists the parameters: the new secrets.
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    await db.query('alter table app_secret add constraint refuse_all check (false) not valid');
    await db.end();
    const failure = await startApp({ DATABASE_URL: database.url }).then(
      () => new Error('booted'),
      (error: Error) => error,
    );
    expect(failure.message).toMatch(/AUTH_JWT_SECRET and AUTH_REFRESH_SECRET unset, .* database error 23514$/);
    expect(failure.message).not.toMatch(/params|[A-Za-z0-9_-]{64}/); // a generated value is 64 base64url characters
  });
});

describe('production', () => {
  it('refuses to boot without the secrets, naming the variable', async () => {
    await expect(startApp({ NODE_ENV: 'production' })).rejects.toThrow(/AUTH_JWT_SECRET: required in production/);
    await expect(
      startApp({ NODE_ENV: 'production', AUTH_JWT_SECRET: randomBytes(32).toString('hex') }),
    ).rejects.toThrow(/AUTH_REFRESH_SECRET: required in production/);
  });
});

describe('a token without exp', () => {
  it('is refused even when signed with the real secret', async () => {
    const app = await instances.start({});
    const api = client(app.url);
    const user = await registerAndLogin(api);
    const claims = { email: user.email, role: { role_id: 2, name: 'User' } };
    const secret = app.handle.config.AUTH_JWT_SECRET;
    expect((await api.get('/timer-api/members/me', { token: await sign(secret, claims, user.accountId) })).status).toBe(
      200,
    );
    const forever = await sign(secret, claims, user.accountId, false);
    const r = await api.get('/timer-api/members/me', { token: forever });
    expect({ status: r.status, body: r.body }).toEqual({ status: 401, body: NEST_401 });
  });
});
