import { Injectable } from '@nestjs/common';
import { and, eq, gte, sql } from 'drizzle-orm';
import type { Tx } from '../database/client.js';
import { INT4_MAX } from '../common/limits.js';
import { member, transactionRecord } from '../database/schema.js';

export type TransactionType = 'Purchase' | 'Sell' | 'Reward';
export type TransactionRecordRow = typeof transactionRecord.$inferSelect;
export interface Entry {
  type: TransactionType;
  amount: number;
  count: number;
  notes: string;
}
export interface Moved {
  balance: number;
  record: TransactionRecordRow;
}

/** Points move only here, inside the caller's transaction, each move with its transaction record. */
@Injectable()
export class PointsRepository {
  /**
   * Adds `amount` points (capped at the column's maximum) and writes the record with the new
   * balance. The caller holds the member row lock.
   */
  async credit(memberId: string, entry: Entry, tx: Tx): Promise<Moved> {
    const [current] = await tx.select({ point: member.point }).from(member).where(eq(member.memberId, memberId));
    // The record says what was really added, even at the column's ceiling.
    const amount = Math.min(entry.amount, INT4_MAX - current!.point);
    const [updated] = await tx
      .update(member)
      .set({ point: sql`${member.point} + ${amount}`, updatedAt: sql`now()` })
      .where(eq(member.memberId, memberId))
      .returning({ point: member.point });
    return this.record(memberId, { ...entry, amount }, updated!.point, tx);
  }

  /**
   * Takes `amount` points and writes the record. The caller holds the member row lock and has
   * checked the balance; the conditional update refuses to go below zero all the same.
   */
  async debit(memberId: string, entry: Entry, tx: Tx): Promise<Moved> {
    const [updated] = await tx
      .update(member)
      .set({ point: sql`${member.point} - ${entry.amount}`, updatedAt: sql`now()` })
      .where(and(eq(member.memberId, memberId), gte(member.point, entry.amount)))
      .returning({ point: member.point });
    if (!updated) throw new Error('debit without enough points: the caller must check the balance under the lock');
    return this.record(memberId, entry, updated.point, tx);
  }

  private async record(memberId: string, entry: Entry, balance: number, tx: Tx): Promise<Moved> {
    const [record] = await tx
      .insert(transactionRecord)
      .values({
        memberId,
        transactionType: entry.type,
        amount: entry.amount,
        count: entry.count,
        balanceAfterTransaction: balance,
        notes: entry.notes,
      })
      .returning();
    return { balance, record: record! };
  }
}
