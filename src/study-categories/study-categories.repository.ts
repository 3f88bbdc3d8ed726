import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm';
import { DATABASE, type Database, type DbOrTx } from '../database/client.js';
import { studyCategory, studyRecord } from '../database/schema.js';

export type CategoryRow = typeof studyCategory.$inferSelect;

/** All SQL on study categories. Only live (not soft-deleted) categories are ever read. */
@Injectable()
export class StudyCategoriesRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  private get db() {
    return this.database.db;
  }

  async list(memberId: string): Promise<CategoryRow[]> {
    return this.db
      .select()
      .from(studyCategory)
      .where(and(eq(studyCategory.memberId, memberId), isNull(studyCategory.deletedAt)))
      .orderBy(asc(studyCategory.studyCategoryId));
  }

  /** The member's live category with this id, without a lock (what a request sees as it arrives). */
  async peekOwned(memberId: string, id: number): Promise<CategoryRow | undefined> {
    return (await this.owned(memberId, id, this.db))[0];
  }

  /** The member's live category with this id, locked for the rest of the transaction. */
  async findOwned(memberId: string, id: number, tx: DbOrTx = this.db): Promise<CategoryRow | undefined> {
    return (await this.owned(memberId, id, tx).for('update'))[0];
  }

  private owned(memberId: string, id: number, tx: DbOrTx) {
    return tx
      .select()
      .from(studyCategory)
      .where(
        and(
          eq(studyCategory.studyCategoryId, id),
          eq(studyCategory.memberId, memberId),
          isNull(studyCategory.deletedAt),
        ),
      );
  }

  async findBySubject(memberId: string, subject: string, tx: DbOrTx = this.db): Promise<CategoryRow | undefined> {
    const rows = await tx
      .select()
      .from(studyCategory)
      .where(
        and(eq(studyCategory.memberId, memberId), eq(studyCategory.subject, subject), isNull(studyCategory.deletedAt)),
      );
    return rows[0];
  }

  /** Inserts unless the member has a live category with that subject; undefined then. */
  async insert(memberId: string, subject: string, tx: DbOrTx = this.db): Promise<CategoryRow | undefined> {
    const rows = await tx
      .insert(studyCategory)
      .values({ memberId, subject })
      .onConflictDoNothing({
        target: [studyCategory.memberId, studyCategory.subject],
        where: sql`${studyCategory.deletedAt} is null`,
      })
      .returning();
    return rows[0];
  }

  async rename(id: number, subject: string, tx: DbOrTx = this.db): Promise<void> {
    await tx.update(studyCategory).set({ subject }).where(eq(studyCategory.studyCategoryId, id));
  }

  async softDelete(id: number, at: Date, tx: DbOrTx = this.db): Promise<void> {
    await tx.update(studyCategory).set({ deletedAt: at }).where(eq(studyCategory.studyCategoryId, id));
  }

  /** Points every record of `fromId` at `toId` (the merge of a rename onto an existing subject). */
  async moveRecords(memberId: string, fromId: number, toId: number, tx: DbOrTx = this.db): Promise<void> {
    await tx
      .update(studyRecord)
      .set({ studyCategoryId: toId, updatedAt: sql`now()` })
      .where(
        and(
          eq(studyRecord.memberId, memberId),
          eq(studyRecord.studyCategoryId, fromId),
          ne(studyRecord.studyCategoryId, toId),
        ),
      );
  }
}
