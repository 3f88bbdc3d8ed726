import { Logger } from '@nestjs/common';
import { RankingBoard } from './ranking-board.js';

interface Entry {
  board?: RankingBoard;
  takenAt: number;
  building?: Promise<RankingBoard>;
}

/**
 * Boards of the overall ranking kept per instance, at most `ttlMs` old for the reader who waits: a
 * stale board is served while one fresh build runs behind it; only a period never seen waits for its
 * build. Builds of one period never overlap. The least recently used period goes beyond `maxPeriods`.
 * At most `maxBuilds` builds run at once (each reads every member's sessions of its period): a period
 * never seen beyond that is refused with `busy()`, a due refresh is left for a later reader.
 */
export class RankingSnapshots {
  private readonly entries = new Map<string, Entry>();
  private readonly logger = new Logger('Rankings');
  private building = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxPeriods: number,
    private readonly nowMs: () => number,
    private readonly maxBuilds: number,
    private readonly busy: () => Error,
  ) {}

  async get(key: string, build: () => Promise<RankingBoard>): Promise<RankingBoard> {
    if (this.ttlMs === 0) return this.limited(build);
    const entry = this.entries.get(key);
    if (entry) {
      // Re-inserting keeps the Map in least-recently-used order.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    if (entry?.board) {
      const age = this.nowMs() - entry.takenAt;
      // A clock set back (tests, a corrected host clock) makes the board stale, not fresh forever.
      if ((age < 0 || age >= this.ttlMs) && !entry.building && this.building < this.maxBuilds) {
        this.refresh(key, entry, build).catch((error: unknown) =>
          this.logger.warn({ err: error, period: key }, 'ranking snapshot not refreshed; serving the older one'),
        );
      }
      return entry.board;
    }
    if (entry?.building) return entry.building;
    if (this.building >= this.maxBuilds) throw this.busy();
    const fresh: Entry = { takenAt: 0 };
    this.entries.set(key, fresh);
    this.evict();
    return this.refresh(key, fresh, build);
  }

  private refresh(key: string, entry: Entry, build: () => Promise<RankingBoard>): Promise<RankingBoard> {
    const takenAt = this.nowMs();
    entry.building = this.limited(build)
      .then((board) => {
        entry.board = board;
        entry.takenAt = takenAt;
        return board;
      })
      .finally(() => {
        entry.building = undefined;
        // A first build that failed leaves nothing behind, so the next reader tries again.
        if (!entry.board && this.entries.get(key) === entry) this.entries.delete(key);
      });
    return entry.building;
  }

  private async limited(build: () => Promise<RankingBoard>): Promise<RankingBoard> {
    if (this.building >= this.maxBuilds) throw this.busy();
    this.building++;
    try {
      return await build();
    } finally {
      this.building--;
    }
  }

  private evict(): void {
    while (this.entries.size > this.maxPeriods) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
