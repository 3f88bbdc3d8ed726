import { Inject, Injectable } from '@nestjs/common';
import { apiError } from '../common/wire/api-error.js';
import { CONFIG, type Config } from '../config/config.js';
import { addDays, canonicalZone, daysBetween } from '../common/local-days.js';
import { RollupReader } from './rollup-reader.js';
import { type DayTotal, StatisticsRepository } from './statistics.repository.js';

export const MAX_HEAT_MAP_DAYS = 366;

/** N20–N22 and study records; days are local to `?timezone=` or DEFAULT_TIMEZONE. */
@Injectable()
export class StatisticsService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly statistics: StatisticsRepository,
    private readonly rollups: RollupReader,
  ) {}

  private zone(timezone: string | undefined): string {
    return timezone ?? this.config.DEFAULT_TIMEZONE;
  }

  /**
   * Day totals as the raw query gives them, read from the rollups where they are exact (covered,
   * unchanged since) and raw for the rest: today, the newest days, changed days, another zone.
   */
  private async dayTotals(memberId: string, from: string, to: string, zone: string): Promise<DayTotal[]> {
    const tz = canonicalZone(zone);
    if (tz === canonicalZone(this.config.DEFAULT_TIMEZONE)) return this.rollups.dayTotals(memberId, from, to, tz);
    return this.statistics.dayTotals(memberId, from, to, zone);
  }

  async daily(memberId: string, date: string, timezone?: string): Promise<number> {
    const [day] = await this.dayTotals(memberId, date, date, this.zone(timezone));
    return day?.seconds ?? 0;
  }

  async monthly(memberId: string, year: number, month: number, timezone?: string) {
    const first = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-01`;
    const last = addDays(
      month === 12
        ? `${String(year + 1).padStart(4, '0')}-01-01`
        : `${first.slice(0, 5)}${String(month + 1).padStart(2, '0')}-01`,
      -1,
    );
    const zone = this.zone(timezone);
    if (canonicalZone(zone) === canonicalZone(this.config.DEFAULT_TIMEZONE)) {
      // The monthly row is exact while none of the member's days in that month changed since.
      const exact = await this.rollups.exactMonth(memberId, first, last, canonicalZone(zone));
      if (exact) return exact;
    }
    const days = await this.dayTotals(memberId, first, last, zone);
    return { totalSeconds: days.reduce((sum, d) => sum + d.seconds, 0), uniqueStudyDays: days.length };
  }

  async heatMap(memberId: string, start: string, end: string, timezone?: string): Promise<DayTotal[]> {
    const span = daysBetween(start, end);
    if (span < 0) throw apiError('VALIDATION', { messages: ['end must not be before start'] });
    // `end` may be up to 366 days after `start`: the PWA asks for a year back from today with both
    // ends included, which is 367 days when the year holds a 29 February.
    if (span > MAX_HEAT_MAP_DAYS)
      throw apiError('VALIDATION', { messages: [`the range must not exceed ${MAX_HEAT_MAP_DAYS} days`] });
    return this.dayTotals(memberId, start, end, this.zone(timezone));
  }

  records(memberId: string, date: string, timezone?: string) {
    return this.statistics.recordsOfDay(memberId, date, this.zone(timezone));
  }
}
