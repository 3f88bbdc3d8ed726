import { Inject, Injectable } from '@nestjs/common';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { DATABASE, type Database, type DbOrTx, type Tx } from '../database/client.js';
import { account, member, role } from '../database/schema.js';

export interface AccountRow {
  accountId: string;
  email: string | null;
  password: string | null;
  provider: string;
  socialId: string | null;
  createdAt: Date;
  updatedAt: Date;
  role: { roleId: number; name: string };
  tokenGeneration: number;
}

/** What every authenticated request checks against the token: the live role and token generation. */
export interface AccountAccess {
  roleId: number;
  tokenGeneration: number;
}

export interface NewAccount {
  email: string | null;
  password: string | null;
  provider: 'email' | 'google' | 'kakao' | 'naver';
  socialId: string | null;
  roleId: number;
}

const columns = {
  accountId: account.accountId,
  email: account.email,
  password: account.password,
  provider: account.provider,
  socialId: account.socialId,
  createdAt: account.createdAt,
  updatedAt: account.updatedAt,
  role: { roleId: role.roleId, name: role.name },
  tokenGeneration: account.tokenGeneration,
};

/** All SQL on accounts and roles. Emails are stored lower-cased; lookups compare lower-cased. */
@Injectable()
export class AccountsRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  private get db() {
    return this.database.db;
  }

  private access?: { execute(values: { accountId: string }): Promise<AccountAccess[]> };

  /** The live-account check of every authenticated request (behind the guard cache): a named statement. */
  async findAccess(accountId: string, tx: DbOrTx = this.db): Promise<AccountAccess | undefined> {
    const query = (on: DbOrTx) =>
      on
        .select({ roleId: account.roleId, tokenGeneration: account.tokenGeneration })
        .from(account)
        .where(eq(account.accountId, sql.placeholder('accountId')))
        .limit(1);
    if (tx !== this.db) return (await query(tx).execute({ accountId }))[0];
    this.access ??= query(this.db).prepare('account_access');
    return (await this.access.execute({ accountId }))[0];
  }

  /** The live role and token generation of several accounts in one read (the guard cache's batched misses). */
  async findAccessMany(accountIds: string[]): Promise<Map<string, AccountAccess>> {
    const rows = await this.db
      .select({ accountId: account.accountId, roleId: account.roleId, tokenGeneration: account.tokenGeneration })
      .from(account)
      .where(inArray(account.accountId, accountIds));
    return new Map(rows.map(({ accountId, ...access }) => [accountId, access]));
  }

  /**
   * Locks the account's credentials until the transaction ends and returns them as they are now.
   * `share` lets sign-ins run side by side; `update` (taken by refresh, which may bump the generation)
   * serialises; either waits for, and is waited for by, a password change.
   */
  async lockCredentials(
    accountId: string,
    mode: 'share' | 'update',
    tx: Tx,
  ): Promise<{ tokenGeneration: number; password: string | null } | undefined> {
    const rows = await tx
      .select({ tokenGeneration: account.tokenGeneration, password: account.password })
      .from(account)
      .where(eq(account.accountId, accountId))
      .for(mode === 'share' ? 'share' : 'no key update');
    return rows[0];
  }

  /** Ends every access token issued so far (a reused refresh chain). */
  async bumpTokenGeneration(accountId: string, tx: DbOrTx = this.db): Promise<void> {
    await tx
      .update(account)
      .set({ tokenGeneration: sql`${account.tokenGeneration} + 1` })
      .where(eq(account.accountId, accountId));
  }

  async findById(accountId: string, tx: DbOrTx = this.db): Promise<AccountRow | undefined> {
    const rows = await tx
      .select(columns)
      .from(account)
      .innerJoin(role, eq(role.roleId, account.roleId))
      .where(eq(account.accountId, accountId))
      .limit(1);
    return rows[0];
  }

  async findByEmail(email: string, tx: DbOrTx = this.db): Promise<AccountRow | undefined> {
    const rows = await tx
      .select(columns)
      .from(account)
      .innerJoin(role, eq(role.roleId, account.roleId))
      .where(sql`lower(${account.email}) = ${email.toLowerCase()}`)
      .limit(1);
    return rows[0];
  }

  async findBySocial(provider: string, socialId: string, tx: DbOrTx = this.db): Promise<AccountRow | undefined> {
    const rows = await tx
      .select(columns)
      .from(account)
      .innerJoin(role, eq(role.roleId, account.roleId))
      .where(and(eq(account.provider, provider), eq(account.socialId, socialId)))
      .limit(1);
    return rows[0];
  }

  /** Inserts unless the e-mail or the social identity is taken; returns the new id or undefined. */
  async insert(data: NewAccount, tx: DbOrTx = this.db): Promise<string | undefined> {
    const rows = await tx
      .insert(account)
      .values({ ...data, email: data.email?.toLowerCase() ?? null })
      .onConflictDoNothing()
      .returning({ accountId: account.accountId });
    return rows[0]?.accountId;
  }

  async update(
    accountId: string,
    patch: { email?: string; password?: string; roleId?: number },
    tx: DbOrTx = this.db,
  ): Promise<boolean> {
    const rows = await tx
      .update(account)
      .set({ ...patch, ...(patch.email ? { email: patch.email.toLowerCase() } : {}), updatedAt: sql`now()` })
      .where(eq(account.accountId, accountId))
      .returning({ accountId: account.accountId });
    return rows.length > 0;
  }

  /**
   * Erases the account; the member and everything it owns go with it (ON DELETE CASCADE). One
   * statement, so the member id it reports is the one that was erased.
   */
  async delete(accountId: string, tx: DbOrTx = this.db): Promise<{ memberId: string | null } | undefined> {
    const result = (await tx.execute(sql`
      with gone as (delete from ${account} where ${account.accountId} = ${accountId} returning ${account.accountId})
      select (select ${member.memberId} from ${member} where ${member.accountId} = ${accountId}) as "memberId"
      from gone
    `)) as unknown as { rows: { memberId: string | null }[] };
    return result.rows[0];
  }

  async roleExists(roleId: number, tx: DbOrTx = this.db): Promise<boolean> {
    const rows = await tx.select({ roleId: role.roleId }).from(role).where(eq(role.roleId, roleId)).limit(1);
    return rows.length > 0;
  }
}
