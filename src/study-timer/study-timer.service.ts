import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { EventBus } from '../common/events.js';
import { MemberQueue } from '../common/keyed-queue.js';
import { apiError } from '../common/wire/api-error.js';
import { CONFIG, type Config } from '../config/config.js';
import { Transactions } from '../database/transactions.js';
import { InventoryRepository } from '../inventory/inventory.repository.js';
import { MembersRepository } from '../members/members.repository.js';
import { PointsRepository } from '../points/points.repository.js';
import { StreaksService } from '../streaks/streaks.service.js';
import { StudyCategoriesRepository } from '../study-categories/study-categories.repository.js';
import type { SessionStatus } from './study-timer.dto.js';
import { StudyTimerRepository } from './study-timer.repository.js';
import { cappedSession, rewardPoints } from './study-timer.rules.js';

/**
 * N23/N24. The server clock is the only clock. Each start or end is one transaction holding the
 * member row lock, so parallel calls of one member run one after another; the partial unique index
 * keeps one running record per member even if that lock were bypassed.
 */
@Injectable()
export class StudyTimerService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly transactions: Transactions,
    private readonly timer: StudyTimerRepository,
    private readonly members: MembersRepository,
    private readonly categories: StudyCategoriesRepository,
    private readonly inventory: InventoryRepository,
    private readonly points: PointsRepository,
    private readonly streaks: StreaksService,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly queue: MemberQueue,
  ) {}

  /** With `clientId`, a retry of a start already made (running, ended or discarded since) changes nothing. */
  async start(accountId: string, categoryId: number | null | undefined, clientId?: string): Promise<void> {
    // The member's turn first (see MemberQueue), then one pooled connection for the transaction.
    const started = await this.queue.run(accountId, () => this.startNow(accountId, categoryId, clientId));
    if (started) this.events.publish('study.started', started);
  }

  private startNow(accountId: string, categoryId: number | null | undefined, clientId: string | undefined) {
    return this.transactions.run(async (tx) => {
      const member = await this.members.lock({ accountId }, tx);
      if (!member) throw apiError('MEMBER_NOT_FOUND');
      if (clientId !== undefined) {
        const made = await this.timer.findByClientId(member.memberId, clientId, tx);
        if (made?.source === 'timer') return null;
        if (made) throw apiError('CLIENT_ID_REUSED');
      }
      // `0` and `null` mean no category, as the original's truthiness check did.
      if (categoryId && !(await this.categories.findOwned(member.memberId, categoryId, tx))) {
        throw apiError('CATEGORY_NOT_FOUND');
      }
      const now = this.clock.now();
      await this.timer.discardRunning(member.memberId, now, tx);
      await this.timer.start(member.memberId, categoryId || null, now, clientId ?? null, tx);
      return { memberId: member.memberId, startTime: now };
    });
  }

  /** Ends the running session and applies its effects in the same transaction (points, food progress, streak). */
  /** With `clientId`, a retry of an end already made answers success again and changes nothing. */
  async end(accountId: string, status: SessionStatus, clientId?: string): Promise<void> {
    const ended = await this.queue.run(accountId, () => this.endNow(accountId, status, clientId));
    if (ended) this.events.publish('study.ended', ended);
  }

  private endNow(accountId: string, status: SessionStatus, clientId: string | undefined) {
    return this.transactions.run(async (tx) => {
      const member = await this.members.lock({ accountId }, tx);
      if (!member) throw apiError('MEMBER_NOT_FOUND');
      // The end's answer is always `null`, so a replay needs nothing stored but the key.
      if (clientId !== undefined && (await this.timer.findByEndClientId(member.memberId, clientId, tx))) return null;
      const record =
        member.activeRecordId === null
          ? undefined
          : await this.timer.findRunning(member.memberId, member.activeRecordId, tx);
      if (!record) throw apiError('TIMER_NOT_FOUND');

      const { end, seconds } = cappedSession(record.startTime, this.clock.now(), this.config.MAX_SESSION_HOURS);
      await this.timer.end(member.memberId, record.studyRecordId, end, status, clientId ?? null, tx);
      if (seconds > 0) await this.inventory.advanceFoodProgress(member.memberId, seconds, tx);
      const points = status === 'Completed' ? rewardPoints(seconds, this.config.POINTS_PER_MINUTE) : 0;
      if (points > 0) {
        const minutes = Math.floor(seconds / 60);
        await this.points.credit(
          member.memberId,
          { type: 'Reward', amount: points, count: minutes, notes: `공부 ${minutes}분 보상` },
          tx,
        );
      }
      await this.streaks.recordSession(member.memberId, record.startTime, end, tx);
      return { memberId: member.memberId, endTime: end };
    });
  }
}
