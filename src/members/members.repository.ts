import { Inject, Injectable } from '@nestjs/common';
import { eq, inArray, sql } from 'drizzle-orm';
import { DATABASE, type Database, type DbOrTx, type Tx } from '../database/client.js';
import { member, studyStreak } from '../database/schema.js';

export type MemberRow = typeof member.$inferSelect;
/** What the member lock's holders read under it: the balance (the shop) and the running record (the timer). */
export interface LockedMember {
  memberId: string;
  point: number;
  activeRecordId: number | null;
}

/** All SQL on members (and the streak row every member has). */
@Injectable()
export class MembersRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  private get db() {
    return this.database.db;
  }

  /** Built once, run as a named (server-side prepared) statement: the read of every `members/me`. */
  private byAccount?: { execute(values: { accountId: string }): Promise<MemberRow[]> };

  async findByAccount(accountId: string, tx: DbOrTx = this.db): Promise<MemberRow | undefined> {
    if (tx !== this.db) return (await tx.select().from(member).where(eq(member.accountId, accountId)).limit(1))[0];
    this.byAccount ??= this.db
      .select()
      .from(member)
      .where(eq(member.accountId, sql.placeholder('accountId')))
      .limit(1)
      .prepare('member_by_account');
    return (await this.byAccount.execute({ accountId }))[0];
  }

  /** The members of several accounts in one read, by account id (the socket joins' batched reads). */
  async findByAccounts(accountIds: string[]): Promise<Map<string, MemberRow>> {
    const rows = await this.db.select().from(member).where(inArray(member.accountId, accountIds));
    return new Map(rows.map((row) => [row.accountId, row]));
  }

  async findIdByAccount(accountId: string, tx: DbOrTx = this.db): Promise<string | undefined> {
    const rows = await tx
      .select({ memberId: member.memberId })
      .from(member)
      .where(eq(member.accountId, accountId))
      .limit(1);
    return rows[0]?.memberId;
  }

  async exists(memberId: string, tx: DbOrTx = this.db): Promise<boolean> {
    const rows = await tx.select({ id: member.memberId }).from(member).where(eq(member.memberId, memberId)).limit(1);
    return rows.length > 0;
  }

  /**
   * Creates the member and its streak unless the account already has one; parallel first calls of
   * one account end with exactly one member. Returns the row only when this call created it.
   */
  async createWithStreak(
    data: { accountId: string; nickname: string; point: number },
    tx: DbOrTx = this.db,
  ): Promise<MemberRow | undefined> {
    const rows = await tx
      .insert(member)
      .values({ ...data, imageUrl: '', statusMessage: '' })
      .onConflictDoNothing({ target: member.accountId })
      .returning();
    const created = rows[0];
    if (created) {
      await tx.insert(studyStreak).values({ memberId: created.memberId }).onConflictDoNothing();
    }
    return created;
  }

  async update(
    memberId: string,
    patch: { nickname?: string; imageUrl?: string | null; statusMessage?: string; rankingOptOut?: boolean },
    tx: DbOrTx = this.db,
  ): Promise<void> {
    await tx
      .update(member)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(eq(member.memberId, memberId));
  }

  /**
   * The member row, locked until the transaction ends: the shop, the timer, offline uploads and the
   * categories take it first, so one member's changes run one at a time on any number of instances.
   * Only non-key columns change, so `no key update` is enough, and it doesn't block foreign-key checks
   * of rows inserted for the member elsewhere (a streak created by a read), which with `update` could
   * deadlock against the holder. Undefined when there is no such member.
   */
  async lock(by: { accountId: string } | { memberId: string }, tx: Tx): Promise<LockedMember | undefined> {
    const rows = await tx
      .select({ memberId: member.memberId, point: member.point, activeRecordId: member.activeRecordId })
      .from(member)
      .where('accountId' in by ? eq(member.accountId, by.accountId) : eq(member.memberId, by.memberId))
      .for('no key update');
    return rows[0];
  }

  async listAll(tx: DbOrTx = this.db): Promise<MemberRow[]> {
    return tx.select().from(member).orderBy(member.createdAt);
  }
}
