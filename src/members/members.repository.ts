import { Inject, Injectable } from '@nestjs/common';
import { eq, sql } from 'drizzle-orm';
import { DATABASE, type Database, type DbOrTx } from '../database/client.js';
import { member, studyStreak } from '../database/schema.js';

export type MemberRow = typeof member.$inferSelect;

/** All SQL on members (and the streak row every member has). */
@Injectable()
export class MembersRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  private get db() {
    return this.database.db;
  }

  async findByAccount(accountId: string, tx: DbOrTx = this.db): Promise<MemberRow | undefined> {
    const rows = await tx.select().from(member).where(eq(member.accountId, accountId)).limit(1);
    return rows[0];
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

  async listAll(tx: DbOrTx = this.db): Promise<MemberRow[]> {
    return tx.select().from(member).orderBy(member.createdAt);
  }
}
