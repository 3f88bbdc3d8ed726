import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { useApp } from './support/app.js';
import { client, uniqueEmail } from './support/http.js';

// Production seeds no test accounts, so the first production admin comes from a CLI that reads (or
// asks for) a strong password.
const run = promisify(execFile);

async function adminCreate(email: string, password: string) {
  try {
    const { stdout } = await run(process.execPath, ['dist/cli.js', 'admin', email], {
      env: {
        ...process.env,
        DATABASE_URL: inject('databaseUrl'),
        MONTA_ADMIN_PASSWORD: password,
        NODE_ENV: 'production',
        AUTH_JWT_SECRET: 'a'.repeat(40),
        AUTH_REFRESH_SECRET: 'b'.repeat(40),
      },
    });
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, out: e.stderr };
  }
}

const app = useApp();

describe('admin:create', () => {
  it('refuses a weak password and creates nothing', async () => {
    const email = uniqueEmail('boss');
    const r = await adminCreate(email, 'qwer1234');
    expect(r.code).toBe(1);
    expect(r.out).toContain('Failed: the password needs 12 to 128 characters');
    const login = await client(app.url).post('/timer-api/auth/email/login', { json: { email, password: 'qwer1234' } });
    expect(login.status).toBe(404);
  });

  it('creates an admin who can use admin routes; run again it promotes and resets the password', async () => {
    const email = uniqueEmail('boss');
    const first = await adminCreate(email, 'Str0ng-enough-pw');
    expect(first).toMatchObject({ code: 0, out: expect.stringContaining('Admin created.') });
    const api = client(app.url);
    const login = await api.post('/timer-api/auth/email/login', { json: { email, password: 'Str0ng-enough-pw' } });
    expect(login.status).toBe(200);
    expect(login.body.data.account.role).toEqual({ role_id: 1, name: 'Admin' });
    expect((await api.get('/timer-api/members', { token: login.body.data.access_token })).status).toBe(200);

    const again = await adminCreate(email, 'An0ther-strong-pw');
    expect(again.out).toContain('Admin promoted.');
    const relogin = await api.post('/timer-api/auth/email/login', { json: { email, password: 'An0ther-strong-pw' } });
    expect(relogin.status).toBe(200);
  });
});
