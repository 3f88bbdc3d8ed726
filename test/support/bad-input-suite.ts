import { beforeAll } from 'vitest';
import { useApp, type UsedApp } from './app.js';
import { type Auth, type BadToken, badAuthorizations } from './bad-input.js';
import { type Client, login, registerAndLogin, uniqueEmail } from './http.js';
import { type Db, useDb } from './db.js';

export type Member = Awaited<ReturnType<typeof registerAndLogin>>;

/** Who sends a row: the callers of `Auth`, or an account that has no member row. */
export type Sender = Auth | 'nomember';

interface Callers {
  me: Member;
  other: Member;
  bad: Record<BadToken, string | undefined>;
  noMember: string;
}

/** The seeded admin, two members, every bad credential and an account without a member row. */
async function callers(api: Client, accessSecret: string): Promise<Callers> {
  const admin = await login(api, 'admin@test.com');
  const me = await registerAndLogin(api);
  const other = await registerAndLogin(api);
  const bad = await badAuthorizations(accessSecret, admin.account.account_id, me);
  const reg = await api.post('/timer-api/auth/email/register', {
    json: { email: uniqueEmail('bare'), password: 'qwer1234' },
  });
  return { me, other, bad, noMember: reg.body.data.access_token as string };
}

export interface UsedBadInputSuite {
  app: UsedApp;
  api: Client;
  db: Db;
  /** The caller of the rows, and another member whose data must not change either. Filled in by beforeAll. */
  me: Member;
  other: Member;
  /** The Authorization header a row's sender sends (forged credentials claim the seeded admin). */
  authorization(sender: Sender): string | undefined;
}

/**
 * What every bad-input table starts from: the server, a database pool and the callers, set up in
 * `beforeAll` and closed in `afterAll`, both registered here. `me` and `other` are the same objects
 * before and after, so they can be destructured at collection time and read in tests and later hooks.
 */
export function useBadInputSuite(): UsedBadInputSuite {
  const db = useDb();
  const app = useApp();
  const me = {} as Member;
  const other = {} as Member;
  let found: Callers | undefined;
  beforeAll(async () => {
    found = await callers(app.api, app.handle.config.AUTH_JWT_SECRET);
    Object.assign(me, found.me);
    Object.assign(other, found.other);
  });
  const authorization = (sender: Sender): string | undefined => {
    if (!found) throw new Error('useBadInputSuite: the callers exist from beforeAll on');
    if (sender === 'none') return undefined;
    if (typeof sender === 'object') return found.bad[sender.bad];
    if (sender === 'nomember') return `Bearer ${found.noMember}`;
    if (sender === 'self') return `Bearer ${me.accessToken}`;
    if (sender === 'other') return `Bearer ${other.accessToken}`;
    throw new Error(`no ${sender} in this suite`);
  };
  return { app, api: app.api, db, me, other, authorization };
}
