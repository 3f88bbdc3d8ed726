import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { MemberQueue } from '../common/keyed-queue.js';
import { apiError } from '../common/wire/api-error.js';
import { CONFIG, type Config } from '../config/config.js';
import type { Tx } from '../database/client.js';
import { Transactions } from '../database/transactions.js';
import { InventoryRepository } from '../inventory/inventory.repository.js';
import { MembersRepository } from '../members/members.repository.js';
import { StreaksService } from '../streaks/streaks.service.js';
import { StudyCategoriesRepository } from '../study-categories/study-categories.repository.js';
import { offlineRefusal, toWholeSecond } from './offline-rules.js';
import type { SessionStatus } from './study-timer.dto.js';
import { type RecordRow, StudyTimerRepository } from './study-timer.repository.js';

export interface OfflineSession {
  clientId: string;
  startTime: string;
  endTime: string;
  status: SessionStatus;
  categoryId: number | null | undefined;
}

/**
 * Issue 14: sessions the app timed while offline. Each upload is one transaction under the member
 * row lock (after the member's turn in MemberQueue), like the timer: the client-id lookup, the
 * overlap check and the insert can't interleave with another upload, start or end of that member,
 * on any instance. They count like timed sessions (statistics, streak, food) but earn no points.
 */
@Injectable()
export class OfflineRecordsService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly transactions: Transactions,
    private readonly timer: StudyTimerRepository,
    private readonly members: MembersRepository,
    private readonly categories: StudyCategoriesRepository,
    private readonly inventory: InventoryRepository,
    private readonly streaks: StreaksService,
    private readonly clock: Clock,
    private readonly queue: MemberQueue,
  ) {}

  /** The stored record: the new one, or the one an earlier upload with this client id stored. */
  upload(accountId: string, session: OfflineSession): Promise<RecordRow> {
    return this.queue.run(accountId, () => this.transactions.run((tx) => this.uploadNow(accountId, session, tx)));
  }

  private async uploadNow(accountId: string, session: OfflineSession, tx: Tx): Promise<RecordRow> {
    const member = await this.members.lock({ accountId }, tx);
    if (!member) throw apiError('MEMBER_NOT_FOUND');
    const start = toWholeSecond(session.startTime);
    const end = toWholeSecond(session.endTime);
    const categoryId = session.categoryId || null;
    // A retry first: it answers what was stored even once the rules below would refuse it (too old).
    const stored = await this.timer.findByClientId(member.memberId, session.clientId, tx);
    if (stored) return this.replay(stored, { start, end, status: session.status, categoryId });

    const refusal = offlineRefusal(start, end, this.clock.now(), {
      maxAgeDays: this.config.OFFLINE_MAX_AGE_DAYS,
      maxSessionHours: this.config.MAX_SESSION_HOURS,
      clockSkewSeconds: this.config.OFFLINE_CLOCK_SKEW_SECONDS,
    });
    if (refusal) throw apiError(refusal.code);
    if (categoryId !== null && !(await this.categories.findOwned(member.memberId, categoryId, tx))) {
      throw apiError('OFFLINE_CATEGORY_NOT_FOUND');
    }
    if (await this.timer.overlaps(member.memberId, start, end, this.config.MAX_SESSION_HOURS, tx)) {
      throw apiError('OFFLINE_OVERLAP');
    }
    const values = {
      memberId: member.memberId,
      clientId: session.clientId,
      start,
      end,
      status: session.status,
      categoryId,
    };
    const inserted = await this.timer.insertOffline(values, tx);
    // The unique index is the last word should the lock ever be bypassed: read the winner back.
    if (!inserted) {
      const winner = await this.timer.findByClientId(member.memberId, session.clientId, tx);
      return this.replay(winner!, { start, end, status: session.status, categoryId });
    }
    const seconds = Math.floor((end.getTime() - start.getTime()) / 1000);
    await this.inventory.advanceFoodProgress(member.memberId, seconds, tx);
    await this.streaks.recordPastSession(member.memberId, start, end, tx);
    return inserted;
  }

  /** The same client id again: the stored record if the content matches, otherwise a conflict. */
  private replay(
    stored: RecordRow,
    sent: { start: Date; end: Date; status: string; categoryId: number | null },
  ): RecordRow {
    const same =
      stored.source === 'offline' &&
      stored.startTime.getTime() === sent.start.getTime() &&
      stored.endTime?.getTime() === sent.end.getTime() &&
      stored.status === sent.status &&
      stored.studyCategoryId === sent.categoryId;
    if (!same) throw apiError('CLIENT_ID_REUSED');
    return stored;
  }
}
