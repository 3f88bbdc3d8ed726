import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { CONFIG, type Config } from '../config/config.js';
import type { Tx } from '../database/client.js';
import { addDays, datesTouched, localDate } from '../common/local-days.js';
import { StatisticsRepository } from '../statistics/statistics.repository.js';
import { advanceStreak, backfillStreak, currentStreakOn } from './streak-rules.js';
import type { PaletteRow } from '../catalogue/catalogue.repository.js';
import { type StreakRow, StreaksRepository } from './streaks.repository.js';

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

  /**
   * Issue 14: after an uploaded session, inside its transaction. Days after the last streak day
   * count as for a timed session; a day on or before it (the upload came late) recounts the runs
   * around it from the day totals, looking further back while the window's first day still counts.
   */
  async recordPastSession(memberId: string, start: Date, end: Date, tx: Tx): Promise<void> {
    const tz = this.config.DEFAULT_TIMEZONE;
    const min = this.config.STREAK_MIN_SECONDS;
    const dates = datesTouched(start, end, tz);
    const streak = await this.streaks.lock(memberId, tx);
    const totals = await this.statistics.dayTotals(memberId, dates[0]!, dates.at(-1)!, tz, tx);
    const qualifying = totals.filter((t) => t.seconds >= min).map((t) => t.date);
    const before = {
      current: streak.currentStreak,
      longest: streak.longestStreak,
      lastStudyDate: streak.lastStudyDate,
    };
    const last = before.lastStudyDate;
    let after = advanceStreak(before, qualifying);
    if (last !== null && qualifying.some((d) => d <= last)) {
      const to = after.lastStudyDate!;
      let days = 400;
      let window: Set<string>;
      // Bounded: a run longer than the largest window (about 17 years) is cut there.
      for (;;) {
        const from = addDays(qualifying[0]!, -days);
        const all = await this.statistics.dayTotals(memberId, from, to, tz, tx);
        window = new Set(all.filter((t) => t.seconds >= min).map((t) => t.date));
        if (!window.has(from) || days >= 6400) break;
        days *= 2;
      }
      after = backfillStreak(before, qualifying, window);
    }
    const changed =
      after.current !== before.current ||
      after.longest !== before.longest ||
      after.lastStudyDate !== before.lastStudyDate;
    if (changed) await this.streaks.save(memberId, after, tx);
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
