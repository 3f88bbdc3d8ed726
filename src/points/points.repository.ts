import { Injectable } from '@nestjs/common';
import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../database/client.js';
import { INT4_MAX, member, transactionRecord } from '../database/schema.js';

export type TransactionType = 'Purchase' | 'Sell' | 'Reward';

/** Points move only here, inside the caller's transaction, each move with its transaction record. */
@Injectable()
export class PointsRepository {
  /**
   * Adds `amount` points (capped at the column's maximum) and writes the record with the new
   * balance. The caller holds the member row lock.
   */
  async credit(
    memberId: string,
    entry: { type: TransactionType; amount: number; count: number; notes: string },
    tx: Tx,
  ): Promise<{ balance: number; transactionRecordId: number }> {
    const [current] = await tx.select({ point: member.point }).from(member).where(eq(member.memberId, memberId));
    // The record says what was really added, even at the column's ceiling.
    const amount = Math.min(entry.amount, INT4_MAX - current!.point);
    const [updated] = await tx
      .update(member)
      .set({ point: current!.point + amount, updatedAt: sql`now()` })
      .where(eq(member.memberId, memberId))
      .returning({ point: member.point });
    const [record] = await tx
      .insert(transactionRecord)
      .values({
        memberId,
        transactionType: entry.type,
        amount,
        count: entry.count,
        balanceAfterTransaction: updated!.point,
        notes: entry.notes,
      })
      .returning({ id: transactionRecord.transactionRecordId });
    return { balance: updated!.point, transactionRecordId: record!.id };
  }
}
