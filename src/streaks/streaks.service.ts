import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { CONFIG, type Config } from '../config/config.js';
import type { Tx } from '../database/client.js';
import { datesTouched, localDate } from '../statistics/local-days.js';
import { StatisticsRepository } from '../statistics/statistics.repository.js';
import { advanceStreak, currentStreakOn } from './streak-rules.js';
import { type PaletteRow, type StreakRow, StreaksRepository } from './streaks.repository.js';

/** Streak days are local to DEFAULT_TIMEZONE: the member has no zone of their own. */
@Injectable()
export class StreaksService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly streaks: StreaksRepository,
    private readonly statistics: StatisticsRepository,
    private readonly clock: Clock,
  ) {}

  /** After a session [start, end] ended, inside its transaction: count the days it made qualify. */
  async recordSession(memberId: string, start: Date, end: Date, tx: Tx): Promise<void> {
    const tz = this.config.DEFAULT_TIMEZONE;
    const dates = datesTouched(start, end, tz);
    const streak = await this.streaks.lock(memberId, tx);
    const totals = await this.statistics.dayTotals(memberId, dates[0]!, dates.at(-1)!, tz, tx);
    const qualifying = totals.filter((t) => t.seconds >= this.config.STREAK_MIN_SECONDS).map((t) => t.date);
    const before = {
      current: streak.currentStreak,
      longest: streak.longestStreak,
      lastStudyDate: streak.lastStudyDate,
    };
    const after = advanceStreak(before, qualifying);
    if (after.lastStudyDate !== before.lastStudyDate) await this.streaks.save(memberId, after, tx);
  }

  /** N13: the streak (created on first read), with `current_streak` 0 once a whole day was missed. */
  async read(
    memberId: string,
  ): Promise<{ streak: StreakRow; palette: PaletteRow | null; created: boolean; current: number }> {
    let found = await this.streaks.findWithPalette(memberId);
    const created = !found && (await this.streaks.ensure(memberId));
    found ??= await this.streaks.findWithPalette(memberId);
    const { streak, palette } = found!;
    const today = localDate(this.clock.now(), this.config.DEFAULT_TIMEZONE);
    const current = currentStreakOn(
      { current: streak.currentStreak, longest: streak.longestStreak, lastStudyDate: streak.lastStudyDate },
      today,
    );
    return { streak, palette, created, current };
  }
}
