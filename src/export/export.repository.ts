import { Injectable } from '@nestjs/common';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../database/client.js';
import {
  account,
  character,
  characterInventory,
  item,
  itemInventory,
  member,
  palette,
  role,
  studyCategory,
  studyRecord,
  studyStreak,
  transactionRecord,
} from '../database/schema.js';

export type MemberRow = typeof member.$inferSelect;
export type RecordRow = typeof studyRecord.$inferSelect;
export type TransactionRow = typeof transactionRecord.$inferSelect;
export interface RecordWithCategory {
  record: RecordRow;
  subject: string | null;
  /** start_time as PostgreSQL writes it: microseconds kept, which a JS Date would cut to milliseconds. */
  exactStart: string;
}
/** Where the previous batch of study records stopped: its last (start_time, id). */
export interface RecordCursor {
  exactStart: string;
  id: number;
}

/**
 * The export's reads. Every read takes the transaction (the snapshot) last; the long lists are read
 * in keyset batches, so no statement runs long and memory holds one batch at a time.
 */
@Injectable()
export class ExportRepository {
  /**
   * The batches are ranges of an index already in the order asked for; without fresh statistics (a
   * bulk import) the planner may instead read every remaining row and sort it, for every batch.
   */
  async preferIndexOrder(tx: Tx): Promise<void> {
    await tx.execute(sql`set local enable_sort = off`);
    await tx.execute(sql`set local enable_bitmapscan = off`);
  }

  async account(accountId: string, tx: DbOrTx) {
    // Named columns: the password hash and the token generation never leave the database here.
    const rows = await tx
      .select({
        accountId: account.accountId,
        email: account.email,
        provider: account.provider,
        socialId: account.socialId,
        roleId: role.roleId,
        roleName: role.name,
        createdAt: account.createdAt,
        updatedAt: account.updatedAt,
      })
      .from(account)
      .innerJoin(role, eq(role.roleId, account.roleId))
      .where(eq(account.accountId, accountId))
      .limit(1);
    return rows[0];
  }

  async member(memberId: string, tx: DbOrTx): Promise<MemberRow | undefined> {
    const rows = await tx.select().from(member).where(eq(member.memberId, memberId)).limit(1);
    return rows[0];
  }

  async streak(memberId: string, tx: DbOrTx) {
    const rows = await tx
      .select({ streak: studyStreak, palette })
      .from(studyStreak)
      .leftJoin(palette, eq(palette.paletteId, studyStreak.paletteId))
      .where(eq(studyStreak.memberId, memberId))
      .limit(1);
    return rows[0];
  }

  categories(memberId: string, tx: DbOrTx) {
    return tx
      .select()
      .from(studyCategory)
      .where(eq(studyCategory.memberId, memberId))
      .orderBy(asc(studyCategory.studyCategoryId));
  }

  itemInventory(memberId: string, tx: DbOrTx) {
    return tx
      .select({ row: itemInventory, item })
      .from(itemInventory)
      .leftJoin(item, eq(item.itemId, itemInventory.itemId))
      .where(eq(itemInventory.memberId, memberId))
      .orderBy(asc(itemInventory.itemInventoryId));
  }

  characterInventory(memberId: string, tx: DbOrTx) {
    return tx
      .select({ row: characterInventory, character })
      .from(characterInventory)
      .leftJoin(character, eq(character.characterId, characterInventory.characterId))
      .where(eq(characterInventory.memberId, memberId))
      .orderBy(asc(characterInventory.characterInventoryId));
  }

  /** The next batch after `after`, in (start_time, id) order: one index range, however many records. */
  async records(memberId: string, after: RecordCursor | undefined, limit: number, tx: DbOrTx) {
    const rows: RecordWithCategory[] = await tx
      .select({
        record: studyRecord,
        subject: studyCategory.subject,
        exactStart: sql<string>`${studyRecord.startTime}::text`,
      })
      .from(studyRecord)
      .leftJoin(studyCategory, eq(studyCategory.studyCategoryId, studyRecord.studyCategoryId))
      .where(
        and(
          eq(studyRecord.memberId, memberId),
          // A row comparison: one range of study_record_member_start_id_idx, no sort.
          after
            ? sql`(${studyRecord.startTime}, ${studyRecord.studyRecordId}) > (${after.exactStart}::timestamptz, ${after.id})`
            : undefined,
        ),
      )
      .orderBy(asc(studyRecord.startTime), asc(studyRecord.studyRecordId))
      .limit(limit);
    return rows;
  }

  transactions(memberId: string, afterId: number, limit: number, tx: DbOrTx): Promise<TransactionRow[]> {
    return tx
      .select()
      .from(transactionRecord)
      .where(and(eq(transactionRecord.memberId, memberId), gt(transactionRecord.transactionRecordId, afterId)))
      .orderBy(asc(transactionRecord.transactionRecordId))
      .limit(limit);
  }
}
