import { Injectable } from '@nestjs/common';
import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../database/client.js';
import { member, transactionRecord } from '../database/schema.js';

export type TransactionType = 'Purchase' | 'Sell' | 'Reward';
const INT4_MAX = 2_147_483_647;

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
    const [updated] = await tx
      .update(member)
      .set({ point: sql`least(${member.point}::bigint + ${entry.amount}, ${INT4_MAX})::int`, updatedAt: sql`now()` })
      .where(eq(member.memberId, memberId))
      .returning({ point: member.point });
    const [record] = await tx
      .insert(transactionRecord)
      .values({
        memberId,
        transactionType: entry.type,
        amount: entry.amount,
        count: entry.count,
        balanceAfterTransaction: updated!.point,
        notes: entry.notes,
      })
      .returning({ id: transactionRecord.transactionRecordId });
    return { balance: updated!.point, transactionRecordId: record!.id };
  }
}
