import { Injectable } from '@nestjs/common';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../database/client.js';
import { member, studyRecord } from '../database/schema.js';

export type RecordRow = typeof studyRecord.$inferSelect;

/** All SQL of the timer: the member row lock and the running record. */
@Injectable()
export class StudyTimerRepository {
  /** The caller's member, locked: starts and ends of one member run one at a time. */
  async lockMember(
    accountId: string,
    tx: Tx,
  ): Promise<{ memberId: string; activeRecordId: number | null } | undefined> {
    const rows = await tx
      .select({ memberId: member.memberId, activeRecordId: member.activeRecordId })
      .from(member)
      .where(eq(member.accountId, accountId))
      // `no key update`: see ShopRepository.lockMember.
      .for('no key update');
    return rows[0];
  }

  /** A new start discards a running session, as the original did: it counts for nothing. */
  async discardRunning(memberId: string, at: Date, tx: Tx): Promise<void> {
    await tx
      .update(studyRecord)
      .set({ deletedAt: at })
      .where(and(eq(studyRecord.memberId, memberId), isNull(studyRecord.endTime), isNull(studyRecord.deletedAt)));
  }

  async start(memberId: string, categoryId: number | null, at: Date, tx: Tx): Promise<number> {
    const [row] = await tx
      .insert(studyRecord)
      .values({ memberId, studyCategoryId: categoryId, startTime: at })
      .returning({ id: studyRecord.studyRecordId });
    await tx
      .update(member)
      .set({ activeRecordId: row!.id, updatedAt: sql`now()` })
      .where(eq(member.memberId, memberId));
    return row!.id;
  }

  async findRunning(memberId: string, recordId: number, tx: Tx): Promise<RecordRow | undefined> {
    const rows = await tx
      .select()
      .from(studyRecord)
      .where(
        and(
          eq(studyRecord.studyRecordId, recordId),
          eq(studyRecord.memberId, memberId),
          isNull(studyRecord.endTime),
          isNull(studyRecord.deletedAt),
        ),
      );
    return rows[0];
  }

  async end(memberId: string, recordId: number, endTime: Date, status: string, tx: Tx): Promise<void> {
    await tx.update(studyRecord).set({ endTime, status }).where(eq(studyRecord.studyRecordId, recordId));
    await tx
      .update(member)
      .set({ activeRecordId: null, updatedAt: sql`now()` })
      .where(eq(member.memberId, memberId));
  }
}
