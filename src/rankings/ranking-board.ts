import type { MemberTotal } from './rankings.repository.js';

export interface BoardRow {
  rank: number;
  memberId: string;
  seconds: number;
}

const before = (a: MemberTotal, b: MemberTotal) =>
  b.seconds - a.seconds || (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);

/**
 * One period's standings: members with more than zero seconds, most first, ties sharing a rank
 * (1, 1, 3) and ordered by member id (PostgreSQL's uuid order is the lower-case text order), so
 * pages never overlap or skip. Members in `excluded` (opted out) are not ranked, but their own place
 * is still given as if they were.
 */
export class RankingBoard {
  private readonly ids: string[];
  private readonly seconds: Float64Array;
  private readonly ranks: Int32Array;
  private readonly all: Map<string, number>;

  constructor(totals: MemberTotal[], excluded: ReadonlySet<string> = new Set()) {
    this.all = new Map(totals.filter((t) => t.seconds > 0).map((t) => [t.memberId, t.seconds]));
    const ranked = totals.filter((t) => t.seconds > 0 && !excluded.has(t.memberId)).sort(before);
    this.ids = ranked.map((t) => t.memberId);
    this.seconds = Float64Array.from(ranked, (t) => t.seconds);
    this.ranks = new Int32Array(ranked.length);
    for (let i = 0; i < ranked.length; i++) {
      this.ranks[i] = i > 0 && this.seconds[i] === this.seconds[i - 1] ? this.ranks[i - 1]! : i + 1;
    }
  }

  /** Members ranked in this scope and period. */
  get total(): number {
    return this.ids.length;
  }

  page(offset: number, limit: number): BoardRow[] {
    const rows: BoardRow[] = [];
    for (let i = offset; i < Math.min(offset + limit, this.ids.length); i++) {
      rows.push({ rank: this.ranks[i]!, memberId: this.ids[i]!, seconds: this.seconds[i]! });
    }
    return rows;
  }

  /** The member's place: one more than the ranked members with more seconds; null without any. */
  placeOf(memberId: string): { rank: number; seconds: number } | null {
    const seconds = this.all.get(memberId);
    if (seconds === undefined) return null;
    // Seconds fall along the array: find the first index whose seconds are not above the member's.
    let lo = 0;
    let hi = this.seconds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seconds[mid]! > seconds) lo = mid + 1;
      else hi = mid;
    }
    return { rank: lo + 1, seconds };
  }
}
