import type pg from 'pg';
import { hashPassword } from '../../src/auth/password.service.js';
import { TokenService } from '../../src/auth/token.service.js';
import { SystemClock } from '../../src/common/clock.js';
import { loadConfig } from '../../src/config/config.js';
import type { HttpClient } from './http.js';
import { BENCH_SECRETS } from './proc.js';

export interface BenchMember {
  email: string;
  accountId: string;
  memberId: string;
  token: string;
}

export const API = '/timer-api';
const PASSWORD = 'bench-password-1234';

/**
 * `count` accounts (`<prefix>-000001@example.com` …, role User, no password), a member (nickname:
 * the address's local part) and a streak each, by SQL in three statements: no Argon2 spent on set-up.
 * In the order of their e-mail addresses; `token` is empty (see signTokens and logIn).
 */
export async function insertMembers(client: pg.Client, prefix: string, count: number): Promise<BenchMember[]> {
  await client.query(
    `insert into account (email, password, provider, role_id)
     select format('%s-%s@example.com', $1::text, lpad(i::text, 6, '0')), null, 'email', 2 from generate_series(1, $2::int) i`,
    [prefix, count],
  );
  const rows = await client.query<{ email: string; account_id: string; member_id: string }>(
    `with m as (
       insert into member (account_id, nickname, image_url, status_message, point)
       select account_id, split_part(email, '@', 1), '', '', 0 from account where email like $1 order by email
       returning member_id, account_id),
     s as (insert into study_streak (member_id) select member_id from m)
     select a.email, m.account_id, m.member_id from m join account a using (account_id) order by a.email`,
    [`${prefix}-%@example.com`],
  );
  return rows.rows.map((r) => ({ email: r.email, accountId: r.account_id, memberId: r.member_id, token: '' }));
}

/** Access tokens signed as monta-server signs them, with the secret every bench server gets (generation 0). */
export async function signTokens(members: BenchMember[]): Promise<BenchMember[]> {
  const config = { ...loadConfig({ AUTH_JWT_TOKEN_EXPIRES_IN: '14400' }), ...BENCH_SECRETS };
  const tokens = new TokenService(config, new SystemClock());
  const role = { role_id: 2, name: 'User' };
  const sign = (m: BenchMember) => tokens.signAccess({ sub: m.accountId, email: m.email, role, gen: 0 });
  return Promise.all(members.map(async (m) => ({ ...m, token: (await sign(m)).token })));
}

/** Gives the accounts PASSWORD (one Argon2id hash) and logs each in through the API, one after the other. */
export async function logIn(client: pg.Client, http: HttpClient, members: BenchMember[]): Promise<BenchMember[]> {
  const ids = members.map((m) => m.accountId);
  await client.query('update account set password = $1 where account_id = any($2::uuid[])', [
    await hashPassword(PASSWORD),
    ids,
  ]);
  const logged: BenchMember[] = [];
  for (const m of members) {
    const body = JSON.stringify({ email: m.email, password: PASSWORD });
    const data = await http.data<{ access_token: string }>('POST', `${API}/auth/email/login`, { body });
    logged.push({ ...m, token: data.access_token });
  }
  return logged;
}
