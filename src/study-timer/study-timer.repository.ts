import { Injectable } from '@nestjs/common';
import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Tx } from '../database/client.js';
import { MAX_SESSION_HOURS_EVER } from '../config/config.js';
import { member, studyRecord } from '../database/schema.js';

export type RecordRow = typeof studyRecord.$inferSelect;

/** All SQL of the timer: the running record (the member row lock is MembersRepository's). */
@Injectable()
export class StudyTimerRepository {
  /** A new start discards a running session, as the original did: it counts for nothing. */
  async discardRunning(memberId: string, at: Date, tx: Tx): Promise<void> {
    await tx
      .update(studyRecord)
      .set({ deletedAt: at, updatedAt: sql`now()` })
      .where(and(eq(studyRecord.memberId, memberId), isNull(studyRecord.endTime), isNull(studyRecord.deletedAt)));
  }

  async start(memberId: string, categoryId: number | null, at: Date, clientId: string | null, tx: Tx): Promise<number> {
    const [row] = await tx
      .insert(studyRecord)
      .values({ memberId, studyCategoryId: categoryId, startTime: at, clientId })
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

  async end(
    memberId: string,
    recordId: number,
    endTime: Date,
    status: string,
    endClientId: string | null,
    tx: Tx,
  ): Promise<void> {
    await tx
      .update(studyRecord)
      .set({ endTime, status, endClientId, updatedAt: sql`now()` })
      .where(eq(studyRecord.studyRecordId, recordId));
    await tx
      .update(member)
      .set({ activeRecordId: null, updatedAt: sql`now()` })
      .where(eq(member.memberId, memberId));
  }

  /** The member's record made by the request with this client id (upload or timer start), if any. */
  async findByClientId(memberId: string, clientId: string, tx: Tx): Promise<RecordRow | undefined> {
    const rows = await tx
      .select()
      .from(studyRecord)
      .where(and(eq(studyRecord.memberId, memberId), eq(studyRecord.clientId, clientId)));
    return rows[0];
  }

  /** The member's record ended by the request with this client id, if any. */
  async findByEndClientId(memberId: string, endClientId: string, tx: Tx): Promise<RecordRow | undefined> {
    const rows = await tx
      .select()
      .from(studyRecord)
      .where(and(eq(studyRecord.memberId, memberId), eq(studyRecord.endClientId, endClientId)));
    return rows[0];
  }

  /**
   * Whether a live session shares time with [start, end) (touching is fine); the running one spans up
   * to its cap, the latest end it can get.
   */
  async overlaps(memberId: string, start: Date, end: Date, capHours: number, tx: Tx): Promise<boolean> {
    const rows = await tx
      .select({ id: studyRecord.studyRecordId })
      .from(studyRecord)
      .where(
        and(
          eq(studyRecord.memberId, memberId),
          isNull(studyRecord.deletedAt),
          lt(studyRecord.startTime, end),
          sql`coalesce(${studyRecord.endTime}, ${studyRecord.startTime} + ${`${capHours} hours`}::interval) > ${start.toISOString()}::timestamptz`,
          // Bounds the (member_id, start_time) scan: no session is longer than the largest cap.
          gt(
            studyRecord.startTime,
            sql`${start.toISOString()}::timestamptz - ${`${MAX_SESSION_HOURS_EVER} hours`}::interval`,
          ),
        ),
      )
      .limit(1);
    return rows.length > 0;
  }

  /** Stores an uploaded session; undefined when a record with its client id exists already. */
  async insertOffline(
    values: { memberId: string; clientId: string; start: Date; end: Date; status: string; categoryId: number | null },
    tx: Tx,
  ): Promise<RecordRow | undefined> {
    const rows = await tx
      .insert(studyRecord)
      .values({
        memberId: values.memberId,
        clientId: values.clientId,
        studyCategoryId: values.categoryId,
        startTime: values.start,
        endTime: values.end,
        status: values.status,
        source: 'offline',
      })
      .onConflictDoNothing({ target: [studyRecord.memberId, studyRecord.clientId] })
      .returning();
    return rows[0];
  }
}
