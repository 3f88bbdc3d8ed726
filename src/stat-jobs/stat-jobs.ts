import { addDays, localDate } from '../common/local-days.js';
import type { JobDatabase } from './job-database.js';
import { chunks, type Counts, type Coverage, monthOf, nextMonth, RollupWriter } from './rollup-writer.js';

export interface RunResult extends Counts {
  windowStart: string | null;
  windowEnd: string | null;
}

export type Progress = (doneDays: number, totalDays: number) => void;

/**
 * Days per transaction when filling a range: each chunk scans the records once (there is no index on
 * start_time alone), so a quarter keeps a two-year backfill to eight scans, and the bar still moves.
 */
const CHUNK_DAYS = 92;

const sum = (a: Counts, b: Counts): Counts => ({ read: a.read + b.read, written: a.written + b.written });

/** [from, to] joined to the coverage when they touch or overlap it (else the coverage stays). */
export function merge(c: Coverage, from: string, to: string): Coverage {
  if (!c.dailyFrom || !c.dailyThrough) return { ...c, dailyFrom: from, dailyThrough: to };
  if (from > addDays(c.dailyThrough, 1) || to < addDays(c.dailyFrom, -1)) return c;
  return {
    ...c,
    dailyFrom: from < c.dailyFrom ? from : c.dailyFrom,
    dailyThrough: to > c.dailyThrough ? to : c.dailyThrough,
  };
}

/** The three statistics jobs, without their scheduling: the pg-boss runner and the CLI call these. */
export class StatJobs {
  private readonly writer: RollupWriter;

  constructor(
    db: JobDatabase,
    private readonly zone: string,
  ) {
    this.writer = new RollupWriter(db, zone);
  }

  private yesterday(now: Date): string {
    return addDays(localDate(now, this.zone), -1);
  }

  /**
   * Recomputes what changed since the last run (late, deleted, re-categorised or erased sessions),
   * then extends the rollups up to yesterday: the first run fills everything since the first record.
   */
  async daily(now: Date): Promise<RunResult> {
    const coverage = await this.writer.coverage();
    let counts = await this.writer.consumeChanges();
    const to = this.yesterday(now);
    const from = coverage.dailyThrough
      ? addDays(coverage.dailyThrough, 1)
      : ((await this.writer.firstRecordDate()) ?? to);
    const start = from < to ? from : to;
    if (coverage.dailyThrough && coverage.dailyThrough >= to) return { ...counts, windowStart: null, windowEnd: null };
    for (const [a, b] of chunks(start, to, CHUNK_DAYS)) {
      counts = sum(counts, await this.writer.recomputeDays(a, b, (c) => merge(c, a, b)));
    }
    return { ...counts, windowStart: start, windowEnd: to };
  }

  /** Monthly rows for every month the daily rows cover whole, and last month's afresh. */
  async monthly(now: Date): Promise<RunResult> {
    await this.writer.coverage();
    const changes = await this.writer.consumeChanges();
    const month = monthOf(this.yesterday(now));
    const last = month === monthOf(localDate(now, this.zone)) ? monthOf(addDays(month, -1)) : month;
    const result = await this.writer.recomputeMonths(last, last);
    return {
      ...sum(changes, result),
      windowStart: last,
      windowEnd: addDays(nextMonth(last), -1),
    };
  }

  /**
   * Fills or refills [from, to] (at most up to yesterday), joined to what is covered already, and
   * the months it touches. A refill writes identical rows: the rollups are a function of the records.
   */
  async backfill(from: string, to: string, now: Date, progress?: Progress): Promise<RunResult> {
    const coverage = await this.writer.coverage();
    let counts = await this.writer.consumeChanges();
    const yesterday = this.yesterday(now);
    let [lo, hi] = [from, to < yesterday ? to : yesterday];
    if (lo > hi) return { ...counts, windowStart: null, windowEnd: null };
    // A gap between the range and the coverage is filled too, so the coverage stays one range.
    if (coverage.dailyFrom && coverage.dailyThrough) {
      if (hi < addDays(coverage.dailyFrom, -1)) hi = addDays(coverage.dailyFrom, -1);
      if (lo > addDays(coverage.dailyThrough, 1)) lo = addDays(coverage.dailyThrough, 1);
    }
    // Days before the coverage go newest first, so each chunk touches the growing range.
    const before =
      coverage.dailyFrom && lo < coverage.dailyFrom
        ? chunks(lo, min(hi, addDays(coverage.dailyFrom, -1)), CHUNK_DAYS).reverse()
        : [];
    const restFrom = coverage.dailyFrom && lo < coverage.dailyFrom ? coverage.dailyFrom : lo;
    const rest = restFrom <= hi ? chunks(restFrom, hi, CHUNK_DAYS) : [];
    const all = [...before, ...rest];
    const total = all.reduce((n, [a, b]) => n + daysIn(a, b), 0);
    let done = 0;
    progress?.(0, total);
    for (const [a, b] of all) {
      counts = sum(counts, await this.writer.recomputeDays(a, b, (c) => merge(c, a, b)));
      done += daysIn(a, b);
      progress?.(done, total);
    }
    counts = sum(counts, await this.writer.recomputeMonths(monthOf(lo), monthOf(hi)));
    return { ...counts, windowStart: lo, windowEnd: hi };
  }
}

const min = (a: string, b: string) => (a < b ? a : b);
const daysIn = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000) + 1;
