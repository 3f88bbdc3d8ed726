import { setTimeout as sleep } from 'node:timers/promises';
import { hashPassword } from '../auth/password.service.js';
import { RefreshTokenRepository } from '../auth/refresh-token.repository.js';
import { ADMIN_ROLE_ID } from '../auth/authenticator.js';
import type { Database } from '../database/client.js';
import { MembersRepository } from '../members/members.repository.js';
import { AccountsRepository } from './accounts.repository.js';

/** A production admin's password: 12–128 characters of at least three kinds (lower, upper, digit, other). */
export function adminPasswordProblem(password: string): string | undefined {
  if (password.length < 12 || password.length > 128) return 'the password needs 12 to 128 characters';
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (kinds < 3) return 'the password needs three of: lower-case, upper-case, digits, other characters';
  return undefined;
}

/**
 * Creates (or promotes) the admin account of `email` with a member and a streak; the first admin of a
 * production database, where no test accounts are seeded. A promotion bumps the role and the
 * token generation, which running instances may hold in their guard cache for up to
 * `cacheTtlSeconds` (AUTH_CACHE_TTL_SECONDS; this process can't tell them), so it answers after that.
 */
export async function createAdmin(
  database: Database,
  email: string,
  password: string,
  cacheTtlSeconds = 5,
): Promise<'created' | 'promoted'> {
  const outcome = await writeAdmin(database, email, password);
  if (outcome === 'promoted' && cacheTtlSeconds > 0) await sleep(cacheTtlSeconds * 1000);
  return outcome;
}

async function writeAdmin(database: Database, email: string, password: string): Promise<'created' | 'promoted'> {
  const problem = adminPasswordProblem(password);
  if (problem) throw new Error(problem);
  const normalized = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normalized) || normalized.length > 255)
    throw new Error('not an e-mail address');
  const passwordHash = await hashPassword(password);
  const accounts = new AccountsRepository(database);
  const members = new MembersRepository(database);
  const refreshTokens = new RefreshTokenRepository(database);
  return database.db.transaction(async (tx) => {
    const existing = await accounts.findByEmail(normalized, tx);
    let accountId = existing?.accountId;
    if (existing) {
      if (existing.provider !== 'email') throw new Error('that e-mail belongs to a social account');
      await accounts.update(existing.accountId, { roleId: ADMIN_ROLE_ID, password: passwordHash }, tx);
      // A reset password ends the sessions and the access tokens of the old one.
      await accounts.bumpTokenGeneration(existing.accountId, tx);
      await refreshTokens.revokeAccount(existing.accountId, new Date(), tx);
    } else {
      accountId = await accounts.insert(
        { email: normalized, password: passwordHash, provider: 'email', socialId: null, roleId: ADMIN_ROLE_ID },
        tx,
      );
      if (!accountId) throw new Error('that e-mail was registered meanwhile; run the command again');
    }
    await members.createWithStreak({ accountId: accountId!, nickname: 'admin', point: 0 }, tx);
    return existing ? 'promoted' : 'created';
  });
}
