import { eq, sql } from 'drizzle-orm';
import { hashPassword } from '../auth/password.service.js';
import type { Db } from '../database/client.js';
import { account, member, role, studyStreak } from '../database/schema.js';
import { seedCatalogue } from './catalogue.js';

export const SEED_ROLES = [
  { roleId: 1, name: 'Admin' },
  { roleId: 2, name: 'User' },
];

/** The original's test accounts; never seeded with NODE_ENV=production. */
export const TEST_ACCOUNTS = [
  { email: 'admin@test.com', password: 'qwer1234', roleId: 1, nickname: 'admin' },
  { email: 'user@test.com', password: 'qwer1234', roleId: 2, nickname: 'user' },
];
const TEST_MEMBER_POINTS = 10000;

export interface SeedOptions {
  production: boolean;
  /** The service's origin (`PUBLIC_URL`): catalogue images are absolute URLs under it (see seedCatalogue). */
  publicUrl?: string;
}

/** Idempotent: a second run changes nothing. The catalogue is seeded in production too. */
export async function seed(db: Db, options: SeedOptions): Promise<void> {
  await db.insert(role).values(SEED_ROLES).onConflictDoNothing();
  await seedCatalogue(db, options.publicUrl);
  if (options.production) return;
  for (const a of TEST_ACCOUNTS) {
    await db.transaction(async (tx) => {
      const existing = await tx
        .select({ accountId: account.accountId })
        .from(account)
        .where(sql`lower(${account.email}) = ${a.email}`);
      let accountId = existing[0]?.accountId;
      if (!accountId) {
        const password = await hashPassword(a.password);
        const inserted = await tx
          .insert(account)
          .values({ email: a.email, password, provider: 'email', roleId: a.roleId })
          .onConflictDoNothing()
          .returning({ accountId: account.accountId });
        accountId = inserted[0]?.accountId;
        if (!accountId) return; // a parallel seeder won
      }
      const members = await tx
        .select({ memberId: member.memberId })
        .from(member)
        .where(eq(member.accountId, accountId));
      let memberId = members[0]?.memberId;
      if (!memberId) {
        const inserted = await tx
          .insert(member)
          .values({ accountId, nickname: a.nickname, imageUrl: '', statusMessage: '', point: TEST_MEMBER_POINTS })
          .onConflictDoNothing()
          .returning({ memberId: member.memberId });
        memberId = inserted[0]?.memberId;
      }
      if (memberId) await tx.insert(studyStreak).values({ memberId }).onConflictDoNothing();
    });
  }
}
