import { Inject, Injectable } from '@nestjs/common';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { DATABASE, type Database, type DbOrTx } from '../database/client.js';
import { palette, studyStreak } from '../database/schema.js';
import type { PaletteRow } from '../catalogue/catalogue.repository.js';
import type { StreakState } from './streak-rules.js';

export type StreakRow = typeof studyStreak.$inferSelect;

@Injectable()
export class StreaksRepository {
  constructor(@Inject(DATABASE) private readonly database: Database) {}

  /** Creates the member's streak row unless it exists; true when this call created it. */
  async ensure(memberId: string, tx: DbOrTx = this.database.db): Promise<boolean> {
    const rows = await tx
      .insert(studyStreak)
      .values({ memberId })
      .onConflictDoNothing({ target: studyStreak.memberId })
      .returning({ id: studyStreak.studyStreakId });
    return rows.length > 0;
  }

  async findWithPalette(
    memberId: string,
    tx: DbOrTx = this.database.db,
  ): Promise<{ streak: StreakRow; palette: PaletteRow | null } | undefined> {
    const rows = await tx
      .select({ streak: studyStreak, palette })
      .from(studyStreak)
      .leftJoin(palette, and(eq(palette.paletteId, studyStreak.paletteId), isNull(palette.deletedAt)))
      .where(eq(studyStreak.memberId, memberId))
      .limit(1);
    return rows[0];
  }

  async lock(memberId: string, tx: DbOrTx): Promise<StreakRow> {
    await this.ensure(memberId, tx);
    const rows = await tx.select().from(studyStreak).where(eq(studyStreak.memberId, memberId)).for('update');
    return rows[0]!;
  }

  async save(memberId: string, state: StreakState, tx: DbOrTx): Promise<void> {
    await tx
      .update(studyStreak)
      .set({
        currentStreak: state.current,
        longestStreak: state.longest,
        lastStudyDate: state.lastStudyDate,
        updatedAt: sql`now()`,
      })
      .where(eq(studyStreak.memberId, memberId));
  }

  /** A palette ticket's effect (S3); the caller holds the streak row lock. */
  async setPalette(memberId: string, paletteId: number, tx: DbOrTx): Promise<void> {
    await tx
      .update(studyStreak)
      .set({ paletteId, updatedAt: sql`now()` })
      .where(eq(studyStreak.memberId, memberId));
  }
}
