import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { hashPassword } from '../auth/password.service.js';
import type { Db } from '../database/client.js';
import { account, member, refreshToken, studyStreak } from '../database/schema.js';

/** A production admin's password: 12–128 characters of at least three kinds (lower, upper, digit, other). */
export function adminPasswordProblem(password: string): string | undefined {
  if (password.length < 12 || password.length > 128) return 'the password needs 12 to 128 characters';
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (kinds < 3) return 'the password needs three of: lower-case, upper-case, digits, other characters';
  return undefined;
}

/**
 * Creates (or promotes) the admin account of `email` with a member and a streak; the first admin of a
 * production database, where no test accounts are seeded (SPEC §5). A promotion bumps the role and the
 * token generation, which running instances may hold in their guard cache for up to
 * `cacheTtlSeconds` (AUTH_CACHE_TTL_SECONDS; this process can't tell them), so it answers after that.
 */
export async function createAdmin(
  db: Db,
  email: string,
  password: string,
  cacheTtlSeconds = 5,
): Promise<'created' | 'promoted'> {
  const outcome = await writeAdmin(db, email, password);
  if (outcome === 'promoted' && cacheTtlSeconds > 0) await sleep(cacheTtlSeconds * 1000);
  return outcome;
}

async function writeAdmin(db: Db, email: string, password: string): Promise<'created' | 'promoted'> {
  const problem = adminPasswordProblem(password);
  if (problem) throw new Error(problem);
  const normalized = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normalized) || normalized.length > 255)
    throw new Error('not an e-mail address');
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const existing = await tx
      .select({ accountId: account.accountId, provider: account.provider })
      .from(account)
      .where(sql`lower(${account.email}) = ${normalized}`);
    let accountId = existing[0]?.accountId;
    if (accountId) {
      if (existing[0]!.provider !== 'email') throw new Error('that e-mail belongs to a social account');
      await tx
        .update(account)
        .set({
          roleId: 1,
          password: passwordHash,
          tokenGeneration: sql`${account.tokenGeneration} + 1`,
          updatedAt: sql`now()`,
        })
        .where(eq(account.accountId, accountId));
      // A reset password ends the sessions (and, by the generation above, the access tokens) of the old one.
      await tx
        .update(refreshToken)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(refreshToken.accountId, accountId), isNull(refreshToken.revokedAt)));
    } else {
      const inserted = await tx
        .insert(account)
        .values({ email: normalized, password: passwordHash, provider: 'email', roleId: 1 })
        .returning({ accountId: account.accountId });
      accountId = inserted[0]!.accountId;
    }
    const rows = await tx
      .insert(member)
      .values({ accountId, nickname: 'admin', imageUrl: '', statusMessage: '', point: 0 })
      .onConflictDoNothing({ target: member.accountId })
      .returning({ memberId: member.memberId });
    if (rows[0]) await tx.insert(studyStreak).values({ memberId: rows[0].memberId }).onConflictDoNothing();
    return existing.length ? 'promoted' : 'created';
  });
}
