import { startApp, type TestApp } from './app.js';
import { type BadToken, badAuthorizations } from './bad-input.js';
import { client, type Client, login, registerAndLogin, uniqueEmail } from './http.js';
import { type Db, openDb } from './db.js';

export type Member = Awaited<ReturnType<typeof registerAndLogin>>;

export interface BadInputSuite {
  app: TestApp;
  api: Client;
  db: Db;
  /** The caller of the rows, and another member whose data must not change either. */
  me: Member;
  other: Member;
  /** The Authorization header of each bad credential (forged ones claim the seeded admin). */
  bad: Record<BadToken, string | undefined>;
  /** The access token of an account that never called /members/me, so it has no member row. */
  noMember: string;
}

/** What every bad-input table starts from: the server, a database handle and the callers. */
export async function startBadInputSuite(): Promise<BadInputSuite> {
  const app = await startApp();
  const api = client(app.url);
  const db = openDb();
  const admin = await login(api, 'admin@test.com');
  const me = await registerAndLogin(api);
  const other = await registerAndLogin(api);
  const bad = await badAuthorizations(app.handle.config.AUTH_JWT_SECRET, admin.account.account_id, me);
  const reg = await api.post('/timer-api/auth/email/register', {
    json: { email: uniqueEmail('bare'), password: 'qwer1234' },
  });
  return { app, api, db, me, other, bad, noMember: reg.body.data.access_token as string };
}
