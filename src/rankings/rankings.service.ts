import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { apiError } from '../common/wire/api-error.js';
import { CONFIG, type Config } from '../config/config.js';
import { canonicalZone, localDate } from '../common/local-days.js';
import { GROUP_STORE, type GroupStore } from '../study-groups/group-store.js';
import { RankingBoard } from './ranking-board.js';
import { RankingSnapshots } from './ranking-snapshots.js';
import { DEFAULT_LIMIT, type Ranking, type Scope } from './rankings.dto.js';
import { RankingsRepository, type TotalsWindow } from './rankings.repository.js';
import { type Period, periodOf } from './periods.js';

export interface RankingRequest {
  period?: Period;
  date?: string;
  timezone?: string;
  scope?: Scope;
  limit?: string;
  offset?: string;
}

/**
 * Rankings by local day, ISO week or month (issue 13). A room is ranked live (at most eight members);
 * the overall ranking comes from a snapshot of every member's totals at most RANKING_SNAPSHOT_SECONDS
 * old, so one request costs a binary search and a page of profiles, not a pass over every session.
 */
@Injectable()
export class RankingsService {
  private readonly snapshots: RankingSnapshots;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(GROUP_STORE) private readonly groups: GroupStore,
    private readonly clock: Clock,
    private readonly rankings: RankingsRepository,
  ) {
    this.snapshots = new RankingSnapshots(
      config.RANKING_SNAPSHOT_SECONDS * 1000,
      config.RANKING_SNAPSHOT_MAX_PERIODS,
      () => this.clock.now().getTime(),
      config.RANKING_MAX_BUILDS,
      () => apiError('BUSY', { retryAfterSeconds: config.DATABASE_RETRY_AFTER_SECONDS }),
    );
  }

  async ranking(accountId: string, q: RankingRequest): Promise<Ranking> {
    const memberId = await this.rankings.memberIdOf(accountId);
    if (!memberId) throw apiError('MEMBER_MISSING');
    const period = q.period ?? 'day';
    const timezone = q.timezone ?? this.config.DEFAULT_TIMEZONE;
    const now = this.clock.now();
    const { start, end } = periodOf(period, q.date ?? localDate(now, timezone));
    const window: TotalsWindow = {
      from: start,
      to: end,
      zone: timezone,
      now,
      capHours: this.config.MAX_SESSION_HOURS,
    };
    const board = q.scope === 'group' ? await this.room(memberId, window) : await this.overall(window);
    const page = board.page(Number(q.offset ?? 0), Number(q.limit ?? DEFAULT_LIMIT));
    const profiles = await this.rankings.profiles(page.map((r) => r.memberId));
    return {
      period,
      start,
      end,
      timezone,
      total: board.total,
      // A member erased since the snapshot has no profile left to show.
      ranking: page.flatMap((row) => {
        const p = profiles.get(row.memberId);
        return p ? [{ ...row, nickname: p.nickname, imageUrl: p.imageUrl, isStudying: p.isStudying }] : [];
      }),
      me: board.placeOf(memberId),
    };
  }

  /** The caller's live room, opted-out members included; 404 when the caller has no seat. */
  private async room(memberId: string, window: TotalsWindow): Promise<RankingBoard> {
    const seated = await this.seatedWith(memberId);
    if (!seated.some((m) => m.member_id === memberId)) throw apiError('NOT_IN_GROUP');
    return new RankingBoard(
      await this.rankings.totals(
        window,
        seated.map((m) => m.member_id),
      ),
    );
  }

  /** The members of the caller's room; the store (Redis) unreachable is a 503, not a 500. */
  private async seatedWith(memberId: string) {
    try {
      const groupId = await this.groups.groupOf(memberId);
      return groupId === undefined ? [] : await this.groups.members(groupId);
    } catch {
      throw apiError('GROUPS_UNAVAILABLE', { retryAfterSeconds: this.config.DATABASE_RETRY_AFTER_SECONDS });
    }
  }

  private overall(window: TotalsWindow): Promise<RankingBoard> {
    const key = `${window.from}|${window.to}|${canonicalZone(window.zone)}`;
    return this.snapshots.get(key, async () => {
      const at = { ...window, now: this.clock.now() };
      // DEFAULT_TIMEZONE days are the ones the rollups hold; another zone reads raw, as the statistics.
      const onRollups = canonicalZone(window.zone) === canonicalZone(this.config.DEFAULT_TIMEZONE);
      const [totals, optedOut] = await Promise.all([
        onRollups ? this.rankings.totalsOnRollups(at) : this.rankings.totals(at),
        this.rankings.optedOut(),
      ]);
      return new RankingBoard(totals, new Set(optedOut));
    });
  }
}
